"""What every task format provides: how one seed of a task runs, and how its predictions score.

A format holds the behaviour of a kind of task; tasks are data (`harness.tasks`). Every format,
fine-tuned (classification, tagging, QA, multiple choice) or retrieval (mining, search, dual
encoders), answers the same questions:
- `run_seed`: predict every language of the task for one seed, using what the evaluation provides
  (`TaskContext`: data, fine-tuned models, the encoder, the training loop, progress);
- `score` / `example_stats`: metrics and their per-example statistics, from predictions and gold as
  the leaderboard files hold them, so `harness eval` (in memory) and `harness score` (from files)
  run the same code;
- `write_*` / `read_*`: the leaderboard files, test-{lang}.{prediction_suffix} (spec section 4).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from harness.errors import HarnessError

if TYPE_CHECKING:  # the registry imports this module: it stays light (no torch, no datasets)
    import torch

    from harness.batching import Collate, Example, ExampleStats, Features
    from harness.data import LoadedSplit, SplitReader
    from harness.report import Bar
    from harness.results import SeedRun
    from harness.suites import Hyperparameters, TaskEntry
    from harness.tasks.spec import TaskSpec
    from harness.training import Runtime


@dataclass
class LanguageOutput:
    """One language's predictions for one seed, with the gold they are scored against."""

    predictions: Any  # as the leaderboard file holds them: read_predictions gives the same value
    gold: Any | None  # None: the split has no gold labels (predicted, never scored)
    examples: Sequence[Example]  # what was predicted (QA's label file needs the contexts)
    count: int  # what SeedRun.examples records: examples predicted (BUCC: pairs predicted)


class TaskContext(Protocol):
    """What the evaluation gives a format to run one task (harness.evaluation.task_run)."""

    spec: TaskSpec
    entry: TaskEntry
    hp: Hyperparameters | None
    tokenizer: Any
    runtime: Runtime
    reader: SplitReader

    def features(self, split: LoadedSplit) -> Features:
        """The split featurized by the task's format (cached across seeds and runs)."""
        ...

    def fine_tuned(self, seed: int) -> tuple[torch.nn.Module, SeedRun]:
        """The task's model fine-tuned for this seed: trained now, or reused."""
        ...

    def encoder(self, seed: int) -> torch.nn.Module:
        """The encoder a retrieval task embeds with (the checkpoint's, or a fine-tuned task's)."""
        ...

    def train(
        self, model: torch.nn.Module, features: Features, collate: Collate, seed: int, record: SeedRun
    ) -> None:
        """One training stage of the shared loop on `features`, recorded in `record`."""
        ...

    def bar(self, what: str, total: int) -> Bar:
        """A progress bar named after the task and `what`."""
        ...


class Format(ABC):
    name: ClassVar[str]
    prediction_suffix: ClassVar[str] = "tsv"
    # Splits the format reads beside the suite's train, dev and test roles (`harness data check`).
    other_splits: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def run_seed(
        self, task: TaskContext, seed: int, languages: Sequence[str]
    ) -> tuple[SeedRun, dict[str, LanguageOutput]]:
        """Predict every language for one seed; the record holds training and timing, not scores."""

    @abstractmethod
    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        """The requested metrics (0-100) that the predictions allow, for one language."""

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        """Per-example statistics of one metric, to bootstrap its confidence interval (None: no CI)."""
        return None

    def write_predictions(self, predictions: Any) -> str:
        """The leaderboard file's text (default: one value per line, as evaluate.py's read_label)."""
        return "".join(f"{p}\n" for p in predictions)

    def write_labels(self, gold: Any, examples: Sequence[Example]) -> str:
        """The gold file in the same layout (default: as the predictions)."""
        return self.write_predictions(gold)

    @abstractmethod
    def read_predictions(self, path: Path, spec: TaskSpec) -> Any:
        """A predictions file, checked: a value that can never be right is an error, never a quiet 0."""

    @abstractmethod
    def read_labels(self, path: Path, spec: TaskSpec) -> Any:
        """A gold file as `write_labels` writes it."""

    def gold_files(self, reader: SplitReader, entry: TaskEntry, languages: Sequence[str]) -> dict[str, str]:
        """The text of each language's gold file, from the data alone (no model): what `harness
        leaderboard check --rescore` scores a submission against. Languages without gold are left out."""
        texts = {}
        for lang in languages:
            split = reader.load(entry.splits.test, lang)
            if split.labelled:
                texts[lang] = self.write_labels(self.gold(split.examples, reader.spec), split.examples)
        return texts

    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> Any:
        """The gold of labelled examples, as `read_labels` gives it."""
        raise NotImplementedError(f"{self.name}: gold comes with the predictions")

    def check_pairs(self, predictions: Any, gold: Any, prediction_file: Path, label_file: Path) -> None:
        """Predictions and gold files must answer the same examples (default: line by line)."""
        same_length(predictions, gold, prediction_file, label_file)


def same_length(
    predictions: Sequence[Any], gold: Sequence[Any], prediction_file: Path, label_file: Path
) -> None:
    """Predictions and labels pair up line by line: a count that differs is an error."""
    if len(predictions) != len(gold):
        raise HarnessError(
            f"{prediction_file}: {len(predictions)} predictions for {len(gold)} labels in {label_file}"
        )


def known(values: Any, allowed: Any, prediction_file: Path) -> None:
    """A prediction outside the task's labels can never be right: an error, never a quiet 0."""
    allowed = set(allowed)
    unknown = sorted({str(v) for v in values if v not in allowed})
    if unknown:
        shown = ", ".join(sorted(str(a) for a in allowed))
        raise HarnessError(f"{prediction_file}: unknown labels {', '.join(unknown[:5])}; allowed: {shown}")


def same_ids(predicted: Any, gold: Any, prediction_file: Path, label_file: Path) -> None:
    """Predictions keyed by ids must answer exactly the gold's ids: another file's ids would score 0
    without a word."""
    predicted, gold = set(predicted), set(gold)
    if predicted != gold:
        extra, missing = sorted(predicted - gold), sorted(gold - predicted)
        parts = [f"{len(extra)} ids not in {label_file.name} (e.g. {extra[0]})"] if extra else []
        parts += [f"{len(missing)} gold ids without a prediction (e.g. {missing[0]})"] if missing else []
        raise HarnessError(f"{prediction_file}: {'; '.join(parts)}")
