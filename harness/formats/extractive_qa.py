"""Extractive QA (XQuAD, MLQA, TyDiQA-GoldP): SQuAD-style windows, n-best span decoding.

Windows follow the reference's run_squad.py: the question is cut to `max_query_length` tokens, the
context is read in windows that advance by `doc_stride` tokens, and a candidate start token only
counts in the window where it has the most context on both sides. Answers are cut from the original
context with the tokenizer's character offsets (never detokenized subwords).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import regex
import torch

from harness.batching import Collate, Example, ExampleStats, Features, pad_batch
from harness.errors import HarnessError
from harness.formats.base import same_ids
from harness.formats.files import read_json
from harness.formats.fine_tuned import FineTuned
from harness.metrics.qa import QAGold, mlqa_em_f1, mlqa_per_question, squad_em_f1, squad_per_question
from harness.suites import Hyperparameters, QAOptions
from harness.tasks.spec import TaskSpec


def _question(tokenizer: Any, question: str, limit: int) -> str:
    """The question cut after its `limit`-th token (run_squad.py's max_query_length)."""
    encoded = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    if len(encoded["input_ids"]) <= limit:
        return question
    return question[: encoded["offset_mapping"][limit - 1][1]]


def _answer_tokens(offsets: list[tuple[int, int] | None], start: int, end: int) -> tuple[int, int]:
    """Token span covering characters [start, end) inside this window, or (0, 0) when outside it."""
    context = [i for i, o in enumerate(offsets) if o is not None]
    if not context or start < offsets[context[0]][0] or end > offsets[context[-1]][1]:  # type: ignore[index]
        return 0, 0  # the reference points an answer outside the window at the first (CLS) token
    first = next(i for i in context if offsets[i][1] > start)  # type: ignore[index]
    last = next(i for i in reversed(context) if offsets[i][0] < end)  # type: ignore[index]
    return first, last


class ExtractiveQA(FineTuned):
    name = "extractive_qa"
    head = "question_answering"
    prediction_suffix = "json"

    def featurize(
        self, examples: Sequence[Example], tokenizer: Any, spec: TaskSpec, hp: Hyperparameters
    ) -> Features:
        if not getattr(tokenizer, "is_fast", False):
            raise HarnessError(
                f"{spec.name}: extractive QA needs a fast (Rust) tokenizer for character offsets"
            )
        qa = hp.qa or QAOptions()
        added = tokenizer.num_special_tokens_to_add(pair=True)
        features: Features = []
        for index, example in enumerate(examples):
            question = _question(tokenizer, example["question"], qa.max_query_length)
            question_length = len(tokenizer(question, add_special_tokens=False)["input_ids"])
            window = hp.max_length - question_length - added
            if window <= qa.doc_stride:
                raise HarnessError(
                    f"{spec.name}: max_length {hp.max_length} leaves {window} context tokens per window, "
                    f"not more than doc_stride {qa.doc_stride}"
                )
            # transformers' `stride` is the overlap between windows; the reference's doc_stride is
            # how far a window advances: overlap = window - doc_stride.
            encoded = tokenizer(
                question,
                example["context"],
                truncation="only_second",
                max_length=hp.max_length,
                stride=window - qa.doc_stride,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
            answers = example.get("answers")
            for j in range(len(encoded["input_ids"])):
                sequence = encoded.sequence_ids(j)
                offsets = [
                    tuple(o) if s == 1 else None
                    for o, s in zip(encoded["offset_mapping"][j], sequence, strict=True)
                ]
                feature: dict[str, Any] = {
                    key: encoded[key][j]
                    for key in ("input_ids", "attention_mask", "token_type_ids")
                    if key in encoded
                }
                feature.update(example_index=index, offsets=offsets)
                if answers is not None and answers["text"]:
                    start = answers["answer_start"][0]
                    feature["start_positions"], feature["end_positions"] = _answer_tokens(
                        offsets, start, start + len(answers["text"][0])
                    )
                features.append(feature)
        return features

    def collate(self, tokenizer: Any) -> Collate:
        pads = {
            "input_ids": tokenizer.pad_token_id or 0,
            "attention_mask": 0,
            "token_type_ids": 0,
            "start_positions": 0,
            "end_positions": 0,
        }
        return lambda batch: pad_batch(batch, pads)

    def outputs(self, output: Any) -> torch.Tensor:
        return torch.stack([output.start_logits, output.end_logits], dim=-1)

    def decode(
        self,
        outputs: list[np.ndarray],
        features: Features,
        examples: Sequence[Example],
        spec: TaskSpec,
        hp: Hyperparameters,
    ) -> list[str]:
        qa = hp.qa or QAOptions()
        max_context = _max_context(features)
        best: dict[int, tuple[float, str]] = {}
        rows = (row for batch in outputs for row in batch)
        for number, (feature, logits) in enumerate(zip(features, rows, strict=True)):
            offsets = feature["offsets"]
            length = len(offsets)
            start_logits, end_logits = logits[:length, 0], logits[:length, 1]
            # stable sort: ties keep the earlier token, as sorted(..., reverse=True) in the reference
            starts = np.argsort(-start_logits, kind="stable")[: qa.n_best_size].tolist()
            ends = np.argsort(-end_logits, kind="stable")[: qa.n_best_size].tolist()
            context = examples[feature["example_index"]]["context"]
            for s in starts:
                if offsets[s] is None or not max_context[number].get(s, False):
                    continue
                for e in ends:
                    if offsets[e] is None or e < s or e - s + 1 > qa.max_answer_length:
                        continue
                    score = float(start_logits[s] + end_logits[e])
                    index = feature["example_index"]
                    if index not in best or score > best[index][0]:
                        best[index] = (score, whole_graphemes(context, offsets[s][0], offsets[e][1]))
        return [best[i][1] if i in best else "" for i in range(len(examples))]

    def as_predictions(self, decoded: list[Any], examples: Sequence[Example]) -> dict[str, str]:
        return {e["id"]: answer for e, answer in zip(examples, decoded, strict=True)}

    def gold(self, examples: Sequence[Example], spec: TaskSpec) -> list[QAGold]:
        return [QAGold(e["id"], tuple(e["answers"]["text"])) for e in examples]

    def score(
        self, predictions: Any, gold: Any, metrics: Sequence[str], spec: TaskSpec, lang: str
    ) -> dict[str, float]:
        if spec.answer_normalization == "mlqa":
            scores = mlqa_em_f1(gold, predictions, lang)
        else:
            scores = squad_em_f1(gold, predictions)
        return {m: scores[m] for m in metrics if m in scores}

    def example_stats(
        self, predictions: Any, gold: Any, metric: str, spec: TaskSpec, lang: str
    ) -> ExampleStats | None:
        if spec.answer_normalization == "mlqa":
            per_question = mlqa_per_question(gold, predictions, lang)
        else:
            per_question = squad_per_question(gold, predictions)
        return ("mean", np.array(per_question[metric], float)) if metric in per_question else None

    def write_predictions(self, predictions: Any) -> str:
        # {question id: answer text}, evaluate.py's read_squad
        return json.dumps(predictions, ensure_ascii=False, indent=0) + "\n"

    def write_labels(self, gold: Any, examples: Sequence[Example]) -> str:
        return json.dumps(squad_file(examples), ensure_ascii=False) + "\n"

    def read_predictions(self, path: Path, spec: TaskSpec) -> dict[str, str]:
        answers = read_json(path)
        if not isinstance(answers, dict):
            raise HarnessError(f"{path}: expected a JSON object {{question id: answer text}}")
        return answers

    def read_labels(self, path: Path, spec: TaskSpec) -> list[QAGold]:
        articles = read_json(path)
        try:
            return [
                QAGold(qa["id"], tuple(answer["text"] for answer in qa["answers"]))
                for article in articles
                for paragraph in article["paragraphs"]
                for qa in paragraph["qas"]
            ]
        except (KeyError, TypeError):
            raise HarnessError(f"{path}: expected SQuAD v1.1 format (data/paragraphs/qas/answers)") from None

    def check_pairs(self, predictions: Any, gold: Any, prediction_file: Path, label_file: Path) -> None:
        same_ids(predictions, (q.id for q in gold), prediction_file, label_file)


def squad_file(examples: Sequence[Example]) -> dict[str, Any]:
    """Gold examples as a SQuAD v1.1 file, one paragraph per question (as XQuAD's download layout)."""
    articles = [
        {
            "title": e.get("title", ""),
            "paragraphs": [
                {
                    "context": e["context"],
                    "qas": [
                        {
                            "id": e["id"],
                            "question": e["question"],
                            "answers": [
                                {"text": text, "answer_start": start}
                                for text, start in zip(
                                    e["answers"]["text"], e["answers"]["answer_start"], strict=True
                                )
                            ],
                        }
                    ],
                }
            ],
        }
        for e in examples
    ]
    return {"version": "1.1", "data": articles}


def whole_graphemes(context: str, start: int, end: int) -> str:
    """The answer context[start:end], its end moved to the next grapheme boundary.

    Tokenizers that drop combining marks (Devanagari and Thai vowel signs, for one) give offsets
    that end inside a grapheme cluster; the answer then loses its last vowel sign.

    >>> whole_graphemes("वे गए थे।", 3, 7)
    'गए थे'
    """
    if end >= len(context) or not _continues(context, end):
        return context[start:end]
    for cluster in regex.finditer(r"\X", context, pos=max(0, start)):
        if cluster.start() < end < cluster.end():
            return context[start : cluster.end()]
        if cluster.start() >= end:
            break
    return context[start:end]


def _continues(context: str, index: int) -> bool:
    """Whether the character at `index` belongs to the grapheme cluster before it."""
    cluster = regex.match(r"\X", context, pos=max(0, index - 1))
    return cluster is not None and cluster.end() > index


def _max_context(features: Features) -> list[dict[int, bool]]:
    """For each window, which of its context tokens have the most context in this window.

    A token's context in a window is min(tokens left of it, tokens right of it) + 0.01 x window
    length; among the windows of one example holding the token, the first with the highest value
    wins (run_squad.py's _check_is_max_context).
    """
    by_example: dict[int, list[int]] = {}
    for number, feature in enumerate(features):
        by_example.setdefault(feature["example_index"], []).append(number)
    result: list[dict[int, bool]] = [{} for _ in features]
    for numbers in by_example.values():
        # a context token is identified across windows by its character span in the context
        windows = {
            n: [(o, i) for i, o in enumerate(features[n]["offsets"]) if o is not None] for n in numbers
        }
        rank = {
            span: r for r, span in enumerate(sorted({o for tokens in windows.values() for o, _ in tokens}))
        }
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for number in numbers:
            tokens = windows[number]
            if not tokens:
                continue
            first, length = rank[tokens[0][0]], len(tokens)
            for span, _ in tokens:
                value = min(rank[span] - first, first + length - 1 - rank[span]) + 0.01 * length
                if span not in best or value > best[span][0]:
                    best[span] = (value, number)
        for number in numbers:
            result[number] = {token: best[span][1] == number for span, token in windows[number]}
    return result
