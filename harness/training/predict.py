"""The one prediction loop: length-grouped batches, no gradients, outputs back in input order.

Examples are sorted by length so that each batch pads little, split across processes when
several run, predicted, and put back in input order. Each example comes back as its own array
of shape (1, ...) (its row of the batch output, padded to that batch's length), which the formats'
decoders read row by row exactly as they read whole batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from harness.batching import Collate, Features
from harness.training.runtime import Runtime, is_out_of_memory
from harness.training.throughput import Meter


def feature_length(feature: dict[str, Any]) -> int:
    """Tokens of one feature (the longest choice for multiple-choice features)."""
    ids = feature.get("input_ids")
    if ids is None:  # e.g. a dual encoder's (question, answer) pair: the longest sequence
        return max((len(v) for v in feature.values() if isinstance(v, list | tuple)), default=0)
    if len(ids) and isinstance(ids[0], list | tuple):
        return max(len(choice) for choice in ids)
    return len(ids)


def _rows(feature: dict[str, Any]) -> int:
    """Padded tokens one feature costs at its own length (all its choices, for multiple choice)."""
    ids = feature.get("input_ids")
    choices = len(ids) if ids is not None and len(ids) and isinstance(ids[0], list | tuple) else 1
    return feature_length(feature) * choices


@torch.inference_mode()
def predict_outputs(
    model: torch.nn.Module,
    features: Features,
    collate: Collate,
    batch_size: int,
    runtime: Runtime,
    extract: Callable[[Any], torch.Tensor] = lambda output: output.logits,
    on_batch: Callable[[int], None] | None = None,
    meter: Meter | None = None,
    group_by_length: bool = True,
) -> list[np.ndarray]:
    """One array of shape (1, ...) per feature, in feature order.

    `extract` picks what decoding needs from the model output; `on_batch(n)` reports progress (n
    examples, counted for all processes); `meter` collects counts and time. With a token budget
    (`runtime.prediction_tokens`, set on GPUs) batches grow to fill it. On a CUDA out-of-memory
    error the batch (and budget) is halved and the batch retried (recorded in `meter.oom_retries`).
    """
    model.eval()
    dist = runtime.dist
    meter = meter if meter is not None else Meter()
    if group_by_length:
        # longest first: an out-of-memory error shows up on the first batch, not after an hour
        order = sorted(range(len(features)), key=lambda i: (-feature_length(features[i]), i))
    else:
        order = list(range(len(features)))
    mine = [order[i] for i in dist.share(len(order))]
    results: list[tuple[int, np.ndarray]] = []
    meter.start()
    budget = runtime.prediction_tokens if group_by_length else None
    start, size, reported = 0, batch_size, 0
    while start < len(mine):
        count = size
        if budget:
            # A GPU wants many tokens per batch (short inputs in batches of 32 leave it idle): as
            # many examples as fit the token budget at the length of the batch's first (longest)
            # one, never fewer than the recipe's batch size, at most 1024.
            count = max(size, min(1024, budget // max(_rows(features[mine[start]]), 1)))
        indices = mine[start : start + count]
        batch = collate([features[i] for i in indices])
        inputs = {k: v.to(runtime.device) for k, v in batch.items() if k != "labels"}
        try:
            with runtime.autocast():
                output = extract(model(**inputs)).float().cpu().numpy()
        except Exception as exc:
            if not is_out_of_memory(exc) or size == 1:
                raise
            del inputs
            torch.cuda.empty_cache()
            size = max(min(size, count) // 2, 1)
            budget = budget // 2 if budget else None
            meter.oom_retries += 1
            continue
        meter.add_batch(batch, len(indices))
        results.extend((index, output[row : row + 1]) for row, index in enumerate(indices))
        start += len(indices)
        if on_batch is not None:
            # this process's share stands for all of them: scale so the bar ends at the full count
            now = start * len(order) // len(mine)
            on_batch(now - reported)
            reported = now
    meter.stop()
    gathered = dist.gather(results)
    ordered: list[np.ndarray | None] = [None] * len(features)
    for index, array in gathered:
        ordered[index] = array
    if any(array is None for array in ordered):  # would be a sharding bug: never decode with holes
        raise RuntimeError("prediction lost examples while gathering across processes")
    return ordered  # type: ignore[return-value]
