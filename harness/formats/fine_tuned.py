"""Formats whose model is fine-tuned with a task head: featurize, collate, decode, then score.

One seed of such a task: the model fine-tuned on English (or reused), scored on the dev split, then
every target language predicted. The shared loops (`harness.training`) move batches through the
model; what depends on the kind of task is here and in the subclasses.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from harness.batching import Collate, Example, ExampleStats, Features
from harness.data import LoadedSplit
from harness.errors import HarnessError
from harness.formats.base import Format, LanguageOutput, TaskContext
from harness.metrics import accuracy
from harness.models import Head
from harness.results import SeedRun, Throughput
from harness.suites import Hyperparameters, TaskEntry
from harness.tasks.spec import TaskSpec
from harness.training import predict_outputs
from harness.training.throughput import Meter, reset_peak_memory, summarize


def dev_language(entry: TaskEntry) -> str:
    """The language of the dev split that selects the model (English unless the suite says)."""
    return entry.selection.language if entry.selection else "en"


class FineTuned(Format):
    head: ClassVar[Head]

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

    def as_predictions(self, decoded: list[Any], examples: Sequence[Example]) -> Any:
        """Decoded predictions as the leaderboard file holds them (default: one per example)."""
        return decoded

    @abstractmethod
    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> Any: ...

    def predict(
        self,
        task: TaskContext,
        model: torch.nn.Module,
        split: LoadedSplit,
        features: Features,
        on_batch: Callable[[int], None] | None = None,
        meter: Meter | None = None,
    ) -> Any:
        assert task.hp is not None
        outputs = predict_outputs(
            model,
            features,
            self.collate(task.tokenizer),
            task.hp.eval_batch_size,
            task.runtime,
            self.outputs,
            on_batch,
            meter=meter,
        )
        return self.as_predictions(
            self.decode(outputs, features, split.examples, task.spec, task.hp), split.examples
        )

    def dev_scores(
        self, task: TaskContext, model: torch.nn.Module, metrics: Sequence[str]
    ) -> dict[str, float]:
        """The model's scores on the task's dev split (model selection, and the record)."""
        lang = dev_language(task.entry)
        assert task.entry.splits.dev is not None
        split = task.reader.load(task.entry.splits.dev, lang)
        predictions = self.predict(task, model, split, task.features(split))
        return self.score(predictions, self.gold(split.examples, task.spec), metrics, task.spec, lang)

    def run_seed(
        self, task: TaskContext, seed: int, languages: Sequence[str]
    ) -> tuple[SeedRun, dict[str, LanguageOutput]]:
        model, record = task.fine_tuned(seed)
        if task.entry.splits.dev:
            record.dev = self.dev_scores(task, model, task.entry.metrics)
        tests = {lang: task.reader.load(task.entry.splits.test, lang) for lang in languages}
        features = {lang: task.features(split) for lang, split in tests.items()}
        outputs: dict[str, LanguageOutput] = {}
        started, meter = time.perf_counter(), Meter()
        reset_peak_memory(task.runtime.device)
        bar = task.bar(f"seed {seed}: predict", sum(len(f) for f in features.values()))
        try:
            for lang, split in tests.items():
                predictions = self.predict(task, model, split, features[lang], bar.advance, meter)
                gold = self.gold(split.examples, task.spec) if split.labelled else None
                outputs[lang] = LanguageOutput(predictions, gold, split.examples, len(split.examples))
        finally:
            bar.close()
        record.predict_seconds = time.perf_counter() - started
        record.predict_throughput = Throughput(**summarize(meter, model, task.runtime, training=False))
        return record, outputs


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


def argmax_rows(outputs: list[np.ndarray]) -> list[int]:
    """Index of the best class per example, for outputs of shape (batch, classes)."""
    return np.concatenate(outputs, axis=0).argmax(axis=-1).tolist()


class SingleLabel(FineTuned):
    """Formats that predict one label per example (classification, multiple choice), scored by accuracy.

    Predictions and gold are lists of labels, one per example.
    """

    def labels(self, gold: Any) -> list[Any]:
        return list(gold)

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        labels = self.labels(gold)
        return {m: _LABEL_METRICS[m](predictions, labels) for m in metrics if m in _LABEL_METRICS}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if metric != "accuracy":
            return None
        hits = [p == g for p, g in zip(predictions, self.labels(gold), strict=True)]
        return "mean", np.array(hits, float)


_LABEL_METRICS = {"accuracy": accuracy}
