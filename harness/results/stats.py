"""Spread of a score: across seeds (standard deviation) and across test examples (bootstrap CI).

Pure functions over NumPy arrays. A metric is resampled through its per-example statistics:

- "mean": one value per example (accuracy, QA EM/F1, reciprocal rank, average precision); the
  metric is their mean.
- "ratio": (numerator, denominator) per example (token accuracy: correct tokens, tokens).
- "f1": (correct, predicted, gold) chunk counts per sentence; the metric is the micro F1 of the
  summed counts (chunks never cross sentences, so this equals the corpus-level seqeval F1).

Every seed scores the same test examples, so one bootstrap replicate resamples example indices
once and applies them to every seed: the interval is that of the mean over seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Kind = Literal["mean", "ratio", "f1"]
REPLICATES = 1000  # bootstrap replicates
CONFIDENCE = 0.95


def metric_of(kind: Kind, stats: np.ndarray) -> np.ndarray:
    """The metric (0-100) from per-example statistics; leading axes are kept (replicates)."""
    if kind == "mean":
        return stats.mean(axis=-1) * 100
    if kind == "ratio":
        sums = stats.sum(axis=-2)
        return sums[..., 0] / np.maximum(sums[..., 1], 1e-12) * 100
    sums = stats.sum(axis=-2)
    correct, predicted, gold = sums[..., 0], sums[..., 1], sums[..., 2]
    precision = np.where(predicted > 0, correct / np.maximum(predicted, 1), 0.0)
    recall = np.where(gold > 0, correct / np.maximum(gold, 1), 0.0)
    total = precision + recall
    return np.where(total > 0, 2 * precision * recall / np.where(total > 0, total, 1), 0.0) * 100


def replicates(
    kind: Kind, per_seed: Sequence[np.ndarray], rng: np.random.Generator, count: int = REPLICATES
) -> np.ndarray:
    """Bootstrap replicates of the mean-over-seeds metric of one language, shape [count]."""
    n = len(per_seed[0])
    if any(len(stats) != n for stats in per_seed):
        raise ValueError("every seed must score the same examples")
    indices = rng.integers(0, n, size=(count, n))
    return np.mean([metric_of(kind, stats[indices]) for stats in per_seed], axis=0)


def interval(samples: np.ndarray) -> tuple[float, float]:
    """The central 95% percentile interval of bootstrap replicates."""
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def seed_std(values: Sequence[float]) -> float | None:
    """Sample standard deviation across seeds (ddof 1); None with a single seed.

    >>> seed_std([70.0, 72.0, 74.0])
    2.0
    >>> seed_std([70.0]) is None
    True
    """
    if len(values) < 2:
        return None
    return float(np.std(values, ddof=1))
