"""Metrics and aggregation: golden values, including the reference scorer's own mock vectors."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from conftest import REFERENCE

import harness.metrics.classification
import harness.results.aggregate
from harness.metrics import accuracy
from harness.results.aggregate import group_score, language_average, mean_over_seeds, task_score
from harness.suites import load_suite

MOCK = REFERENCE / "xtreme-mock-vectors"


@pytest.mark.parametrize(
    ("predictions", "labels", "expected"),
    [
        (["entailment"], ["entailment"], 100.0),
        (["0", "1", "1", "0"], ["0", "1", "0", "0"], 75.0),
        (["a", "b", "c"], ["a", "x", "x"], 100 / 3),
        ([0, 1], [1, 0], 0.0),
        (["Entailment"], ["entailment"], 0.0),  # no normalisation: exact string comparison
        (["1"], [1], 0.0),  # types are not coerced either (labels are strings past the data layer)
    ],
)
def test_accuracy_golden(predictions: list, labels: list, expected: float) -> None:
    assert accuracy(predictions, labels) == pytest.approx(expected, abs=1e-12)


def test_accuracy_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="2 predictions for 1 labels"):
        accuracy(["a", "b"], ["a"])


@pytest.mark.parametrize("module", [harness.metrics.classification, harness.results.aggregate])
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.skipif(not MOCK.is_dir(), reason="reference mock vectors not present next to the repository")
@pytest.mark.parametrize(("task", "expected"), [("xnli", 30.666666666666668), ("pawsx", 51.42857142857143)])
def test_reference_mock_vectors(task: str, expected: float) -> None:
    # evaluate_test.py's expected averages over the full XTREME language list, to the last bit.
    languages = load_suite("xtreme").tasks[task].languages
    scores = {
        lang: {
            "accuracy": accuracy(
                _lines(MOCK / "predictions" / task / f"test-{lang}.tsv"),
                _lines(MOCK / "labels" / task / f"test-{lang}.tsv"),
            )
        }
        for lang in languages
    }
    assert language_average(scores, languages, "accuracy") == expected


def test_task_average_uses_the_full_language_list() -> None:
    scores = {"de": {"accuracy": 80.0}, "fr": {"accuracy": 60.0}}
    assert language_average(scores, ["de", "fr"], "accuracy") == 70.0
    assert language_average(scores, ["de", "fr", "zh"], "accuracy") is None  # never a smaller average


def test_qa_score_and_overall_are_means_of_task_scores() -> None:
    assert task_score({"exact_match": 70.0, "f1": 80.0}, ["exact_match", "f1"]) == 75.0
    assert task_score({"exact_match": None, "f1": 80.0}, ["exact_match", "f1"]) is None
    # The XTREME score is the mean of task scores, not of category means.
    tasks = {"a": 90.0, "b": 70.0, "c": 50.0}
    assert group_score(tasks, ["a", "b", "c"]) == 70.0
    assert group_score(tasks, ["a", "b", "c", "d"]) is None


def test_mean_over_seeds() -> None:
    per_seed = [{"de": {"accuracy": 50.0}}, {"de": {"accuracy": 70.0}}]
    assert mean_over_seeds(per_seed) == {"de": {"accuracy": 60.0}}
