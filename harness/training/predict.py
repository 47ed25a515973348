"""The one prediction loop: batches in input order, no gradients, logits back on the CPU."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from harness.formats.base import Collate, Features
from harness.training.runtime import Runtime


@torch.inference_mode()
def predict_logits(
    model: torch.nn.Module,
    features: Features,
    collate: Collate,
    batch_size: int,
    runtime: Runtime,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Logits for every feature, in order. `on_batch(n)` reports n examples done."""
    model.eval()
    outputs: list[np.ndarray] = []
    for start in range(0, len(features), batch_size):
        chunk = features[start : start + batch_size]
        batch = {k: v.to(runtime.device) for k, v in collate(chunk).items() if k != "labels"}
        with runtime.autocast():
            logits = model(**batch).logits
        outputs.append(logits.float().cpu().numpy())
        if on_batch is not None:
            on_batch(len(chunk))
    return np.concatenate(outputs, axis=0)
