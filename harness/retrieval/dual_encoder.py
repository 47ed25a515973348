"""A dual encoder with shared weights, trained with in-batch negatives (Mewsli-X, LAReQA).

As the reference's BertForRetrieval: both sides go through the same encoder, are pooled and
L2-normalised; the loss is softmax cross-entropy of `logit_scale x cosine` over the batch, where
each query's own candidate is the positive and the batch's other candidates the negatives;
logit_scale is learned, starting at 100.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers.modeling_outputs import ModelOutput

from harness.batching import Collate, Features, pad_batch
from harness.retrieval.encode import hidden_layer, model_depth, pool, tokenize
from harness.suites import Representation


class DualEncoder(nn.Module):
    def __init__(self, encoder: nn.Module, rep: Representation):
        super().__init__()
        self.encoder = encoder
        self.rep = rep
        self.layer = hidden_layer(model_depth(encoder), rep)
        self.logit_scale = nn.Parameter(torch.tensor(100.0))

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        output = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=self.layer is not None
        )
        return pool(output, attention_mask, self.rep.pooling, self.layer)

    def forward(
        self,
        query_input_ids: torch.Tensor,
        query_attention_mask: torch.Tensor,
        candidate_input_ids: torch.Tensor,
        candidate_attention_mask: torch.Tensor,
    ) -> ModelOutput:
        queries = self.embed(query_input_ids, query_attention_mask)
        candidates = self.embed(candidate_input_ids, candidate_attention_mask)
        logits = self.logit_scale * queries @ candidates.T
        loss = nn.functional.cross_entropy(logits, torch.arange(len(logits), device=logits.device))
        return ModelOutput(loss=loss, logits=logits)


def pair_features(
    tokenizer: Any,
    queries: list[str],
    candidates: list[str],
    rep: Representation,
    query_length: int,
    candidate_length: int,
) -> Features:
    """Tokenized (query, positive candidate) pairs for training."""
    q = tokenize(tokenizer, queries, rep, query_length)
    c = tokenize(tokenizer, candidates, rep, candidate_length)
    return [
        {
            "query_input_ids": q["input_ids"][i],
            "query_attention_mask": q["attention_mask"][i],
            "candidate_input_ids": c["input_ids"][i],
            "candidate_attention_mask": c["attention_mask"][i],
        }
        for i in range(len(queries))
    ]


def pair_collate(tokenizer: Any) -> Collate:
    pad = tokenizer.pad_token_id or 0

    def collate(batch: Features) -> dict[str, torch.Tensor]:
        out = {}
        for side in ("query", "candidate"):
            sub = [
                {"input_ids": f[f"{side}_input_ids"], "attention_mask": f[f"{side}_attention_mask"]}
                for f in batch
            ]
            padded = pad_batch(sub, {"input_ids": pad, "attention_mask": 0})
            out[f"{side}_input_ids"], out[f"{side}_attention_mask"] = (
                padded["input_ids"],
                padded["attention_mask"],
            )
        return out

    return collate
