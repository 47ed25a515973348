"""XGLUE: the suite's protocol, its tasks on hand-written hub-layout data, nDCG and POS scoring, the
Unicoder baseline and a tiny end-to-end run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO
from typer.testing import CliRunner

from harness.cli import app
from harness.data import DataOptions, load_split
from harness.errors import HarnessError
from harness.leaderboard.baselines import baseline_overall, baseline_task_score, load_baselines
from harness.metrics.ranking import ndcg, query_ndcg, query_ndcgs
from harness.metrics.tagging import chunk_f1, token_accuracy
from harness.results import read_results
from harness.results.stats import metric_of
from harness.suites import load_suite
from harness.tasks import TASKS, HubSource

FIXTURE_SUITE = Path(__file__).parent / "fixtures" / "xglue-sample.yaml"
runner = CliRunner()

# microsoft/XGLUE evaluation/xglue_evaluate.py (dc5bf71): task2lg and the metric of each task, typed in
# independently of suites/xglue.yaml; (languages, reported metrics, task score metrics).
XGLUE = {
    "xglue_ner": ("de en es nl", "f1, precision, recall", "f1"),
    "xglue_pos": (
        "ar bg de el en es fr hi it nl pl pt ru th tr ur vi zh",
        "precision, accuracy",
        "precision",
    ),
    "xglue_nc": ("de en es fr ru", "accuracy", "accuracy"),
    "xglue_mlqa": ("ar de en es hi vi zh", "f1, exact_match", "f1"),
    "xglue_xnli": ("ar bg de el en es fr hi ru sw th tr ur vi zh", "accuracy", "accuracy"),
    "xglue_pawsx": ("de en es fr", "accuracy", "accuracy"),
    "xglue_qadsm": ("de en fr", "accuracy", "accuracy"),
    "xglue_wpr": ("de en es fr it pt zh", "ndcg", "ndcg"),
    "xglue_qam": ("de en fr", "accuracy", "accuracy"),
}
# microsoft/Unicoder understanding/README.md: (learning rate, batch, epochs, max sequence length)
RECIPES = {
    "xglue_ner": (5e-6, 32, 20, 256),
    "xglue_pos": (2e-5, 32, 20, 128),
    "xglue_mlqa": (3e-5, 12, 2, 384),
    **{t: (5e-6, 32, 10, 256) for t in ("xglue_nc", "xglue_xnli", "xglue_pawsx", "xglue_qadsm")},
    **{t: (5e-6, 32, 10, 256) for t in ("xglue_wpr", "xglue_qam")},
}


def test_suites_show_lists_the_nine_tasks_with_languages_and_metrics() -> None:
    result = runner.invoke(app, ["suites", "show", "xglue"], env={"COLUMNS": "250"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "9 tasks" in result.output and "not yet supported" not in result.output
    for task, (languages, metrics, score) in XGLUE.items():
        codes = languages.split()
        assert f"\n{task}  " in result.output, task
        assert f"languages ({len(codes)}): {', '.join(codes)}" in result.output, task
        assert f"metrics: {metrics}; task score: mean of {score}" in result.output, task


def test_protocol_recipes_and_understanding_score() -> None:
    suite = load_suite("xglue")
    assert list(suite.tasks) == list(XGLUE)
    assert suite.categories == {"understanding": list(XGLUE)}  # the understanding score: mean of the 9
    assert len({lang for entry in suite.tasks.values() for lang in entry.languages}) == 19
    assert suite.seeds == [42]
    for task, (lr, batch, epochs, length) in RECIPES.items():
        entry = suite.tasks[task]
        hp, selection = entry.hyperparameters, entry.selection
        assert hp is not None and selection is not None
        assert (hp.learning_rate, hp.batch_size, hp.grad_accum, hp.epochs, hp.max_length) == (
            lr,
            batch,
            1,
            epochs,
            length,
        ), task
        assert (selection.rule, selection.language) == ("best_on_dev", "en"), task
        assert entry.splits.dev == "validation", task
    mlqa = suite.tasks["xglue_mlqa"].hyperparameters
    assert mlqa is not None and mlqa.qa is not None and mlqa.qa.doc_stride == 128


def test_every_split_reads_the_hubs_per_language_split_names() -> None:
    for task in XGLUE:
        spec = TASKS[task]
        if task == "xglue_mlqa":  # google/xtreme: microsoft/xglue's MLQA rows have no question ids
            datasets = {
                s.dataset for x in spec.splits.values() for s in x.sources if isinstance(s, HubSource)
            }
            assert datasets == {"google/xtreme", "rajpurkar/squad"}
            continue
        hubs = {name: split.sources for name, split in spec.splits.items()}
        assert {name: [(h.dataset, h.split) for h in found] for name, found in hubs.items()} == {
            "train": [("microsoft/xglue", "train")],
            "validation": [("microsoft/xglue", "validation.{lang}")],
            "test": [("microsoft/xglue", "test.{lang}")],
        }, task


@pytest.mark.parametrize("task", list(XGLUE))
def test_fixtures_load_for_every_task_split_and_language(task: str) -> None:
    suite = load_suite(str(FIXTURE_SUITE))
    entry, spec = suite.tasks[task], TASKS[task]
    options = DataOptions(suite)
    for role in [*entry.splits.train, entry.splits.dev, entry.splits.test]:
        assert role is not None
        languages = entry.languages if spec.splits[role].per_language else ["en"]
        for lang in languages:
            loaded = load_split(spec, role, lang, options)
            assert loaded.labelled and loaded.examples, (role, lang)
            provenance = loaded.provenance
            assert provenance["source"] == "local" and provenance["revision_used"].startswith("sha256:")
            if provenance["dataset"] == "microsoft/xglue" and role != "train":
                assert provenance["hub_split"] == f"{role}.{lang}"
            for example in loaded.examples:
                if spec.format.value == "tagging":
                    assert len(example["tokens"]) == len(example["tags"]) > 0
                    assert all(0 <= t < len(spec.labels) for t in example["tags"])
                elif spec.format.value == "classification":
                    assert example["label"] in spec.labels and example["text_a"] and example["text_b"]
                else:
                    assert example["id"] and example["answers"]["text"]


def test_fixture_labels_map_through_the_hub_classlabel_order() -> None:
    suite = load_suite(str(FIXTURE_SUITE))
    options = DataOptions(suite)
    # NC: hub index 2 is "travel" although the head order puts travel eighth
    first = load_split(TASKS["xglue_nc"], "test", "en", options).examples[0]
    assert (first["text_a"], first["label"]) == ("Ten quiet beaches in the south", "travel")
    xnli = load_split(TASKS["xglue_xnli"], "test", "de", options).examples
    assert [e["label"] for e in xnli] == ["entailment", "neutral", "contradiction", "entailment"]
    wpr = load_split(TASKS["xglue_wpr"], "test", "zh", options).examples
    assert [(e["query"], e["label"]) for e in wpr[:3]] == [("学游泳", "4"), ("学游泳", "1"), ("光速", "4")]


def test_unpublished_pos_language_is_named_on_the_split() -> None:
    assert "no pt splits" in TASKS["xglue_pos"].splits["test"].note


# --- nDCG (golden values computed by hand: linear gain, 1 / log2(rank + 1), ties share the mean) ---


@pytest.mark.parametrize(
    ("gains", "scores", "expected"),
    [
        ([3, 2, 0], [3, 2, 0], 1.0),  # ideal order
        ([0, 1], [1, 0], 0.6309297535714575),  # (1 / log2 3) / 1
        ([2, 0], [1, 1], 0.8154648767857288),  # tie: mean gain 1 x (1 + 1 / log2 3), over 2
        ([2, 1, 0], [0, 1, 2], 0.6199062332840657),  # (1 / log2 3 + 2 / 2) / (2 + 1 / log2 3)
        # tie {4, 0} at ranks 1-2, then 1, then 3; ideal 4, 3, 1, 0
        ([4, 0, 1, 3], [3, 3, 1, 0], 0.7905608921634214),
        ([0, 0, 0], [1, 2, 3], 0.0),  # nothing relevant: 0, as scikit-learn
        ([3, 1], [0.2, 0.9], (1 + 3 / np.log2(3)) / (3 + 1 / np.log2(3))),
    ],
)
def test_query_ndcg_golden(gains: list[float], scores: list[float], expected: float) -> None:
    assert query_ndcg(gains, scores) == pytest.approx(expected, abs=1e-12)


def test_ndcg_groups_consecutive_rows_and_skips_single_page_queries() -> None:
    gains, scores = [0, 1, 2, 1, 0, 3], [1, 0, 0, 1, 2, 0]
    queries = ["q1", "q1", "q2", "q2", "q2", "q3"]
    assert query_ndcgs(gains, scores, queries) == pytest.approx([0.6309297535714575, 0.6199062332840657])
    assert ndcg(gains, scores, queries) == pytest.approx((0.6309297535714575 + 0.6199062332840657) / 2 * 100)
    # a query text that comes back after another query starts a new group, as xglue_evaluate.py's guids
    assert len(query_ndcgs([1, 0, 1, 0], [0, 1, 1, 0], ["a", "a", "b", "b"])) == 2
    assert len(query_ndcgs([1, 0, 1, 0, 2, 0], [0] * 6, ["a", "a", "b", "b", "a", "a"])) == 3
    with pytest.raises(ValueError, match="at least one query with two or more pages"):
        ndcg([1, 2], [1, 2], ["a", "b"])


def test_wpr_scores_ndcg_of_predicted_grades_through_the_classification_format() -> None:
    from harness.formats import get_format

    spec = TASKS["xglue_wpr"]
    examples = [{"query": q, "label": g} for q, g in [("a", "0"), ("a", "1"), ("b", "3"), ("b", "1")]]
    predictions = ["1", "0", "2", "2"]  # query a reversed; query b tied
    fmt = get_format(spec.format)
    gold = fmt.gold(examples, spec)
    scores = fmt.score(predictions, gold, ["ndcg", "accuracy"], spec, "en")
    expected = (1 / np.log2(3) + 2 * (1 + 1 / np.log2(3)) / (3 + 1 / np.log2(3))) / 2 * 100
    assert scores["ndcg"] == pytest.approx(expected) and scores["accuracy"] == 0.0
    kind, stats = fmt.example_stats(predictions, gold, "ndcg", spec, "en")
    assert kind == "mean" and len(stats) == 2 and metric_of(kind, stats) == pytest.approx(expected)
    with pytest.raises(HarnessError, match="query field"):
        fmt.score(predictions, fmt.gold([{"label": "1"}] * 4, spec), ["ndcg"], spec, "en")


# --- POS: XGLUE's chunk precision next to token accuracy ---


@pytest.mark.parametrize(
    ("gold", "predicted", "precision", "accuracy"),
    [
        # NOUN NOUN merges into one predicted chunk: 2 of 3 predicted chunks right; 3 of 4 tokens
        ([["DET", "NOUN", "VERB", "PUNCT"]], [["DET", "NOUN", "NOUN", "PUNCT"]], 200 / 3, 75.0),
        ([["PRON", "VERB"], ["NOUN", "PUNCT"]], [["PRON", "VERB"], ["NOUN", "PUNCT"]], 100.0, 100.0),
        # gold ADJ NOUN (2 chunks), predicted ADJ ADJ (1 chunk, wrong span): 0 of 1 right; 1 of 2 tokens
        ([["ADJ", "NOUN"]], [["ADJ", "ADJ"]], 0.0, 50.0),
    ],
)
def test_pos_precision_and_accuracy_golden(
    gold: list[list[str]], predicted: list[list[str]], precision: float, accuracy: float
) -> None:
    assert chunk_f1(gold, predicted)["precision"] == pytest.approx(precision)
    assert token_accuracy(gold, predicted) == pytest.approx(accuracy)
    from harness.formats import get_format

    spec = TASKS["xglue_pos"]
    fmt = get_format(spec.format)
    examples = [{"tokens": ["w"] * len(g), "tags": [spec.labels.index(t) for t in g]} for g in gold]
    gold_tags = fmt.gold(examples, spec)
    scores = fmt.score(predicted, gold_tags, ["precision", "accuracy"], spec, "en")
    assert scores == pytest.approx({"precision": precision, "accuracy": accuracy})
    kind, stats = fmt.example_stats(predicted, gold_tags, "precision", spec, "en")
    assert kind == "ratio" and metric_of(kind, stats) == pytest.approx(precision)


# --- the Unicoder baseline ---


def test_unicoder_baseline_validates_and_scores_as_the_suite_does() -> None:
    baseline = load_baselines(REPO / "baselines")["xglue__unicoder"]
    suite = load_suite("xglue")
    assert baseline.suite == "xglue" and set(baseline.tasks) == set(suite.tasks)
    # index.html's row: NER POS NC MLQA XNLI PAWS-X QADSM WPR QAM
    published = [79.7, 79.6, 83.5, 66.0, 75.3, 90.1, 68.4, 73.9, 68.9]
    assert [baseline_task_score(baseline, suite, t) for t in suite.tasks] == published
    assert baseline_overall(baseline, suite) == pytest.approx(sum(published) / 9)  # 76.16; published 76.1
    assert baseline.metric("xglue_mlqa", "exact_match") is None
    for task, metrics in baseline.per_language.items():
        for metric, values in metrics.items():
            assert set(values.values) == set(suite.tasks[task].languages), (task, metric)
            assert metric == suite.tasks[task].metrics[0]


# --- end to end ---


def test_eval_runs_every_xglue_task_and_harness_score_reproduces_it(tiny_bert: Path, tmp_path: Path) -> None:
    """All nine tasks end to end; the files `--save-predictions` writes score, with `harness score`,
    exactly as the eval scored them in memory (the same format scorers on both paths)."""
    args = ["eval", "-s", str(FIXTURE_SUITE), "-m", str(tiny_bert), "-o", str(tmp_path), "--save-predictions"]
    args += ["--limit", "4", "--no-track", "--no-save-weights"]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    results = read_results(tmp_path / "results.json")
    expected = {"xglue_pos": ["precision", "accuracy"], "xglue_wpr": ["ndcg"], "xglue_mlqa": ["f1"]}
    for task, metrics in expected.items():
        scores = results.tasks[task].runs[0].scores
        for lang in results.tasks[task].languages:
            assert all(0 <= scores[lang][m] <= 100 for m in metrics), (task, lang)
    data = results.tasks["xglue_wpr"].data
    test_de = next(d for d in data if d.split == "test" and d.language == "de")
    where = (test_de.dataset, test_de.config, test_de.hub_split)
    assert where == ("microsoft/xglue", "wpr", "test.de")

    predictions, labels = tmp_path / "predictions" / "seed-42", tmp_path / "labels"
    args = ["score", "-s", str(FIXTURE_SUITE), "-p", str(predictions), "-g", str(labels)]
    scored = runner.invoke(app, [*args, "-o", str(tmp_path / "scores.json")])
    assert scored.exit_code == 0, scored.output
    report = json.loads((tmp_path / "scores.json").read_text())
    assert set(report["tasks"]) == set(results.tasks) and len(results.tasks) == 9
    for name, task in results.tasks.items():
        assert report["tasks"][name]["status"] == "complete", name
        assert report["tasks"][name]["scores"] == task.scores, name  # exactly equal, every metric
