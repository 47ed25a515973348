"""Accuracy as evaluate.py computes it (XNLI, PAWS-X, XCOPA, Tatoeba)."""

from __future__ import annotations

from collections.abc import Sequence


def accuracy(predictions: Sequence[str | int], labels: Sequence[str | int]) -> float:
    """Percentage of positions where prediction == label (exact comparison, no normalisation).

    Same arithmetic as the reference (correct / n, then x 100), so floats match bit for bit.

    >>> accuracy(["entailment", "neutral", "neutral"], ["entailment", "neutral", "contradiction"])
    66.66666666666666
    >>> accuracy([1, 0], [1, 1])
    50.0
    """
    if len(predictions) != len(labels):
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    if not labels:
        raise ValueError("accuracy of an empty set is undefined")
    correct = sum(int(p == label) for p, label in zip(predictions, labels, strict=True))
    return float(correct) / len(predictions) * 100
