"""What every task format provides: featurize, collate, decode, score. One module per format."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from harness.models import Head
from harness.tasks.spec import TaskSpec

Features = list[dict[str, Any]]
Collate = Callable[[Features], dict[str, Any]]


class Format(ABC):
    name: ClassVar[str]
    head: ClassVar[Head]
    # The XTREME leaderboard file of one language: test-{lang}.{prediction_suffix} (spec section 4).
    prediction_suffix: ClassVar[str] = "tsv"
    # metric name -> pure function (predictions, labels) -> 0-100
    metric_functions: ClassVar[dict[str, Callable[[Sequence[Any], Sequence[Any]], float]]]

    def num_labels(self, spec: TaskSpec) -> int | None:
        """Size of the output layer, for heads that need it."""
        return None

    @abstractmethod
    def featurize(
        self, examples: Sequence[dict[str, Any]], tokenizer: Any, spec: TaskSpec, max_length: int
    ) -> Features:
        """Tokenize canonical examples; labelled examples carry `labels`."""

    @abstractmethod
    def collate(self, tokenizer: Any) -> Collate:
        """Pad a list of features into a batch of tensors (dynamic padding)."""

    @abstractmethod
    def decode(self, logits: np.ndarray, spec: TaskSpec) -> list[str]:
        """Turn model outputs into one prediction per example (label strings)."""

    def write_predictions(self, predictions: Sequence[str]) -> str:
        """The leaderboard file's text: one prediction per line."""
        return "".join(f"{p}\n" for p in predictions)

    def score(
        self, predictions: Sequence[str], examples: Sequence[dict[str, Any]], metrics: Sequence[str]
    ) -> dict[str, float]:
        """Compute the requested metrics (0-100) for one language, from predictions and gold labels."""
        labels = [e["label"] for e in examples]
        return {m: self.metric_functions[m](predictions, labels) for m in metrics}
