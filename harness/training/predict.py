"""The one prediction loop: batches in input order, no gradients, outputs back on the CPU."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from harness.formats.base import Collate, Features
from harness.training.runtime import Runtime


@torch.inference_mode()
def predict_outputs(
    model: torch.nn.Module,
    features: Features,
    collate: Collate,
    batch_size: int,
    runtime: Runtime,
    extract: Callable[[Any], torch.Tensor] = lambda output: output.logits,
    on_batch: Callable[[int], None] | None = None,
) -> list[np.ndarray]:
    """One array per batch, in feature order (batches may differ in padded length).

    `extract` picks what decoding needs from the model output; `on_batch(n)` reports progress.
    """
    model.eval()
    outputs: list[np.ndarray] = []
    for start in range(0, len(features), batch_size):
        chunk = features[start : start + batch_size]
        batch = {k: v.to(runtime.device) for k, v in collate(chunk).items() if k != "labels"}
        with runtime.autocast():
            result = extract(model(**batch))
        outputs.append(result.float().cpu().numpy())
        if on_batch is not None:
            on_batch(len(chunk))
    return outputs
