"""What the retrieval formats share (spec 3.9-3.12): embedding with one progress bar per seed, the
seed's timing, and files of rankings.

- bitext_mining (BUCC 2018) and translation_search (Tatoeba): harness.formats.bitext
- entity_linking (Mewsli-X) and answer_retrieval (LAReQA): harness.formats.dual_encoders
"""

from __future__ import annotations

import json
import re
import time
from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from harness.errors import HarnessError
from harness.formats.base import Format, LanguageOutput, TaskContext, same_ids
from harness.formats.files import read_json
from harness.report import Bar
from harness.results import SeedRun
from harness.retrieval.encode import embed
from harness.suites import RetrievalOptions


class Embedder:
    """Embeds texts for one seed of a task, on one progress bar that grows with each pass.

    A format embeds in several passes whose sizes are only known as they come; one bar per seed
    keeps the whole task's work on one line that stays after the run. The bar is made on first use:
    the encoder may first be fine-tuned under bars of its own, whose time a bar started earlier
    would count as embedding.
    """

    def __init__(self, task: TaskContext, seed: int, options: RetrievalOptions):
        self.task, self.seed, self.options = task, seed, options
        self.embedded = 0  # texts embedded so far: the bar's total
        self.progress: Bar | None = None

    def __call__(self, model: torch.nn.Module, texts: Sequence[str], what: str) -> torch.Tensor:
        bar = self.progress = self.progress or self.task.bar(f"seed {self.seed}: embed", 0)
        self.embedded += len(texts)
        bar.set_total(self.embedded)
        bar.advance(0, what)
        return embed(
            model,
            self.task.tokenizer,
            texts,
            self.options.representation,
            self.task.runtime,
            lambda n: bar.advance(n, what),
        )

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()


def options_of(task: TaskContext) -> RetrievalOptions:
    options = task.entry.retrieval
    if options is None:  # suites.py refuses a retrieval task without them
        raise HarnessError(f"{task.spec.name}: a retrieval task needs retrieval options in the suite")
    return options


class Retrieval(Format):
    """Formats that predict by embedding: the encoder as given, a fine-tuned task's, or a dual encoder."""

    def run_seed(
        self, task: TaskContext, seed: int, languages: Sequence[str]
    ) -> tuple[SeedRun, dict[str, LanguageOutput]]:
        options = options_of(task)
        record = SeedRun(seed=seed, trained_by=options.encoder_from)
        started = time.perf_counter()
        embedder = Embedder(task, seed, options)
        try:
            outputs = self.retrieve(task, seed, languages, record, embedder)
        finally:
            embedder.close()
        record.predict_seconds = time.perf_counter() - started - record.train_seconds
        return record, outputs

    @abstractmethod
    def retrieve(
        self, task: TaskContext, seed: int, languages: Sequence[str], record: SeedRun, embed: Embedder
    ) -> dict[str, LanguageOutput]:
        """Every language's predictions (and gold, where the data hold it) for one seed."""


def cutoff(metric: str) -> int:
    """The k of a ranking metric named `name@k` (suites.py checks that it is the search's top_k).

    >>> cutoff("mrr@20")
    20
    """
    found = re.fullmatch(r"\w+@(\d+)", metric)
    if found is None:
        raise HarnessError(f"{metric}: a ranking metric names its cutoff, as in mrr@20")
    return int(found.group(1))


class Rankings(Retrieval):
    """Retrieval scored on ranked lists: predictions {query id: [candidate ids]} and gold {query id:
    [relevant ids]}, one JSON object per file (the reference defines the Mewsli-X files; LAReQA's
    are the harness's own, in the same shape)."""

    prediction_suffix = "json"

    def write_predictions(self, predictions: Any) -> str:
        return json.dumps(predictions, ensure_ascii=False) + "\n"

    def read_predictions(self, path: Path, spec: Any) -> dict[str, list[str]]:
        return _rankings(path)

    def read_labels(self, path: Path, spec: Any) -> dict[str, list[str]]:
        return _rankings(path)

    def check_pairs(self, predictions: Any, gold: Any, prediction_file: Path, label_file: Path) -> None:
        same_ids(predictions, gold, prediction_file, label_file)


def _rankings(path: Path) -> dict[str, list[str]]:
    value = read_json(path)
    if not isinstance(value, dict):
        raise HarnessError(f"{path}: expected a JSON object {{id: [ranked ids]}}")
    return value


def lines(values: Sequence[Any]) -> str:
    return "".join(f"{v}\n" for v in values)
