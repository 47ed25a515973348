"""`harness eval` end to end on the sample suite with tiny checkpoints (offline, seconds)."""

from __future__ import annotations

import json
import re
import types
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from conftest import REPO, SampleRun, missing_from_screen
from pydantic import BaseModel
from typer.testing import CliRunner

from harness.cli import app
from harness.results import Results, read_results
from harness.suites import builtin_suites

SAMPLE = builtin_suites()["sample"].parent / "sample-data"
runner = CliRunner()


def run_eval(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["eval", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_labels(task: str, lang: str) -> list[str]:
    """Read the sample data's test labels directly, without the harness's loaders."""
    if task == "xnli":
        rows = _jsonl(SAMPLE / "xtreme" / "XNLI" / "test-00000-of-00001.jsonl")
        return [r["gold_label"] for r in rows if r["language"] == lang]
    if task == "pawsx":
        return [
            r["label"] for r in _jsonl(SAMPLE / "xtreme" / f"PAWS-X.{lang}" / "test-00000-of-00001.jsonl")
        ]
    return [str(r["label"]) for r in _jsonl(SAMPLE / "xcopa" / lang / "test-00000-of-00001.jsonl")]


def read_predictions(folder: Path, task: str, lang: str) -> list[str]:
    if task == "xcopa":
        return [str(r["label"]) for r in _jsonl(folder / task / f"test-{lang}.jsonl")]
    return (folder / task / f"test-{lang}.tsv").read_text(encoding="utf-8").splitlines()


def test_sample_suite_completes_and_prints_the_table(sample_run: SampleRun) -> None:
    _, results, output = sample_run
    assert results.status == "complete"
    assert [t.status for t in results.tasks.values()] == ["complete"] * 12
    assert "Per-language scores" in output and "overall" in output
    assert results.suite.hash.startswith("sha256:") and results.model.weights_hash.startswith("sha256:")
    assert results.model.parameters and results.run.precision == "fp32"
    xcopa = results.tasks["xcopa"].runs[0]
    assert [s.split for s in xcopa.stages] == ["siqa_train", "copa_train"]  # the reference's two stages
    assert results.tasks["xcopa"].runs[0].selected_step is None  # rule: last
    xnli = results.tasks["xnli"].runs[0]
    assert [step for step, _ in xnli.dev_history] == [12, 24, 36, 48, 60, 72]
    best = max(score for _, score in xnli.dev_history)
    assert xnli.selected_step == next(step for step, score in xnli.dev_history if score == best)
    # XQuAD and MLQA share one SQuAD model, as in the reference; TyDiQA trains its own
    assert results.tasks["mlqa"].runs[0].trained_by == "xquad"
    assert results.tasks["mlqa"].runs[0].stages == results.tasks["xquad"].runs[0].stages
    assert (
        results.tasks["xquad"].runs[0].trained_by is None
        and results.tasks["tydiqa"].runs[0].trained_by is None
    )
    assert results.tasks["udpos"].runs[0].dev_history  # selected on English dev F1
    # retrieval: Tatoeba embeds with the XQuAD model's encoder (XTREME-R), BUCC tunes a threshold on dev,
    # the dual encoders train on their English data
    assert results.tasks["tatoeba"].runs[0].trained_by == "xquad"
    assert set(results.tasks["bucc2018"].runs[0].dev or {}) >= {"de.threshold", "zh.f1"}
    assert [s.split for s in results.tasks["mewslix"].runs[0].stages] == ["train"]
    assert [s.split for s in results.tasks["lareqa"].runs[0].stages] == ["squad_train"]


def test_the_tables_fit_80_columns_and_show_every_score(sample_run: SampleRun) -> None:
    """Rich uses 80 columns when output is piped: twelve task columns cut every cell to "37…"."""
    _, results, output = sample_run
    assert max(map(len, output.splitlines())) <= 80 and "…" not in output
    assert missing_from_screen(results, output) == []
    # who reuses what: the task that embeds or predicts with another task's model says so
    assert "mlqa seed 42: reusing the model fine-tuned for xquad" in output
    assert "tatoeba seed 42: reusing the model fine-tuned for xquad" in output
    for name in ("bucc2018", "tatoeba", "mewslix", "lareqa"):  # retrieval shows its progress too
        assert re.search(rf"{name} seed 42: embed .* (\d+)/\1 ", output), name


def test_speed_is_measured_in_every_run(sample_run: SampleRun) -> None:
    out, results, output = sample_run
    assert "Speed" in output and "tokens/s" in (out / "scores.txt").read_text()
    assert results.model.attention == "sdpa"
    for name in ("xnli", "udpos", "xquad", "lareqa"):
        task = results.tasks[name]
        stage = task.runs[0].stages[0].throughput
        assert stage is not None and stage.examples > 0 and stage.examples_per_second
        assert task.throughput["fine_tune"].examples == stage.examples
        assert stage.mfu is None  # a CPU has no listed peak: no made-up utilisation
    for name in ("xnli", "udpos", "xquad"):
        task = results.tasks[name]
        predict = task.runs[0].predict_throughput
        assert predict is not None and 0 < predict.tokens <= predict.padded_tokens
        # features, not examples: QA contexts are cut into windows
        assert predict.examples >= sum(task.runs[0].examples.values())
        combined = task.throughput["predict"]  # one seed: the same figures
        assert (combined.examples, combined.tokens) == (predict.examples, predict.tokens)
        assert combined.examples_per_second == pytest.approx(predict.examples_per_second, rel=1e-2)
    # a model another task trained counts there, not twice
    assert "fine_tune" not in results.tasks["mlqa"].throughput


def test_scores_equal_hand_computed_accuracy(sample_run: SampleRun) -> None:
    out, results, _ = sample_run
    predictions = out / "predictions" / "seed-42"
    for name in ("xnli", "pawsx", "xcopa"):
        task = results.tasks[name]
        for lang in task.languages:
            gold = gold_labels(name, lang)
            predicted = read_predictions(predictions, name, lang)
            assert len(predicted) == len(gold) == task.runs[0].examples[lang]
            correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
            assert task.scores[lang]["accuracy"] == correct / len(gold) * 100, (name, lang)
        values = [task.scores[lang]["accuracy"] for lang in task.languages]
        assert task.averages["accuracy"] == sum(values) / len(values)
        assert task.score == task.averages["accuracy"]
    scores = {name: task.score for name, task in results.tasks.items()}
    assert results.overall.score == sum(scores.values()) / 12  # type: ignore[arg-type]  # tasks, not categories
    classification = [scores["xnli"], scores["pawsx"], scores["xcopa"]]
    assert results.categories["classification"].score == sum(classification) / 3  # type: ignore[arg-type]
    assert results.categories["qa"].score == (scores["xquad"] + scores["mlqa"] + scores["tydiqa"]) / 3  # type: ignore[operator]
    # a QA task's score is (average EM + average F1) / 2
    xquad = results.tasks["xquad"]
    assert xquad.score == (xquad.averages["exact_match"] + xquad.averages["f1"]) / 2  # type: ignore[operator]


def test_harness_score_on_saved_predictions_gives_the_eval_numbers(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    out, results, _ = sample_run
    result = runner.invoke(
        app,
        [
            "score",
            "--suite",
            "sample",
            "--predictions",
            str(out / "predictions" / "seed-42"),
            "--labels",
            str(out / "labels"),
            "--output",
            str(tmp_path / "scores.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "scores.json").read_text())
    for name, task in results.tasks.items():
        assert report["tasks"][name]["status"] == "complete", name
        assert report["tasks"][name]["scores"] == task.scores, name  # exactly equal, every metric
        assert report["tasks"][name]["score"] == task.score, name
    assert report["overall"]["score"] == results.overall.score


def test_provenance_and_revisions_are_recorded(sample_run: SampleRun) -> None:
    _, results, _ = sample_run
    data = results.tasks["xnli"].data
    assert {(d.split, d.language) for d in data} >= {
        ("mnli_train", "en"),
        ("validation", "en"),
        ("test", "zh"),
    }
    assert all(d.source == "local" and (d.revision_used or "").startswith("sha256:") for d in data)
    test_zh = next(d for d in data if d.split == "test" and d.language == "zh")
    assert (test_zh.dataset, test_zh.config, test_zh.filter, test_zh.examples) == (
        "google/xtreme",
        "XNLI",
        "language==zh",
        24,
    )


def test_same_seed_gives_identical_scores(sample_run: SampleRun, tiny_bert: Path, tmp_path: Path) -> None:
    first_out, first, _ = sample_run
    # one task of each format, the cheapest to train: classification (selected on dev), multiple
    # choice (two stages), tagging, QA (several windows per context), retrieval without and with training
    tasks = ["xnli", "xcopa", "panx", "tydiqa", "bucc2018", "mewslix"]
    output = run_eval(
        "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "--tasks", ",".join(tasks),
        "--save-predictions", "--no-track",
    ).output  # fmt: skip
    again = read_results(tmp_path / "results.json")
    for name in tasks:
        assert again.tasks[name].runs[0].scores == first.tasks[name].runs[0].scores
        assert again.tasks[name].runs[0].dev_history == first.tasks[name].runs[0].dev_history
        for lang in again.tasks[name].languages:
            (mine,) = (tmp_path / "predictions" / "seed-42" / name).glob(f"test-{lang}.*")
            (theirs,) = (first_out / "predictions" / "seed-42" / name).glob(f"test-{lang}.*")
            assert mine.read_bytes() == theirs.read_bytes(), (name, lang)
    assert again.status == "incomplete" and again.overall.score is None
    assert again.overall.missing == ["pawsx", "udpos", "xquad", "mlqa", "tatoeba", "lareqa"]
    assert again.tasks["pawsx"].status == "pending"
    # the unrequested tasks: one line, not a wrapped table row each
    assert "not requested (--tasks): pawsx, udpos, xquad, mlqa, tatoeba, lareqa\n" in output


def test_language_subset_makes_tasks_incomplete_never_a_smaller_average(
    tiny_bert: Path, tmp_path: Path
) -> None:
    run_eval(
        "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "xnli", "-l", "de,zh", "--limit", "8"
    )
    xnli = read_results(tmp_path / "results.json").tasks["xnli"]
    assert xnli.status == "incomplete" and set(xnli.scores) == {"de", "zh"}
    assert xnli.missing_languages == ["en", "ru", "ar", "hi"]
    assert xnli.averages == {"accuracy": None} and xnli.score is None


def test_limit_and_overrides_are_flagged(tiny_bert: Path, tmp_path: Path) -> None:
    result = run_eval(
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-o",
        str(tmp_path),
        "-t",
        "pawsx",
        "--limit",
        "5",
        "--set",
        "pawsx.epochs=1",
        "--seeds",
        "7",
    )
    results = read_results(tmp_path / "results.json")
    assert results.run.smoke and results.run.limit == 5 and results.run.seeds == [7]
    assert results.status == "smoke"  # never "complete" on truncated data
    pawsx = results.tasks["pawsx"]
    assert pawsx.overrides == {"epochs": 1.0} and pawsx.hyperparameters["epochs"] == 1.0
    assert pawsx.seeds == [7] and pawsx.runs[0].examples == {lang: 5 for lang in pawsx.languages}
    assert "smoke run" in result.output


def test_an_earlier_result_is_kept(tiny_bert: Path, tmp_path: Path) -> None:
    for _ in range(2):
        run_eval("-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "pawsx", "--limit", "4")
    assert len(list(tmp_path.glob("results.*.json"))) == 1 and (tmp_path / "results.json").exists()


def test_unsupported_tasks_are_reported_not_skipped(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every format of this version is implemented: pretend tagging is not, as a new format would be
    import harness.evaluation.plan as plan_module
    from harness.tasks import FormatName

    monkeypatch.setattr(plan_module, "is_supported", lambda name: name is not FormatName.tagging)
    result = run_eval(
        "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "pawsx,udpos,panx", "--limit", "4"
    )
    results = read_results(tmp_path / "results.json")
    for name in ("udpos", "panx"):
        assert results.tasks[name].status == "not_supported" and results.tasks[name].runs == []
        assert "not yet supported" in (results.tasks[name].reason or "")
    assert results.tasks["pawsx"].status == "complete"
    assert "not yet supported" in result.output and results.status == "smoke"


def test_a_failing_task_is_recorded_and_the_exit_code_says_so(tiny_bert: Path, tmp_path: Path) -> None:
    # xtreme's XNLI reads the hub, unreachable offline: the task fails with one line, results are written
    result = run_eval("-s", "xtreme", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "xnli", code=1)
    results = read_results(tmp_path / "results.json")
    assert results.status == "failed" and results.tasks["xnli"].status == "failed"
    assert "cannot load nyu-mll/multi_nli" in (results.tasks["xnli"].reason or "")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("fixture", "task", "model_type"),
    [
        ("tiny_xlmr", "xnli", "xlm-roberta"),
        ("tiny_deberta", "xcopa", "deberta-v2"),
        ("tiny_mt5", "xcopa", "mt5"),  # the encoder-decoder multiple-choice head (encoder_heads.py)
        ("tiny_mt5", "pawsx", "mt5"),
    ],
)
def test_xlmr_deberta_and_mt5_fine_tune_predict_and_score(
    fixture: str, task: str, model_type: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    model = request.getfixturevalue(fixture)
    run_eval("-s", "sample", "-m", str(model), "-o", str(tmp_path), "-t", task, "--limit", "8",
             "--save-predictions", "--no-track")  # fmt: skip
    results = read_results(tmp_path / "results.json")
    assert results.model.model_type == model_type
    result = results.tasks[task]
    assert result.status == "complete" and result.runs[0].stages
    assert all(stage.optimizer_steps > 0 for stage in result.runs[0].stages)  # every stage trained
    allowed = {"xnli": {"entailment", "neutral", "contradiction"}, "pawsx": {"0", "1"}, "xcopa": {"0", "1"}}
    for lang in result.languages:
        # one valid prediction per test example, and the score is theirs against the gold labels
        predicted = read_predictions(tmp_path / "predictions" / "seed-42", task, lang)
        gold = gold_labels(task, lang)[:8]
        assert len(predicted) == len(gold) == result.runs[0].examples[lang]
        assert set(predicted) <= allowed[task], (lang, predicted)
        correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
        assert result.scores[lang]["accuracy"] == correct / len(gold) * 100, lang


def test_interrupted_run_keeps_finished_tasks(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.evaluation import runner as runner_module

    original = runner_module.Runner._run_task

    def stop_at_pawsx(self: Any, plan: Any) -> Any:
        if plan.name == "pawsx":
            raise KeyboardInterrupt
        return original(self, plan)

    monkeypatch.setattr(runner_module.Runner, "_run_task", stop_at_pawsx)
    result = runner.invoke(
        app, ["eval", "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "--limit", "8"]
    )
    assert result.exit_code == 130
    results = read_results(tmp_path / "results.json")
    assert results.status == "interrupted" and results.tasks["xnli"].status == "complete"


# --- the documented format ------------------------------------------------------------------------


def _paths(model: type[BaseModel], prefix: str) -> set[str]:
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        options = [a for a in get_args(annotation) if a is not type(None)]
        if isinstance(annotation, types.UnionType) and len(options) == 1:
            annotation = options[0]  # Model | None: document the model's fields too
        inner = get_args(annotation)
        if (
            get_origin(annotation) is list
            and inner
            and isinstance(inner[0], type)
            and issubclass(inner[0], BaseModel)
        ):
            paths.add(path + "[]")
            paths |= _paths(inner[0], path + "[].")
        elif (
            get_origin(annotation) is dict and isinstance(inner[1], type) and issubclass(inner[1], BaseModel)
        ):
            paths.add(path)
            paths |= _paths(inner[1], path + ".*.")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths.add(path)
            paths |= _paths(annotation, path + ".")
        else:
            paths.add(path)
    return paths


def test_results_format_doc_matches_the_schema() -> None:
    doc = (REPO / "docs" / "results-format.md").read_text()
    documented = {re.sub(r"<[a-z]+>", "*", m) for m in re.findall(r"^\| `([^`]+)` \|", doc, flags=re.M)}
    # A row that names its typed record (`harness.results.Provenance`, `harness.results.Recipe`:
    # pydantic models with extra="forbid") documents the fields below it by that model.
    by_model = {
        re.sub(r"<[a-z]+>", "*", path)
        for path, row in re.findall(r"^\| `([^`]+)` \|(.*)$", doc, flags=re.M)
        if re.search(r"`harness\.results\.[A-Z]\w+`", row)
    }
    schema = {
        path.removesuffix("[]") if path.removesuffix("[]") in by_model else path
        for path in _paths(Results, "")
        if not any(path.startswith((f"{typed}[].", f"{typed}.")) for typed in by_model)
    }
    assert schema - documented == set(), "fields missing from docs/results-format.md"
    assert documented - schema == set(), "documented fields that the schema does not have"


def test_download_layout_run_predicts_but_never_scores_stripped_labels(
    tiny_bert: Path, tmp_path: Path
) -> None:
    # Build an XTREME download/ folder for XNLI from the sample data, as utils_preprocess.py writes it:
    # train and dev with labels, test without.
    xnli = tmp_path / "download" / "xnli"
    xnli.mkdir(parents=True)
    labels = ["entailment", "neutral", "contradiction"]
    mnli = _jsonl(SAMPLE / "multi_nli" / "data" / "train-00000-of-00001.jsonl")
    (xnli / "train-en.tsv").write_text(
        "".join(f"{r['premise']}\t{r['hypothesis']}\t{labels[r['label']]}\n" for r in mnli)
    )
    rows = _jsonl(SAMPLE / "xtreme" / "XNLI" / "validation-00000-of-00001.jsonl")
    (xnli / "dev-en.tsv").write_text(
        "".join(
            f"{r['sentence1']}\t{r['sentence2']}\t{r['gold_label']}\n" for r in rows if r["language"] == "en"
        )
    )
    tests = _jsonl(SAMPLE / "xtreme" / "XNLI" / "test-00000-of-00001.jsonl")
    for lang in ("en", "de", "ru", "ar", "zh", "hi"):
        (xnli / f"test-{lang}.tsv").write_text(
            "".join(f"{r['sentence1']}\t{r['sentence2']}\n" for r in tests if r["language"] == lang)
        )
    # the sample suite without its google/xtreme folder: no labelled source is left for the test split
    suite = (
        (SAMPLE.parent / "sample.yaml")
        .read_text()
        .replace("  google/xtreme: {path: sample-data/xtreme}\n", "")
    )
    (tmp_path / "sample-data").symlink_to(SAMPLE)
    (tmp_path / "sample.yaml").write_text(suite)
    out = tmp_path / "out"
    run_eval(
        "-s",
        str(tmp_path / "sample.yaml"),
        "-m",
        str(tiny_bert),
        "-o",
        str(out),
        "-t",
        "xnli",
        "--data-dir",
        str(tmp_path / "download"),
        "--save-predictions",
        "--set",
        "xnli.epochs=1",  # what is read and scored matters here, not how long it trains
        "--no-track",
    )
    task = read_results(out / "results.json").tasks["xnli"]
    assert task.status == "incomplete" and task.score is None and task.scores == {}
    assert task.runs[0].unscored == task.languages and "no test labels" in (task.reason or "")
    assert {d.source for d in task.data} == {"download"}
    predicted = read_predictions(out / "predictions" / "seed-42", "xnli", "zh")
    assert len(predicted) == 24 and set(predicted) <= set(labels)


def test_an_unexpected_error_fails_the_task_not_the_run(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.formats.multiple_choice import MultipleChoice

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("CUDA out of memory (simulated)")

    monkeypatch.setattr(MultipleChoice, "featurize", broken)
    result = run_eval(
        "-s", "sample", "-m", str(tiny_bert), "-o", str(tmp_path), "-t", "pawsx,xcopa", "--limit", "4", code=1
    )
    results = read_results(tmp_path / "results.json")
    assert results.status == "failed" and results.tasks["pawsx"].status == "complete"
    assert results.tasks["xcopa"].status == "failed"
    assert "RuntimeError: CUDA out of memory (simulated)" in (results.tasks["xcopa"].reason or "")
    assert "Traceback" in (tmp_path / "errors.log").read_text() and "Traceback" not in result.output


def test_a_task_without_requested_languages_is_not_trained(tiny_bert: Path, tmp_path: Path) -> None:
    run_eval(
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-o",
        str(tmp_path),
        "-t",
        "pawsx,xcopa",
        "-l",
        "de",
        "--limit",
        "4",
    )
    xcopa = read_results(tmp_path / "results.json").tasks["xcopa"]
    assert (
        xcopa.status == "incomplete" and xcopa.runs == [] and "none of its languages" in (xcopa.reason or "")
    )
