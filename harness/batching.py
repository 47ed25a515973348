"""What the shared loops and the formats exchange: features, batches and per-example statistics.

A leaf module, so that `training` (which moves batches) and `formats` (which make them) need not
import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Example = dict[str, Any]  # a canonical example (harness.data)
Features = list[dict[str, Any]]
Collate = Callable[[Features], dict[str, Any]]
# (kind, array) as harness.results.stats resamples it: "mean" [n], "ratio" [n, 2], "f1" [n, 3]
ExampleStats = tuple[str, np.ndarray]


def pad_batch(batch: Features, pads: dict[str, int]) -> dict[str, torch.Tensor]:
    """Right-pad the list-valued keys of `pads` to the batch's longest feature; copy scalar keys.

    Keys not in `pads` (bookkeeping such as offsets) stay out of the batch.

    >>> pad_batch([{"input_ids": [5, 6, 7]}, {"input_ids": [8]}], {"input_ids": 0})["input_ids"].tolist()
    [[5, 6, 7], [8, 0, 0]]
    """
    width = max(len(f["input_ids"]) for f in batch)
    out: dict[str, torch.Tensor] = {}
    for key, value in pads.items():
        if key not in batch[0]:
            continue
        if isinstance(batch[0][key], list):
            out[key] = torch.tensor([f[key] + [value] * (width - len(f[key])) for f in batch])
        else:
            out[key] = torch.tensor([f[key] for f in batch])
    return out
