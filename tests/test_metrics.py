"""Metrics and aggregation: golden values, including the reference scorer's own mock vectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import reference_vectors

from harness.metrics import accuracy
from harness.results.aggregate import group_score, language_average, mean_over_seeds, task_score
from harness.suites import load_suite


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


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(("task", "expected"), [("xnli", 30.666666666666668), ("pawsx", 51.42857142857143)])
def test_reference_mock_vectors(task: str, expected: float) -> None:
    # evaluate_test.py's expected averages over the full XTREME language list, to the last bit.
    mock = reference_vectors()
    languages = load_suite("xtreme").tasks[task].languages
    scores = {
        lang: {
            "accuracy": accuracy(
                _lines(mock / "predictions" / task / f"test-{lang}.tsv"),
                _lines(mock / "labels" / task / f"test-{lang}.tsv"),
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


# --- tagging: seqeval 0.0.12 chunk F1 ------------------------------------------------------------

from harness.metrics import QAGold, bucc_f1, chunk_f1, mlqa_em_f1, mrr_at_k, squad_em_f1, token_accuracy  # noqa: E402
from harness.metrics.qa import mlqa_normalize, squad_normalize  # noqa: E402


@pytest.mark.parametrize(
    ("gold", "predicted", "f1", "precision", "recall"),
    [
        # POS runs of the same tag merge into one chunk: NOUN NOUN is one chunk, so F1 is not accuracy
        ([["NOUN", "NOUN", "VERB"]], [["NOUN", "ADJ", "VERB"]], 40.0, 100 / 3, 50.0),
        # tags starting with S (SCONJ, SYM) are always singletons, so they never merge
        ([["SCONJ", "SCONJ"]], [["SCONJ", "X"]], 50.0, 50.0, 50.0),
        # a tag starting with I (INTJ) continues a run of its type: INTJ INTJ is one chunk
        ([["INTJ", "INTJ"]], [["INTJ", "X"]], 0.0, 0.0, 0.0),
        # IOB2 entities
        ([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]], 50.0, 50.0, 50.0),
        # an I- tag after O opens a chunk (no B required)
        ([["B-PER", "I-PER"]], [["I-PER", "I-PER"]], 100.0, 100.0, 100.0),
        # nothing predicted: precision and F1 are 0, not undefined
        ([["B-LOC", "O"]], [["O", "O"]], 0.0, 0.0, 0.0),
    ],
)
def test_chunk_f1_golden(gold: list, predicted: list, f1: float, precision: float, recall: float) -> None:
    scores = chunk_f1(gold, predicted)
    assert scores["f1"] == pytest.approx(f1) and scores["precision"] == pytest.approx(precision)
    assert scores["recall"] == pytest.approx(recall)


def test_chunks_never_cross_sentences() -> None:
    from harness.metrics.tagging import chunks

    # an "O" closes every sentence: B-PER | I-PER are two entities, not one
    assert chunks([["B-PER"], ["I-PER"]]) == [("PER", 0, 0), ("PER", 2, 2)]
    assert chunks([["B-PER", "I-PER"]]) == [("PER", 0, 1)]


def test_pos_f1_is_not_token_accuracy() -> None:
    gold, predicted = [["NOUN", "NOUN", "VERB"]], [["NOUN", "ADJ", "VERB"]]
    assert token_accuracy(gold, predicted) == pytest.approx(200 / 3)
    assert chunk_f1(gold, predicted)["f1"] == pytest.approx(40.0)


# --- QA: SQuAD v1.1 and MLQA ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("The Cat!", "cat"),
        ("an  apple,  a pear", "apple pear"),
        ("«Paris»", "«paris»"),
        ("北京大学。", "北京大学。"),
    ],
)
def test_squad_normalization(text: str, normalized: str) -> None:
    assert squad_normalize(text) == normalized  # ASCII punctuation only; no segmentation


@pytest.mark.parametrize(
    ("text", "lang", "normalized"),
    [
        ("«Paris»", "en", "paris"),  # Unicode punctuation goes
        ("der große Hund", "de", "große hund"),
        ("el mercado", "es", "mercado"),
        ("القاهرة", "ar", "قاهرة"),  # every "ال" is removed, also inside words
        ("مدينة الإسكندرية", "ar", "مدينة إسكندرية"),
        ("北京大学。", "zh", "北 京 大 学"),  # CJK characters and punctuation are tokens
        ("iPhone 15手机", "zh", "iphone 15 手 机"),
        ("của nhà", "vi", "nhà"),
        ("भारत का", "hi", "भारत का"),  # no articles in Hindi
    ],
)
def test_mlqa_normalization(text: str, lang: str, normalized: str) -> None:
    assert mlqa_normalize(text, lang) == normalized


def test_missing_prediction_scores_zero_and_max_over_answers() -> None:
    gold = [QAGold("q1", ("the cat", "a kitten")), QAGold("q2", ("dog",))]
    scores = squad_em_f1(gold, {"q1": "Kitten"})
    assert scores == {"exact_match": 50.0, "f1": 50.0}


def test_chinese_scores_differ_between_squad_and_mlqa() -> None:
    gold = [QAGold("q", ("北京大学",))]
    assert squad_em_f1(gold, {"q": "北京"}) == {"exact_match": 0.0, "f1": 0.0}  # one "word" each
    mlqa = mlqa_em_f1(gold, {"q": "北京"}, "zh")
    assert mlqa["exact_match"] == 0.0 and mlqa["f1"] == pytest.approx(200 / 3)


def test_arabic_article_removal_only_in_mlqa() -> None:
    gold = [QAGold("q", ("القاهرة",))]
    assert mlqa_em_f1(gold, {"q": "قاهرة"}, "ar")["exact_match"] == 100.0
    assert squad_em_f1(gold, {"q": "قاهرة"})["exact_match"] == 0.0


def test_mlqa_rejects_a_language_it_has_no_rules_for() -> None:
    with pytest.raises(ValueError, match="no normalisation for language 'fr'"):
        mlqa_normalize("le chat", "fr")


# --- retrieval ------------------------------------------------------------------------------------


def test_bucc_f1_counts_pairs_as_sets() -> None:
    gold = ["de-1\ten-1", "de-2\ten-2", "de-3\ten-3", "de-4\ten-4"]
    assert bucc_f1(gold, ["de-1\ten-1", "de-1\ten-1", "de-9\ten-2"]) == {
        "f1": pytest.approx(100 * 2 * 0.5 * 0.25 / 0.75),
        "precision": 50.0,
        "recall": 25.0,
    }
    assert bucc_f1(gold, ["de-9\ten-9"]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_mrr_at_20_ignores_ranks_beyond_20_and_extra_predictions() -> None:
    gold = {"a": ["Q1"], "b": ["Q2"]}
    predicted = {"a": [f"Q{i}" for i in range(100, 120)] + ["Q1"], "b": ["Q5", "Q2"], "zzz": ["Q1"]}
    assert mrr_at_k(gold, predicted, k=20) == 25.0  # a: rank 21 -> 0; b: rank 2 -> 0.5


# --- the reference scorer's own mock vectors, every task ------------------------------------------

MOCK_EXPECTED = {
    ("xtreme", "pawsx"): {"accuracy": 51.42857142857143},
    ("xtreme", "xnli"): {"accuracy": 30.666666666666668},
    ("xtreme", "panx"): {
        "f1": 57.50793650793652,
        "precision": 54.729166666666664,
        "recall": 62.750000000000014,
    },
    ("xtreme", "udpos"): {
        "f1": 70.21746048354693,
        "precision": 71.02232625883823,
        "recall": 69.54982073976082,
    },
    ("xtreme", "bucc2018"): {"f1": 55.0, "precision": 55.0, "recall": 55.0},
    ("xtreme", "tatoeba"): {"accuracy": 53.611111111111114},
    ("xtreme", "xquad"): {"exact_match": 77.27272727272727, "f1": 79.9586776859504},
    ("xtreme", "mlqa"): {"exact_match": 57.142857142857146, "f1": 81.76870748299321},
    ("xtreme", "tydiqa"): {"exact_match": 88.88888888888889, "f1": 97.22222222222223},
    ("xtreme-r", "mewslix"): {"mrr@20": 14.39025156130419},
}


@pytest.mark.parametrize(("suite", "task"), list(MOCK_EXPECTED))
def test_harness_score_reproduces_the_reference_mock_vectors(suite: str, task: str) -> None:
    from harness.scoring import score_folders

    mock = reference_vectors()
    report = score_folders(load_suite(suite), mock / "predictions", mock / "labels")
    for metric, expected in MOCK_EXPECTED[(suite, task)].items():
        assert report.tasks[task].averages[metric] == expected, metric  # bit for bit
