"""`harness score` on the repository's own golden vectors: every metric, values derived by hand
(tests/fixtures/golden/README.md), checked on every clone."""

from __future__ import annotations

import pytest
from conftest import REPO

from harness.scoring import score_folders
from harness.suites import load_suite

GOLDEN = REPO / "tests" / "fixtures" / "golden"

EXPECTED = {
    ("xtreme", "xnli", "de"): {"accuracy": 50.0},
    ("xtreme", "pawsx", "de"): {"accuracy": 100 * 2 / 3},
    ("xtreme-r", "xcopa", "et"): {"accuracy": 80.0},
    ("xtreme", "tatoeba", "de"): {"accuracy": 50.0},
    ("xtreme", "udpos", "de"): {"precision": 60.0, "recall": 75.0, "f1": 100 * 2 / 3, "accuracy": 80.0},
    ("xtreme", "panx", "de"): {"precision": 50.0, "recall": 50.0, "f1": 50.0},
    ("xtreme", "xquad", "de"): {"exact_match": 50.0, "f1": 100 * 5 / 6},
    ("xtreme", "mlqa", "de"): {"exact_match": 50.0, "f1": 75.0},
    ("xtreme", "mlqa", "zh"): {"exact_match": 0.0, "f1": 100 * 2 / 3},
    ("xtreme", "tydiqa", "en"): {"exact_match": 0.0, "f1": 100 * 2 / 3},
    ("xtreme", "bucc2018", "de"): {"precision": 50.0, "recall": 100 / 3, "f1": 40.0},
    ("xtreme-r", "mewslix", "de"): {"mrr@20": 25.0},
    ("xtreme-r", "lareqa", "de"): {"map@20": 100 * 5 / 6},
}


@pytest.mark.parametrize(("suite", "task", "lang"), list(EXPECTED))
def test_every_metric_scores_its_hand_derived_value(suite: str, task: str, lang: str) -> None:
    report = score_folders(load_suite(suite), GOLDEN / "predictions", GOLDEN / "labels")
    scores = report.tasks[task].scores[lang]
    for metric, expected in EXPECTED[(suite, task, lang)].items():
        assert scores[metric] == pytest.approx(expected, abs=1e-9), metric
