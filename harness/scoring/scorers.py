"""Per task: the leaderboard file suffix and how one language's prediction and label files score.

The same metric functions score `harness eval` (from in-memory examples), so a folder written with
`--save-predictions` scores identically here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from harness.tasks import TASKS

Scorer = Callable[[Path, Path, str], dict[str, float]]


def _same_length(predictions: list, labels: list, prediction_file: Path, label_file: Path) -> None:
    if len(predictions) != len(labels):
        raise HarnessError(
            f"{prediction_file}: {len(predictions)} predictions for {len(labels)} labels in {label_file}"
        )


def _known(values: Iterable[object], allowed: Iterable[object], prediction_file: Path) -> None:
    """A prediction outside the task's labels can never be right: an error, never a quiet 0."""
    allowed = set(allowed)
    unknown = sorted({str(v) for v in values if v not in allowed})
    if unknown:
        shown = ", ".join(sorted(str(a) for a in allowed))
        raise HarnessError(f"{prediction_file}: unknown labels {', '.join(unknown[:5])}; allowed: {shown}")


def _row_indices(predictions: list[str], prediction_file: Path) -> None:
    """Tatoeba predicts, per English sentence, the row of its translation."""
    if not all(p.lstrip("-").isdigit() for p in predictions):
        raise HarnessError(f"{prediction_file}: expected one row index (an integer) per line")


def _accuracy_of(check: Callable[[list[str], Path], None]) -> Scorer:
    def score(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
        predictions, gold = read_label(prediction_file), read_label(label_file)
        _same_length(predictions, gold, prediction_file, label_file)
        check(predictions, prediction_file)
        return {"accuracy": accuracy(predictions, gold)}

    return score


def _labels_of(task: str) -> Callable[[list[str], Path], None]:
    return lambda predictions, path: _known(predictions, TASKS[task].labels, path)


def _xcopa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    predictions, labels = read_jsonl_labels(prediction_file), read_jsonl_labels(label_file)
    _same_length(predictions, labels, prediction_file, label_file)
    _known(predictions, (0, 1), prediction_file)
    return {"accuracy": accuracy(predictions, labels)}


def _tags_of(labels: tuple[str, ...]) -> Scorer:
    def score(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
        predictions = read_tag(prediction_file)
        _known((tag for sentence in predictions for tag in sentence), labels, prediction_file)
        return _tags(predictions, read_tag(label_file), prediction_file, label_file)

    return score


def _tags(
    predictions: list[list[str]], labels: list[list[str]], prediction_file: Path, label_file: Path
) -> dict[str, float]:
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


def _same_ids(predicted: Iterable[str], gold: Iterable[str], prediction_file: Path, label_file: Path) -> None:
    """Predictions keyed by ids must answer exactly the gold's ids: another file's ids would score 0
    without a word."""
    predicted, gold = set(predicted), set(gold)
    if predicted != gold:
        extra, missing = sorted(predicted - gold), sorted(gold - predicted)
        parts = [f"{len(extra)} ids not in {label_file.name} (e.g. {extra[0]})"] if extra else []
        parts += [f"{len(missing)} gold ids without a prediction (e.g. {missing[0]})"] if missing else []
        raise HarnessError(f"{prediction_file}: {'; '.join(parts)}")


def _qa(prediction_file: Path, label_file: Path) -> tuple[list[QAGold], dict[str, str]]:
    gold, answers = _questions(label_file), _answers(prediction_file)
    _same_ids(answers, (q.id for q in gold), prediction_file, label_file)
    return gold, answers


def _squad(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return squad_em_f1(*_qa(prediction_file, label_file))


def _mlqa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return mlqa_em_f1(*_qa(prediction_file, label_file), lang)


def _bucc(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    predicted = read_label(prediction_file)
    odd = next((p for p in predicted if p and len(p.split("\t")) != 2), None)
    if odd is not None:
        raise HarnessError(f"{prediction_file}: expected SOURCE_ID<TAB>TARGET_ID per line, got {odd[:60]!r}")
    return bucc_f1(read_label(label_file), predicted)


def _rankings(prediction_file: Path, label_file: Path) -> tuple[dict, dict]:
    gold, predicted = read_json(label_file), read_json(prediction_file)
    for value, path in ((gold, label_file), (predicted, prediction_file)):
        if not isinstance(value, dict):
            raise HarnessError(f"{path}: expected a JSON object {{id: [ranked ids]}}")
    _same_ids(predicted, gold, prediction_file, label_file)
    return gold, predicted


def _lareqa(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    # The reference defines no LAReQA files; the harness writes {question uid: [candidate uids]} for
    # predictions (ranked) and labels (relevant), one file per question language.
    return {"map@20": map_at_k(*_rankings(prediction_file, label_file), k=20)}


def _mewslix(prediction_file: Path, label_file: Path, lang: str) -> dict[str, float]:
    return {"mrr@20": mrr_at_k(*_rankings(prediction_file, label_file), k=20)}


@dataclass(frozen=True)
class TaskScorer:
    suffix: str
    score: Scorer


# evaluate.py's READER_FUNCTION and METRIC_FUNCTION, by task key.
SCORERS: dict[str, TaskScorer] = {
    "xnli": TaskScorer("tsv", _accuracy_of(_labels_of("xnli"))),
    "pawsx": TaskScorer("tsv", _accuracy_of(_labels_of("pawsx"))),
    "tatoeba": TaskScorer("tsv", _accuracy_of(_row_indices)),
    "xcopa": TaskScorer("jsonl", _xcopa),
    "udpos": TaskScorer("tsv", _tags_of(TASKS["udpos"].labels)),
    "panx": TaskScorer("tsv", _tags_of(TASKS["panx"].labels)),
    "xquad": TaskScorer("json", _squad),
    "tydiqa": TaskScorer("json", _squad),
    "mlqa": TaskScorer("json", _mlqa),
    "bucc2018": TaskScorer("tsv", _bucc),
    "mewslix": TaskScorer("json", _mewslix),
    "lareqa": TaskScorer("json", _lareqa),
}
