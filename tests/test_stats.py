"""Seed spread and bootstrap intervals; the tokenization cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.evaluation.summary import summarize
from harness.metrics import chunk_f1
from harness.results import SeedRun
from harness.results.stats import interval, metric_of, replicates, seed_std
from harness.suites import load_suite


@pytest.mark.parametrize(
    ("kind", "stats", "expected"),
    [
        ("mean", [1, 0, 1, 1], 75.0),
        ("ratio", [[3, 4], [1, 4]], 50.0),  # 4 correct tokens of 8
        ("f1", [[1, 2, 2], [1, 1, 2]], 100 * 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5)),  # P 2/3, R 2/4
        ("f1", [[0, 0, 3]], 0.0),  # nothing predicted
    ],
)
def test_metric_from_example_statistics(kind: str, stats: list, expected: float) -> None:
    assert metric_of(kind, np.array(stats, float)) == pytest.approx(expected)  # type: ignore[arg-type]


def test_per_sentence_f1_counts_reproduce_corpus_f1() -> None:
    from harness.metrics.tagging import chunks

    gold = [["B-PER", "I-PER", "O"], ["NOUN", "NOUN"], ["B-LOC"]]
    pred = [["B-PER", "O", "O"], ["NOUN", "VERB"], ["B-LOC"]]
    counts = [
        (len(set(chunks([g])) & set(chunks([p]))), len(set(chunks([p]))), len(set(chunks([g]))))
        for g, p in zip(gold, pred, strict=True)
    ]
    assert metric_of("f1", np.array(counts, float)) == pytest.approx(chunk_f1(gold, pred)["f1"])


def test_bootstrap_is_reproducible_and_shared_across_seeds() -> None:
    seed_a = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1], float)
    seed_b = 1 - seed_a  # the exact opposite: the mean over seeds is 50 in every replicate
    samples = replicates("mean", [seed_a, seed_b], np.random.default_rng(0))
    assert np.allclose(samples, 50.0)
    one = interval(replicates("mean", [seed_a], np.random.default_rng(0)))
    assert one == interval(replicates("mean", [seed_a], np.random.default_rng(0)))
    assert one[0] < 70.0 < one[1]


def test_seed_std() -> None:
    assert seed_std([1.0, 3.0]) == pytest.approx(np.sqrt(2.0)) and seed_std([5.0]) is None


def test_summary_spread_of_languages_and_the_task_average() -> None:
    entry = load_suite("sample").tasks["pawsx"].model_copy(update={"languages": ["de", "fr"]})
    runs = [
        SeedRun(seed=1, scores={"de": {"accuracy": 60.0}, "fr": {"accuracy": 80.0}}),
        SeedRun(seed=2, scores={"de": {"accuracy": 40.0}, "fr": {"accuracy": 80.0}}),
    ]
    hits = {
        "de": [np.array([1, 1, 1, 0, 0], float), np.array([1, 1, 0, 0, 0], float)],
        "fr": [np.array([1, 1, 1, 1, 0], float)] * 2,
    }
    stats = [{lang: {"accuracy": ("mean", hits[lang][i])} for lang in hits} for i in range(2)]
    summary = summarize("pawsx", entry, runs, stats)
    assert summary.scores == {"de": {"accuracy": 50.0}, "fr": {"accuracy": 80.0}}
    de = summary.spread["de"]["accuracy"]
    assert de.mean == 50.0 and de.std == pytest.approx(np.std([60, 40], ddof=1)) and de.ci95 is not None
    average = summary.average_spread["accuracy"]
    assert average.mean == 65.0 and average.std == pytest.approx(np.std([70, 60], ddof=1))
    low, high = average.ci95  # type: ignore[misc]
    assert low <= 65.0 <= high


def test_a_languages_interval_does_not_depend_on_the_other_languages() -> None:
    """One bootstrap stream per (task, language, metric): French gets the same interval whether
    German ran before it or not."""
    suite = load_suite("sample")
    draw = np.random.default_rng(7)
    # per-example F1-like values in [0, 1]: fine enough that two streams give two intervals
    hits = {"de": draw.random(300), "fr": draw.random(400)}

    def french(languages: list[str]) -> tuple[float, float] | None:
        entry = suite.tasks["pawsx"].model_copy(update={"languages": languages})
        run = SeedRun(seed=1, scores={lang: {"accuracy": 100 * hits[lang].mean()} for lang in languages})
        stats = [{lang: {"accuracy": ("mean", hits[lang])} for lang in languages}]
        return summarize("pawsx", entry, [run], stats).spread["fr"]["accuracy"].ci95

    assert french(["de", "fr"]) == french(["fr"]) is not None


def test_feature_cache_builds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.evaluation.feature_cache import cached_features

    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path))
    calls = []

    def build() -> list[dict]:
        calls.append(1)
        return [{"input_ids": [1, 2, 3], "offsets": [None, (0, 4)], "example_index": 0}]

    first = cached_features(build, tokenizer="t", data={"revision_used": "sha256:1"}, max_length=128)
    second = cached_features(build, tokenizer="t", data={"revision_used": "sha256:1"}, max_length=128)
    assert first == second and len(calls) == 1
    cached_features(build, tokenizer="t", data={"revision_used": "sha256:2"}, max_length=128)  # new data
    cached_features(build, tokenizer="t", data={"revision_used": "sha256:1"}, max_length=64)  # new length
    assert len(calls) == 3
    from harness.evaluation.store import key_of

    identity = {"tokenizer": "t", "data": {"revision_used": "sha256:1"}, "max_length": 128}
    (tmp_path / "features" / f"{key_of(**identity)}.pt").write_bytes(b"damaged")
    assert cached_features(build, **identity) == first and len(calls) == 4  # a damaged entry is rebuilt
