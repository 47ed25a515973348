"""Sentence and sentence-pair classification (XNLI, PAWS-X; XGLUE NC, QADSM, QAM and WPR).

Graded relevance (XGLUE Web Page Ranking) is classification too: the head predicts one of the 0-4
grades per (query, page) pair, and `ndcg` ranks each query's pages by that predicted grade, as the
XGLUE baseline (microsoft/Unicoder run_xglue.py, task "rel": argmax over 5 labels) and the official
scorer (XGLUE evaluation/xglue_evaluate.py) do. Examples then carry a `query` field to group by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from harness.batching import Collate, Example, ExampleStats, Features
from harness.errors import HarnessError
from harness.formats.base import known, same_length
from harness.formats.files import read_label
from harness.formats.fine_tuned import SingleLabel, argmax_rows
from harness.metrics.ranking import ndcg, query_ndcgs
from harness.suites import Hyperparameters
from harness.tasks.spec import TaskSpec


class Classification(SingleLabel):
    name = "classification"
    head = "sequence_classification"

    def num_labels(self, spec: TaskSpec) -> int:
        return len(spec.labels)

    def featurize(
        self, examples: Sequence[Example], tokenizer: Any, spec: TaskSpec, hp: Hyperparameters
    ) -> Features:
        index = {label: i for i, label in enumerate(spec.labels)}
        text_a = [e["text_a"] for e in examples]
        text_b = [e.get("text_b") for e in examples]
        pair = any(t is not None for t in text_b)
        # Pairs are truncated longest-first to max_length, as the reference's encode_plus does.
        encoded = tokenizer(text_a, text_b if pair else None, truncation=True, max_length=hp.max_length)
        features: Features = []
        for i, example in enumerate(examples):
            feature = {key: values[i] for key, values in encoded.items()}
            label = example.get("label")
            if label is not None:
                if label not in index:
                    raise HarnessError(f'{spec.name}: label "{label}" is not one of {", ".join(spec.labels)}')
                feature["labels"] = index[label]
            features.append(feature)
        return features

    def collate(self, tokenizer: Any) -> Collate:
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer, return_tensors="pt")

    def decode(
        self,
        outputs: list[np.ndarray],
        features: Features,
        examples: Sequence[Example],
        spec: TaskSpec,
        hp: Hyperparameters,
    ) -> list[str]:
        return [spec.labels[i] for i in argmax_rows(outputs)]

    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> Labels:
        queries = [e.get("query") for e in examples]
        graded = any(q is not None for q in queries)
        return Labels(
            [e["label"] for e in examples], [q if q is None else str(q) for q in queries] if graded else None
        )

    def labels(self, gold: Labels) -> list[str]:
        return gold.labels

    def score(
        self, predictions: Any, gold: Labels, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        scores = super().score(predictions, gold, metrics, spec, lang)
        if "ndcg" in metrics:
            scores["ndcg"] = ndcg(*_graded(predictions, gold, spec))
        return {m: scores[m] for m in metrics if m in scores}

    def example_stats(
        self, predictions: Any, gold: Labels, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if metric == "ndcg":  # resampled by query, the unit nDCG averages over
            return "mean", np.array(query_ndcgs(*_graded(predictions, gold, spec)))
        return super().example_stats(predictions, gold, metric, spec, lang)

    def write_labels(self, gold: Labels, examples: Sequence[Example]) -> str:
        # graded relevance keeps each pair's query beside its grade: nDCG ranks within a query
        if gold.queries is None:
            return self.write_predictions(gold.labels)
        return "".join(f"{label}\t{query}\n" for label, query in zip(gold.labels, gold.queries, strict=True))

    def read_labels(self, path: Path, spec: TaskSpec) -> Labels:
        rows = [line.split("\t", 1) for line in read_label(path)]
        if any(len(row) == 2 for row in rows):
            return Labels([row[0] for row in rows], [row[-1] for row in rows])
        return Labels([row[0] for row in rows], None)

    def read_predictions(self, path: Path, spec: TaskSpec) -> list[str]:
        predictions = read_label(path)
        known(predictions, spec.labels, path)
        return predictions

    def check_pairs(self, predictions: Any, gold: Labels, prediction_file: Path, label_file: Path) -> None:
        same_length(predictions, gold.labels, prediction_file, label_file)


@dataclass(frozen=True)
class Labels:
    """Gold labels, with the query of each (query, page) pair for graded relevance (else None)."""

    labels: list[str]
    queries: list[str | None] | None = None


def _graded(
    predictions: Sequence[Any], gold: Labels, spec: TaskSpec
) -> tuple[list[float], list[float], list[str]]:
    """(gold grades, predicted grades, query of each pair) for nDCG; labels must be numeric grades."""
    if gold.queries is None or None in gold.queries:
        raise HarnessError(f"{spec.name}: nDCG needs a query field on every example to group its pages")
    try:
        gains = [float(label) for label in gold.labels]
        scores = [float(p) for p in predictions]
    except (TypeError, ValueError):
        raise HarnessError(f"{spec.name}: nDCG needs numeric relevance grades as labels") from None
    return gains, scores, [str(q) for q in gold.queries]
