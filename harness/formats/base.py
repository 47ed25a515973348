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

from harness.errors import HarnessError
from harness.metrics import accuracy
from harness.models import Head
from harness.suites import Hyperparameters
from harness.tasks.spec import TaskSpec

Features = list[dict[str, Any]]
# (kind, array) as harness.results.stats resamples it: "mean" [n], "ratio" [n, 2], "f1" [n, 3]
ExampleStats = tuple[str, np.ndarray]
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

    def example_stats(
        self, predictions: Sequence[Any], examples: Sequence[Example], metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        """Per-example statistics of one metric, to bootstrap its confidence interval (None: no CI)."""
        return None

    def write_predictions(self, predictions: Sequence[Any], examples: Sequence[Example]) -> str:
        """The leaderboard file's text (default: one prediction per line, as evaluate.py's read_label)."""
        return "".join(f"{p}\n" for p in predictions)

    def write_labels(self, examples: Sequence[Example], spec: TaskSpec) -> str:
        """The gold file in the same leaderboard layout (default: the predictions format of the labels)."""
        return self.write_predictions([e["label"] for e in examples], examples)


def special_frame(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special tokens a tokenizer puts before and after one sequence ([CLS] .. [SEP], <s> .. </s>).

    Read off an encoded sample, since transformers 5 tokenizers no longer expose
    build_inputs_with_special_tokens.
    """
    full = tokenizer("word", add_special_tokens=True)["input_ids"]
    bare = tokenizer("word", add_special_tokens=False)["input_ids"]
    for start in range(len(full) - len(bare) + 1):
        if full[start : start + len(bare)] == bare:
            return full[:start], full[start + len(bare) :]
    raise HarnessError("cannot tell where the tokenizer puts its special tokens")


def pad_batch(batch: Features, pads: dict[str, int]) -> dict[str, torch.Tensor]:
    """Right-pad the list-valued keys of `pads` to the batch's longest feature; copy scalar keys.

    Keys not in `pads` (bookkeeping such as offsets) stay out of the batch.
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


def argmax_rows(outputs: list[np.ndarray]) -> list[int]:
    """Index of the best class per example, for outputs of shape (batch, classes)."""
    return np.concatenate(outputs, axis=0).argmax(axis=-1).tolist()


class SingleLabel(Format):
    """Formats that predict one label per example (classification, multiple choice), scored by accuracy."""

    def score(
        self,
        predictions: Sequence[Any],
        examples: Sequence[Example],
        metrics: Sequence[str],
        spec: TaskSpec,
        lang: str,
    ) -> dict[str, float]:
        labels = [e["label"] for e in examples]
        return {m: _LABEL_METRICS[m](predictions, labels) for m in metrics}

    def example_stats(
        self, predictions: Sequence[Any], examples: Sequence[Example], metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if metric != "accuracy":
            return None
        return "mean", np.array([p == e["label"] for p, e in zip(predictions, examples, strict=True)], float)


_LABEL_METRICS = {"accuracy": accuracy}
