"""Sentence and sentence-pair classification (XNLI, PAWS-X)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.errors import HarnessError
from harness.formats.base import Collate, Example, Features, SingleLabel, argmax_rows
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
