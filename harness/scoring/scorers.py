"""Per task: the leaderboard file suffix and how one language's prediction and label files score.

The same metric functions score `harness eval` (from in-memory examples), so a folder written with
`--save-predictions` scores identically here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.metrics import (
    QAGold,
    accuracy,
    bucc_f1,
    chunk_f1,
    map_at_k,
    mlqa_em_f1,
    mrr_at_k,
    squad_em_f1,
    token_accuracy,
)
from harness.scoring.layout import read_json, read_jsonl_labels, read_label, read_tag

Scorer = Callable[[Path, Path, str], dict[str, float]]


def _same_length(predictions: list, labels: list, prediction_file: Path, label_file: Path) -> None:
    if len(predictions) != len(labels):
        raise HarnessError(
            f"{prediction_file}: {len(predictions)} predictions for {len(labels)} labels in {label_file}"
        )


def _accuracy(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    predictions, labels = read_label(prediction_file), read_label(label_file)
    _same_length(predictions, labels, prediction_file, label_file)
    return {"accuracy": accuracy(predictions, labels)}


def _xcopa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    predictions, labels = read_jsonl_labels(prediction_file), read_jsonl_labels(label_file)
    _same_length(predictions, labels, prediction_file, label_file)
    return {"accuracy": accuracy(predictions, labels)}


def _tags(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    predictions, labels = read_tag(prediction_file), read_tag(label_file)
    _same_length(predictions, labels, prediction_file, label_file)
    scores = chunk_f1(labels, predictions)
    # Token accuracy (a secondary UD-POS metric the reference does not compute) needs one predicted
    # tag per gold token; without that alignment it is left out rather than guessed.
    if all(len(p) == len(g) for p, g in zip(predictions, labels, strict=True)) and any(labels):
        scores["accuracy"] = token_accuracy(labels, predictions)
    return scores


def _questions(label_file: Path) -> list[QAGold]:
    articles = read_json(label_file)
    try:
        return [
            QAGold(qa["id"], tuple(answer["text"] for answer in qa["answers"]))
            for article in articles
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
    except (KeyError, TypeError):
        raise HarnessError(
            f"{label_file}: expected SQuAD v1.1 format (data/paragraphs/qas/answers)"
        ) from None


def _answers(prediction_file: Path) -> dict[str, str]:
    answers = read_json(prediction_file)
    if not isinstance(answers, dict):
        raise HarnessError(f"{prediction_file}: expected a JSON object {{question id: answer text}}")
    return answers


def _squad(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return squad_em_f1(_questions(label_file), _answers(prediction_file))


def _mlqa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return mlqa_em_f1(_questions(label_file), _answers(prediction_file), lang)


def _bucc(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return bucc_f1(read_label(label_file), read_label(prediction_file))


def _lareqa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    # The reference defines no LAReQA files; the harness writes {question uid: [candidate uids]} for
    # predictions (ranked) and labels (relevant), one file per question language.
    return {"map@20": map_at_k(read_json(label_file), read_json(prediction_file), k=20)}


def _mewslix(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return {"mrr@20": mrr_at_k(read_json(label_file), read_json(prediction_file), k=20)}


@dataclass(frozen=True)
class TaskScorer:
    suffix: str
    score: Scorer


# evaluate.py's READER_FUNCTION and METRIC_FUNCTION, by task key.
SCORERS: dict[str, TaskScorer] = {
    "xnli": TaskScorer("tsv", _accuracy),
    "pawsx": TaskScorer("tsv", _accuracy),
    "tatoeba": TaskScorer("tsv", _accuracy),
    "xcopa": TaskScorer("jsonl", _xcopa),
    "udpos": TaskScorer("tsv", _tags),
    "panx": TaskScorer("tsv", _tags),
    "xquad": TaskScorer("json", _squad),
    "tydiqa": TaskScorer("json", _squad),
    "mlqa": TaskScorer("json", _mlqa),
    "bucc2018": TaskScorer("tsv", _bucc),
    "mewslix": TaskScorer("json", _mewslix),
    "lareqa": TaskScorer("json", _lareqa),
}
