"""Task heads transformers lacks for encoder-decoder checkpoints (mT5 has no multiple-choice head).

The encoder is loaded alone (AutoModelForTextEncoding: T5EncoderModel / MT5EncoderModel) and each
choice is scored by a linear layer over its mean-pooled encoder states (padding excluded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from transformers.modeling_outputs import MultipleChoiceModelOutput

if TYPE_CHECKING:
    from harness.models import Checkpoint


class EncoderMultipleChoice(nn.Module):
    def __init__(self, encoder: nn.Module, hidden_size: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.scorer = nn.Linear(hidden_size, 1)

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> EncoderMultipleChoice:
        from transformers import AutoModelForTextEncoding

        encoder = AutoModelForTextEncoding.from_pretrained(
            str(checkpoint.path), trust_remote_code=checkpoint.trust_remote_code, **checkpoint.load_kwargs()
        )
        hidden = getattr(encoder.config, "d_model", None) or encoder.config.hidden_size
        dropout = getattr(encoder.config, "dropout_rate", 0.1)
        return cls(encoder, hidden, dropout)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
        **_: Any,  # token_type_ids from pair tokenizers: T5-style encoders take none
    ) -> MultipleChoiceModelOutput:
        batch, choices, length = input_ids.shape
        mask = attention_mask.view(-1, length)
        states = self.encoder(input_ids=input_ids.view(-1, length), attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        logits = self.scorer(self.dropout(pooled)).view(batch, choices)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return MultipleChoiceModelOutput(loss=loss, logits=logits)
