"""Multiple choice (XCOPA; its English training stages Social IQa and COPA).

Each (context, choice) pair is encoded separately and the head scores every choice; the number of
choices may differ between datasets (Social IQa 3, COPA 2) but not within one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from harness.batching import Collate, Example, Features
from harness.errors import HarnessError
from harness.formats.base import known
from harness.formats.files import read_jsonl_labels
from harness.formats.fine_tuned import SingleLabel, argmax_rows
from harness.suites import Hyperparameters
from harness.tasks.spec import TaskSpec


class MultipleChoice(SingleLabel):
    name = "multiple_choice"
    head = "multiple_choice"
    prediction_suffix = "jsonl"

    def featurize(
        self, examples: Sequence[Example], tokenizer: Any, spec: TaskSpec, hp: Hyperparameters
    ) -> Features:
        firsts = [e["context"] for e in examples for _ in e["choices"]]
        seconds = [choice for e in examples for choice in e["choices"]]
        encoded = tokenizer(firsts, seconds, truncation=True, max_length=hp.max_length)
        features: Features = []
        offset = 0
        for example in examples:
            count = len(example["choices"])
            feature = {key: values[offset : offset + count] for key, values in encoded.items()}
            offset += count
            label = example.get("label")
            if label is not None:
                if not label.isdigit() or int(label) >= count:
                    raise HarnessError(f'{spec.name}: label "{label}" is not a choice index below {count}')
                feature["labels"] = int(label)
            features.append(feature)
        return features

    def collate(self, tokenizer: Any) -> Collate:
        def collate(batch: Features) -> dict[str, Any]:
            choices = len(batch[0]["input_ids"])
            if any(len(f["input_ids"]) != choices for f in batch):
                raise HarnessError("multiple choice: examples in one batch have different numbers of choices")
            keys = [k for k in batch[0] if k != "labels"]
            flat = [{k: f[k][c] for k in keys} for f in batch for c in range(choices)]
            padded = tokenizer.pad(flat, return_tensors="pt")
            out = {k: v.view(len(batch), choices, -1) for k, v in padded.items()}
            if "labels" in batch[0]:
                out["labels"] = torch.tensor([f["labels"] for f in batch])
            return out

        return collate

    def decode(
        self,
        outputs: list[np.ndarray],
        features: Features,
        examples: Sequence[Example],
        spec: TaskSpec,
        hp: Hyperparameters,
    ) -> list[int]:
        return argmax_rows(outputs)

    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> list[int]:
        return [int(e["label"]) for e in examples]

    def write_predictions(self, predictions: Any) -> str:
        # evaluate.py's read_xcopa reads json["label"] per line
        return "".join(json.dumps({"label": int(p)}) + "\n" for p in predictions)

    def read_predictions(self, path: Path, spec: TaskSpec) -> list[int]:
        predictions = read_jsonl_labels(path)
        known(predictions, (0, 1), path)  # XCOPA's test examples have two choices
        return predictions

    def read_labels(self, path: Path, spec: TaskSpec) -> list[int]:
        return read_jsonl_labels(path)
