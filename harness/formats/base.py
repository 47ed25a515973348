"""What every task format provides: featurize, collate, decode, score. One module per format.

The shared loops (`harness.training`) only move batches through the model; everything that depends
on the kind of task lives here: how examples become features, which model outputs matter, how
outputs become one prediction per example, how predictions are scored and written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from harness.models import Head
from harness.suites import Hyperparameters
from harness.tasks.spec import TaskSpec

Features = list[dict[str, Any]]
Collate = Callable[[Features], dict[str, Any]]
Example = dict[str, Any]


class Format(ABC):
    name: ClassVar[str]
    head: ClassVar[Head]
    # The XTREME leaderboard file of one language: test-{lang}.{prediction_suffix} (spec section 4).
    prediction_suffix: ClassVar[str] = "tsv"

    def num_labels(self, spec: TaskSpec) -> int | None:
        """Size of the output layer, for heads that need it."""
        return None

    @abstractmethod
    def featurize(
        self, examples: Sequence[Example], tokenizer: Any, spec: TaskSpec, hp: Hyperparameters
    ) -> Features:
        """Tokenize canonical examples; labelled examples carry `labels` (training targets)."""

    @abstractmethod
    def collate(self, tokenizer: Any) -> Collate:
        """Pad a list of features into a batch of tensors (dynamic padding)."""

    def outputs(self, output: Any) -> torch.Tensor:
        """The part of the model's output that decoding needs (logits unless a format says otherwise)."""
        return output.logits

    @abstractmethod
    def decode(
        self,
        outputs: list[np.ndarray],
        features: Features,
        examples: Sequence[Example],
        spec: TaskSpec,
        hp: Hyperparameters,
    ) -> list[Any]:
        """Turn per-batch model outputs (in feature order) into one prediction per example."""

    @abstractmethod
    def score(
        self,
        predictions: Sequence[Any],
        examples: Sequence[Example],
        metrics: Sequence[str],
        spec: TaskSpec,
        lang: str,
    ) -> dict[str, float]:
        """Compute the requested metrics (0-100) for one language from predictions and gold examples."""

    def write_predictions(self, predictions: Sequence[Any], examples: Sequence[Example]) -> str:
        """The leaderboard file's text (default: one prediction per line, as evaluate.py's read_label)."""
        return "".join(f"{p}\n" for p in predictions)


def argmax_rows(outputs: list[np.ndarray]) -> list[int]:
    """Index of the best class per example, for outputs of shape (batch, classes)."""
    return np.concatenate(outputs, axis=0).argmax(axis=-1).tolist()


def label_scores(
    functions: dict[str, Callable[[Sequence[Any], Sequence[Any]], float]],
    predictions: Sequence[Any],
    examples: Sequence[Example],
    metrics: Sequence[str],
) -> dict[str, float]:
    """Score predictions against each example's `label` with the named metric functions."""
    labels = [e["label"] for e in examples]
    return {m: functions[m](predictions, labels) for m in metrics}
