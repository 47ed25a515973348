"""Parallel sentences found by the checkpoint's own embeddings (or a fine-tuned task's encoder).

- translation_search (Tatoeba): English sentences query the other language; top-1 accuracy.
- bitext_mining (BUCC 2018): margin mining both ways, threshold tuned on dev gold, F1 over pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.batching import ExampleStats
from harness.data import SplitReader
from harness.errors import HarnessError
from harness.formats.base import LanguageOutput, TaskContext
from harness.formats.files import read_label
from harness.formats.retrieval import Embedder, Retrieval, lines, options_of
from harness.metrics import accuracy, best_threshold, bucc_f1
from harness.results import SeedRun
from harness.retrieval.mining import mine
from harness.retrieval.search import search
from harness.suites import TaskEntry
from harness.tasks.spec import TaskSpec


class TranslationSearch(Retrieval):
    """Each English sentence retrieves its nearest neighbour among the other language's sentences.

    The data are aligned (row i translates row i), so the gold answer of English sentence i is i;
    ties go to the lower index, and a duplicate retrieved at another index counts as wrong.
    Predictions and gold: one row index per English sentence.
    """

    name = "translation_search"

    def retrieve(
        self, task: TaskContext, seed: int, languages: Sequence[str], record: SeedRun, embed: Embedder
    ) -> dict[str, LanguageOutput]:
        encoder = task.encoder(seed)
        outputs = {}
        for lang in languages:
            rows = task.reader.load(task.entry.splits.test, lang).examples
            english = [row["target"].strip() for row in rows]
            other = [row["source"].strip() for row in rows]
            _, ids = search(embed(encoder, english, f"{lang} en"), embed(encoder, other, lang), 1)
            outputs[lang] = LanguageOutput(ids[:, 0].tolist(), list(range(len(rows))), rows, len(rows))
        return outputs

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        return {m: accuracy(predictions, gold) for m in metrics if m == "accuracy"}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if metric != "accuracy":
            return None
        return "mean", np.array([p == g for p, g in zip(predictions, gold, strict=True)], float)

    def read_predictions(self, path: Path, spec: TaskSpec) -> list[int]:
        return _row_indices(path)

    def read_labels(self, path: Path, spec: TaskSpec) -> list[int]:
        return _row_indices(path)

    def gold_files(self, reader: SplitReader, entry: TaskEntry, languages: Sequence[str]) -> dict[str, str]:
        return {lang: lines(range(len(reader.load(entry.splits.test, lang).examples))) for lang in languages}


def _row_indices(path: Path) -> list[int]:
    values = read_label(path)
    if not all(v.lstrip("-").isdigit() for v in values):
        raise HarnessError(f"{path}: expected one row index (an integer) per line")
    return [int(v) for v in values]


class BitextMining(Retrieval):
    """Mined pairs `source_id<TAB>target_id`, as the reference's BUCC files; F1 against the gold pairs."""

    name = "bitext_mining"
    other_splits = ("dev_source", "dev_target", "dev_gold", "test_target", "test_gold")

    def retrieve(
        self, task: TaskContext, seed: int, languages: Sequence[str], record: SeedRun, embed: Embedder
    ) -> dict[str, LanguageOutput]:
        encoder, reader, margin_k = task.encoder(seed), task.reader, options_of(task).margin_k

        def candidates(split: str, lang: str) -> list[tuple[str, float]]:
            source = reader.load(f"{split}_source", lang).examples
            target = reader.load(f"{split}_target", lang).examples
            return mine(
                [r["id"] for r in source],
                [r["text"].strip() for r in source],
                [r["id"] for r in target],
                [r["text"].strip() for r in target],
                lambda texts: embed(encoder, texts, f"{lang} {split}"),
                k=margin_k,
            )

        record.dev, outputs = {}, {}
        for lang in languages:
            dev_gold = _pairs(reader, "dev", lang)
            dev = candidates("dev", lang)
            threshold = best_threshold(dev, dev_gold)  # the dev (BUCC sample) gold tunes the threshold
            record.dev[f"{lang}.threshold"] = threshold
            record.dev[f"{lang}.f1"] = bucc_f1(dev_gold, [p for p, s in dev if s >= threshold])["f1"]
            predicted = [pair for pair, score in candidates("test", lang) if score >= threshold]
            # the reference deletes the test gold: predicted, never scored, when it is absent
            gold = sorted(_pairs(reader, "test", lang)) if reader.present("test_gold", lang) else None
            outputs[lang] = LanguageOutput(predicted, gold, [], len(predicted))
        return outputs

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        scores = bucc_f1(gold, predictions)
        return {m: scores[m] for m in metrics if m in scores}

    def read_predictions(self, path: Path, spec: TaskSpec) -> list[str]:
        predicted = read_label(path)
        odd = next((p for p in predicted if p and len(p.split("\t")) != 2), None)
        if odd is not None:
            raise HarnessError(f"{path}: expected SOURCE_ID<TAB>TARGET_ID per line, got {odd[:60]!r}")
        return predicted

    def read_labels(self, path: Path, spec: TaskSpec) -> list[str]:
        return read_label(path)

    def check_pairs(self, predictions: Any, gold: Any, prediction_file: Path, label_file: Path) -> None:
        """Mined pairs are a set: any number may be predicted."""

    def gold_files(self, reader: SplitReader, entry: TaskEntry, languages: Sequence[str]) -> dict[str, str]:
        return {
            lang: lines(sorted(_pairs(reader, "test", lang)))
            for lang in languages
            if reader.present("test_gold", lang)
        }


def _pairs(reader: SplitReader, split: str, lang: str) -> set[str]:
    return {f"{r['source_id']}\t{r['target_id']}" for r in reader.load(f"{split}_gold", lang).examples}
