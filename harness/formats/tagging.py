"""Token tagging (UD-POS, WikiANN NER): one label per input word, predicted on its first subword.

Sentences longer than the model's window are cut into consecutive chunks of whole words (as the
reference's preprocessing does) and the chunks' predictions are stitched back, so every input word
gets exactly one predicted tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from harness.batching import Collate, Example, ExampleStats, Features, pad_batch
from harness.errors import HarnessError
from harness.formats.base import known
from harness.formats.files import read_tag
from harness.formats.fine_tuned import FineTuned, special_frame
from harness.metrics.tagging import chunk_f1, chunks, token_accuracy
from harness.suites import Hyperparameters
from harness.tasks.spec import TaskSpec

_IGNORE = -100  # positions without a training target (later subwords, special tokens)


def gold_tags(example: Example, spec: TaskSpec) -> list[str]:
    """The example's tags as label strings (hub datasets store ClassLabel indices)."""
    tags = example.get("tags")
    if tags is None:
        raise HarnessError(f"{spec.name}: example has no gold tags")
    names = [spec.labels[t] if isinstance(t, int) else str(t) for t in tags]
    unknown = sorted(set(names) - set(spec.labels))
    if unknown:
        raise HarnessError(
            f"{spec.name}: unknown tags {', '.join(unknown)}; allowed: {', '.join(spec.labels)}"
        )
    return names


def _chunks(lengths: list[int], budget: int) -> list[tuple[int, int]]:
    """Split words (with their subword counts) into [start, end) runs of at most `budget` subwords.

    >>> _chunks([2, 2, 2, 1], 4)
    [(0, 2), (2, 4)]
    >>> _chunks([5, 1], 4)  # a word longer than the window keeps only its first subwords
    [(0, 1), (1, 2)]
    """
    spans: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, length in enumerate(lengths):
        length = min(length, budget)
        if used + length > budget and i > start:
            spans.append((start, i))
            start, used = i, 0
        used += length
    if start < len(lengths):
        spans.append((start, len(lengths)))
    return spans


class Tagging(FineTuned):
    name = "tagging"
    head = "token_classification"

    def num_labels(self, spec: TaskSpec) -> int:
        return len(spec.labels)

    def featurize(
        self, examples: Sequence[Example], tokenizer: Any, spec: TaskSpec, hp: Hyperparameters
    ) -> Features:
        if not getattr(tokenizer, "is_fast", False):
            raise HarnessError(f"{spec.name}: tagging needs a fast (Rust) tokenizer to map subwords to words")
        index = {label: i for i, label in enumerate(spec.labels)}
        prefix, suffix = special_frame(tokenizer)
        budget = hp.max_length - len(prefix) - len(suffix)
        offset = len(prefix)  # where the first word's first subword sits
        words_of = [list(e["tokens"]) for e in examples]
        encoded = tokenizer([w or [""] for w in words_of], is_split_into_words=True, add_special_tokens=False)
        features: Features = []
        for i, example in enumerate(examples):
            words = words_of[i]
            pieces: list[list[int]] = [[] for _ in words]
            for position, word in enumerate(encoded.word_ids(i)):
                if word is not None and word < len(words):
                    pieces[word].append(encoded["input_ids"][i][position])
            # A word the tokenizer drops entirely (e.g. a zero-width character) still needs a
            # prediction: it becomes one unknown token, as in the reference preprocessing.
            pieces = [p or [tokenizer.unk_token_id] for p in pieces]
            tags = [index[t] for t in gold_tags(example, spec)] if example.get("tags") is not None else None
            if tags is not None and len(tags) != len(words):
                raise HarnessError(f"{spec.name}: {len(words)} tokens but {len(tags)} tags in one sentence")
            for start, end in _chunks([len(p) for p in pieces], budget):
                ids: list[int] = []
                positions: list[int] = []
                labels: list[int] = []
                for w in range(start, end):
                    positions.append(offset + len(ids))
                    piece = pieces[w][: budget - len(ids)]
                    ids.extend(piece)
                    labels.extend([tags[w] if tags is not None else _IGNORE] + [_IGNORE] * (len(piece) - 1))
                input_ids = prefix + ids + suffix
                feature: dict[str, Any] = {
                    "input_ids": input_ids,
                    "attention_mask": [1] * len(input_ids),
                    "example_index": i,
                    "word_positions": positions,
                }
                if tags is not None:
                    full = [_IGNORE] * len(input_ids)
                    full[offset : offset + len(labels)] = labels
                    feature["labels"] = full
                features.append(feature)
        return features

    def collate(self, tokenizer: Any) -> Collate:
        pads = {"input_ids": tokenizer.pad_token_id or 0, "attention_mask": 0, "labels": _IGNORE}
        return lambda batch: pad_batch(batch, pads)

    def decode(
        self,
        outputs: list[np.ndarray],
        features: Features,
        examples: Sequence[Example],
        spec: TaskSpec,
        hp: Hyperparameters,
    ) -> list[list[str]]:
        predictions: list[list[str]] = [[] for _ in examples]
        rows = (row for batch in outputs for row in batch)
        for feature, logits in zip(features, rows, strict=True):
            best = logits[feature["word_positions"]].argmax(axis=-1)
            predictions[feature["example_index"]].extend(spec.labels[i] for i in best.tolist())
        return predictions

    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> list[list[str]]:
        return [gold_tags(e, spec) for e in examples]

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        scores = chunk_f1(gold, predictions)
        # Token accuracy (a secondary UD-POS metric the reference does not compute) needs one predicted
        # tag per gold token; without that alignment it is left out rather than guessed.
        aligned = all(len(p) == len(g) for p, g in zip(predictions, gold, strict=True))
        if "accuracy" in metrics and aligned and any(gold):
            scores["accuracy"] = token_accuracy(gold, predictions)
        return {m: scores[m] for m in metrics if m in scores}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if metric in ("f1", "precision", "recall"):
            # chunks never cross sentences: per-sentence counts sum to the corpus-level counts
            counts = []
            for g, p in zip(gold, predictions, strict=True):
                true, found = set(chunks([g])), set(chunks([p]))
                counts.append((len(true & found), len(found), len(true)))
            table = np.array(counts, float)
            if metric == "f1":
                return "f1", table
            # precision: correct / predicted chunks (XGLUE's POS score); recall: correct / gold chunks
            return "ratio", table[:, [0, 1 if metric == "precision" else 2]]
        if metric == "accuracy":
            pairs = [
                (sum(a == b for a, b in zip(g, p, strict=True)), len(g))
                for g, p in zip(gold, predictions, strict=True)
            ]
            return "ratio", np.array(pairs, float)
        return None

    def write_predictions(self, predictions: Any) -> str:
        # one tag per line, a blank line after each sentence (evaluate.py's read_tag)
        return "".join("".join(f"{tag}\n" for tag in sentence) + "\n" for sentence in predictions)

    def read_predictions(self, path: Path, spec: TaskSpec) -> list[list[str]]:
        predictions = read_tag(path)
        known((tag for sentence in predictions for tag in sentence), spec.labels, path)
        return predictions

    def read_labels(self, path: Path, spec: TaskSpec) -> list[list[str]]:
        return read_tag(path)
