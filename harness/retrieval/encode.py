"""Sentence vectors from an encoder: one hidden layer, pooled, L2-normalised (spec 3.9, 3.10).

The reference (utils_retrieve.py) mean-pools one layer over every non-padding position, special
tokens included; Mewsli-X and LAReQA use the pooler output (tanh-dense over the first token).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from harness.errors import HarnessError
from harness.suites import Representation
from harness.training import Runtime


def model_depth(model: torch.nn.Module) -> int:
    config = model.config
    depth = getattr(config, "num_hidden_layers", None) or getattr(config, "num_layers", None)
    if not depth:
        raise HarnessError(f"cannot tell how many layers a {type(model).__name__} has")
    return int(depth)


def hidden_layer(depth: int, rep: Representation) -> int | None:
    """Which hidden_states index to pool (0 = embeddings, depth = last); None for the last layer."""
    if rep.pooling == "pooler":
        return None
    if depth in rep.layer_by_depth:
        layer = rep.layer_by_depth[depth]
    elif rep.layer_fraction is not None:
        layer = max(1, round(depth * rep.layer_fraction))
    else:
        return None
    if not 0 <= layer <= depth:
        raise HarnessError(f"layer {layer} does not exist in a {depth}-layer model")
    return layer


def pool(output: Any, attention_mask: torch.Tensor, pooling: str, layer: int | None) -> torch.Tensor:
    """Pool one layer of a model output into one L2-normalised vector per sequence."""
    if pooling == "pooler":
        pooled = getattr(output, "pooler_output", None)
        if pooled is None:
            raise HarnessError("this model has no pooler output; use pooling mean or cls in the suite")
    else:
        states = output.hidden_states[layer] if layer is not None else output.last_hidden_state
        if pooling == "cls":
            pooled = states[:, 0]
        else:
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def tokenize(tokenizer: Any, texts: Sequence[str], rep: Representation, max_length: int | None = None) -> Any:
    texts = [t.lower() for t in texts] if rep.lowercase else list(texts)
    return tokenizer(texts, truncation=True, max_length=max_length or rep.max_length)


@torch.inference_mode()
def embed(
    model: torch.nn.Module,
    tokenizer: Any,
    texts: Sequence[str],
    rep: Representation,
    runtime: Runtime,
    on_batch: Callable[[int], None] | None = None,
) -> torch.Tensor:
    """Unit vectors of `texts`, in input order: float16 on a GPU (half the memory), float32 on CPU."""
    if not texts:
        raise HarnessError("nothing to embed")
    model.eval()
    layer = hidden_layer(model_depth(model), rep)
    encoded = tokenize(tokenizer, texts, rep)
    # batches of similar lengths pad less; the vectors go back to input order
    order = sorted(range(len(texts)), key=lambda i: len(encoded["input_ids"][i]))
    dtype = torch.float16 if runtime.device.type == "cuda" else torch.float32
    vectors: torch.Tensor | None = None
    for start in range(0, len(order), rep.batch_size):
        rows = order[start : start + rep.batch_size]
        batch = tokenizer.pad({k: [encoded[k][i] for i in rows] for k in encoded}, return_tensors="pt")
        batch = {k: v.to(runtime.device) for k, v in batch.items()}
        with runtime.autocast():
            output = model(**batch, output_hidden_states=layer is not None)
        pooled = pool(output, batch["attention_mask"], rep.pooling, layer).to(dtype)
        if vectors is None:
            vectors = torch.empty(len(texts), pooled.shape[-1], dtype=dtype, device=runtime.device)
        vectors[torch.tensor(rows, device=runtime.device)] = pooled
        if on_batch is not None:
            on_batch(len(rows))
    assert vectors is not None
    return vectors
