"""Baselines, submissions, LEADERBOARD.md: deterministic builds and a check that catches bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SampleRun
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import HarnessError
from harness.leaderboard.baselines import Baseline, baseline_task_score, load_baselines
from harness.leaderboard.build import build
from harness.leaderboard.check import check
from harness.leaderboard.submissions import assemble
from harness.suites import load_suite

runner = CliRunner()
CARD = {
    "name": "Tiny BERT",
    "organisation": "Test Org",
    "link": "https://example.org/tiny-bert",
    "parameters": 12345,
    "base_model": "none (random init)",
    "intermediate_tasks": [{"name": "MNLI", "data": "MNLI train, English"}],
    "finetuning": "full",
    "translate_train": False,
    "licence": "apache-2.0",
    "contact": "test@example.org",
}


@pytest.fixture
def sample_results(sample_run: SampleRun) -> Path:
    """The session's full sample run (read-only: assemble only reads it)."""
    return sample_run.out / "results.json"


@pytest.fixture
def root(tmp_path: Path, sample_results: Path) -> Path:
    """A repository root with the real baselines and one valid submission."""
    shutil.copytree(REPO / "baselines", tmp_path / "baselines")
    card = tmp_path / "model.yaml"
    card.write_text(yaml.safe_dump(CARD))
    assemble(sample_results, card, tmp_path / "submissions")
    build(tmp_path)
    return tmp_path


def _submission(root: Path) -> Path:
    return root / "submissions" / "test-org__tiny-bert"


def _cover_predictions(root: Path) -> None:
    """Add a prediction file (a copy of one of its task's) for every score the edited results hold."""
    import zipfile

    from harness.formats import prediction_file
    from harness.tasks import TASKS

    archive = _submission(root) / "predictions.zip"
    with zipfile.ZipFile(archive) as old:
        files = {name: old.read(name) for name in old.namelist()}
    results = json.loads((_submission(root) / "results.json").read_text())
    for name, task in results["tasks"].items():
        for run in task["runs"]:
            prefix = f"seed-{run['seed']}/{name}/"
            some = next(v for k, v in files.items() if k.startswith(prefix))
            for lang in run["scores"]:
                files.setdefault(prefix + prediction_file(TASKS[name], lang), some)
    with zipfile.ZipFile(archive, "w") as new:
        for name, data in sorted(files.items()):
            new.writestr(name, data)


def _rows(markdown: str) -> list[list[str]]:
    """The cells of every table row of a markdown text, without tabulate's padding."""
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in markdown.splitlines()
        if line.startswith("|")
    ]


def _edit_results(root: Path, change) -> None:
    path = _submission(root) / "results.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


# --- baselines --------------------------------------------------------------------------------------


def test_committed_baselines_are_sourced_and_null_stays_null() -> None:
    baselines = load_baselines(REPO / "baselines")
    assert {"xtreme__xlm-r-large", "xtreme__x-stilts", "xtreme-r__xlm-r-large"} <= set(baselines)
    xlmr = baselines["xtreme__xlm-r-large"]
    assert xlmr.metric("xnli", "accuracy") == 79.2 and xlmr.metric("tatoeba", "accuracy") is None
    assert baseline_task_score(xlmr, load_suite("xtreme"), "xquad") == pytest.approx((60.8 + 76.6) / 2)
    assert baseline_task_score(xlmr, load_suite("xtreme"), "bucc2018") is None
    stilts = baselines["xtreme__x-stilts"]
    assert stilts.tasks["xnli"]["accuracy"].alternatives[0].value == 80.4  # the disagreeing source is kept


def test_a_number_without_a_source_is_rejected() -> None:
    data = yaml.safe_load((REPO / "baselines" / "xtreme__mbert.yaml").read_text())
    data["tasks"]["xnli"]["accuracy"] = {"value": 99.0}
    with pytest.raises(ValueError, match="needs its source"):
        Baseline.model_validate(data)


# --- build ------------------------------------------------------------------------------------------


def test_build_is_deterministic_and_ranks_complete_submissions(root: Path) -> None:
    first = (root / "LEADERBOARD.md").read_bytes()
    plots = sorted(p.name for p in (root / "leaderboard").glob("*.png"))
    build(root)
    assert (root / "LEADERBOARD.md").read_bytes() == first
    assert sorted(p.name for p in (root / "leaderboard").glob("*.png")) == plots and plots
    text = first.decode()
    # the sample suite's hand-written data are not the reference's: a complete entry, non-standard
    assert "### Non-standard protocol" in text and "- [Tiny BERT](https://example.org/tiny-bert): **" in text
    assert "## How to submit" in text
    published = ["XLM-R Large", "79.2", "86.4", "73.8", "65.4", "68.7", "62.4", "55.0", "—", "—", "—"]
    assert published in [row[:11] for row in _rows(text)]
    assert check(root) == []


def test_the_repository_leaderboard_is_current() -> None:
    assert check(REPO) == []


# --- check: every problem is one clear line ---------------------------------------------------------


def test_tampered_score(root: Path) -> None:
    _edit_results(root, lambda d: d["tasks"]["xnli"]["scores"]["de"].update(accuracy=99.9))
    problems = check(root)
    assert any("task xnli: per-language scores do not match its seed runs" in p for p in problems)


def test_tampered_overall(root: Path) -> None:
    _edit_results(root, lambda d: d["overall"].update(score=99.0))
    assert any("overall score does not follow from the task scores" in p for p in check(root))


def test_wrong_suite_hash(root: Path) -> None:
    _edit_results(root, lambda d: d["suite"].update(hash="sha256:" + "0" * 64))
    assert any("made with suite sample 1.0 sha256:000000000000" in p for p in check(root))


def test_missing_language(root: Path) -> None:
    def drop(data: dict) -> None:
        task = data["tasks"]["pawsx"]
        for run in task["runs"]:
            run["scores"].pop("ko")
        task["scores"].pop("ko")
        task["missing_languages"] = ["ko"]

    _edit_results(root, drop)
    assert any("task pawsx misses languages ko" in p for p in check(root))


def test_duplicate(root: Path) -> None:
    shutil.copytree(_submission(root), root / "submissions" / "other-org__tiny-bert")
    problems = check(root)
    # without history to tell which came first, the alphabetically later folder is reported, so the
    # line does not depend on directory order
    assert any(
        p.endswith("test-org__tiny-bert: duplicates other-org__tiny-bert (same model weights, same suite)")
        for p in problems
    ), problems


def test_a_duplicate_is_reported_on_the_new_entry(root: Path) -> None:
    """The pull request's copy is the problem, even when its name sorts first."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "submissions"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=root, check=True)
    copy = root / "submissions" / "other-org__tiny-bert"
    shutil.copytree(_submission(root), copy)
    problems = check(root)
    assert any(
        p == f"{copy}: duplicates test-org__tiny-bert (same model weights, same suite)" for p in problems
    ), problems


@pytest.mark.parametrize("name", ["..__evil", ".hidden__x", "Test Org__X", "noseparator", "a__b c"])
def test_bad_folder_names(root: Path, name: str) -> None:
    shutil.copytree(_submission(root), root / "submissions" / name)
    problems = check(root)
    assert any(f"{name}: folder name must be ORG__MODEL" in p for p in problems), problems


def test_code_is_not_data(root: Path) -> None:
    (_submission(root) / "weights.pkl").write_bytes(b"\x80\x04")
    assert any("unexpected file weights.pkl" in p for p in check(root))


def test_stale_leaderboard(root: Path) -> None:
    (root / "LEADERBOARD.md").write_text((root / "LEADERBOARD.md").read_text() + "edited\n")
    assert any("LEADERBOARD.md: stale" in p for p in check(root))


def test_markdown_and_html_in_names_are_escaped(root: Path, sample_results: Path, tmp_path: Path) -> None:
    card = tmp_path / "evil.yaml"
    card.write_text(
        yaml.safe_dump(
            {
                **CARD,
                "name": "<script>alert(1)</script> | **big** [x](y)",
                "organisation": "../../etc",
                "link": "https://example.org/a)b",
            }
        )
    )
    folder = assemble(sample_results, card, root / "submissions")
    assert folder.name == "etc__script-alert-1-script-big-x-y"  # no path traversal
    shutil.rmtree(_submission(root))  # not a duplicate of the first one
    build(root)
    text = (root / "LEADERBOARD.md").read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert r"\| \*\*big\*\* \[x\](y)" in text and "(https://example.org/a%29b)" in text


def test_card_schema_errors_name_the_field(tmp_path: Path, sample_results: Path) -> None:
    card = tmp_path / "model.yaml"
    card.write_text(yaml.safe_dump({**CARD, "link": "javascript:alert(1)"}))
    with pytest.raises(HarnessError, match=r"model\.yaml: link"):
        assemble(sample_results, card, tmp_path / "submissions")
    card.write_text(yaml.safe_dump({**CARD, "colour": "blue"}))
    with pytest.raises(HarnessError, match="colour: unknown field"):
        assemble(sample_results, card, tmp_path / "submissions")


def test_cli_submit_redacts_paths_and_check_reports(root: Path, sample_results: Path, tmp_path: Path) -> None:
    card = tmp_path / "model.yaml"
    card.write_text(yaml.safe_dump({**CARD, "organisation": "Other"}))
    result = runner.invoke(
        app, ["submit", str(sample_results), "--meta", str(card), "--root", str(tmp_path / "subs")]
    )
    assert result.exit_code == 0, result.output
    submitted = json.loads((tmp_path / "subs" / "other__tiny-bert" / "results.json").read_text())
    assert "/" not in submitted["model"]["path"] and submitted["suite"]["path"] is None

    def strings(value: object) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    # no machine path anywhere: not the model folder, not the data files read
    assert not [s for s in strings(submitted) if s.startswith("/")]
    _edit_results(root, lambda d: d["overall"].update(score=1.0))
    checked = runner.invoke(app, ["leaderboard", "check", "--root", str(root)])
    assert checked.exit_code == 1 and "error:" in checked.stderr and "Traceback" not in checked.output


def test_smoke_runs_cannot_be_submitted(tiny_bert: Path, tmp_path: Path) -> None:
    out = tmp_path / "smoke"
    runner.invoke(
        app,
        [
            "eval",
            "-s",
            "sample",
            "-m",
            str(tiny_bert),
            "-o",
            str(out),
            "-t",
            "pawsx",
            "--limit",
            "4",
            "--no-track",
        ],
    )
    card = tmp_path / "model.yaml"
    card.write_text(yaml.safe_dump(CARD))
    with pytest.raises(HarnessError, match="smoke"):
        assemble(out / "results.json", card, tmp_path / "subs")


def test_incomplete_submission_is_listed_apart_with_deltas_against_baselines(root: Path) -> None:
    """An XTREME submission with two tasks: not ranked, its gaps named, deltas vs XLM-R Large and X-STILTs."""
    xtreme = load_suite("xtreme")

    def to_xtreme(data: dict) -> None:
        """Two tasks of the sample run re-labelled as XTREME's, recorded exactly as xtreme.yaml says
        (languages filled in), aggregates recomputed: consistent, so accepted, and incomplete."""
        from harness.results.aggregate import language_average, mean_over_seeds, task_score
        from harness.results.groups import groups

        data["suite"].update(name="xtreme", version=xtreme.version, hash=xtreme.content_hash())
        tasks = {}
        for name in ("xnli", "pawsx"):
            task, entry = data["tasks"][name], xtreme.tasks[name]
            for run in task["runs"]:
                run["scores"] = {
                    lang: run["scores"].get(lang, {"accuracy": 50.0}) for lang in entry.languages
                }
            scores = mean_over_seeds([run["scores"] for run in task["runs"]])
            averages = {m: language_average(scores, entry.languages, m) for m in entry.metrics}
            task.update(
                languages=entry.languages, metrics=entry.metrics, score_metrics=entry.score,
                selection=entry.selection.model_dump(), splits=entry.splits.model_dump(),
                hyperparameters=entry.hyperparameters.model_dump(), overrides={},
                seeds=xtreme.seeds_for(name), scores=scores, missing_languages=[], averages=averages,
                score=task_score(averages, entry.score), spread={}, average_spread={}, divergences=[],
            )  # fmt: skip
            tasks[name] = task
        data["tasks"] = tasks
        data["status"] = "incomplete"
        categories, overall = groups(
            {n: t["score"] for n, t in tasks.items()}, xtreme.categories, list(xtreme.tasks)
        )
        data["categories"] = {k: v.model_dump() for k, v in categories.items()}
        data["overall"] = overall.model_dump()

    _edit_results(root, to_xtreme)
    _cover_predictions(root)
    build(root)
    text = (root / "LEADERBOARD.md").read_text()
    xtreme_part = text.split("## XTREME-R")[0]
    assert "No complete submission yet." in xtreme_part
    assert "- [Tiny BERT](https://example.org/tiny-bert): incomplete; no score for udpos, panx" in xtreme_part
    results = json.loads((_submission(root) / "results.json").read_text())
    expected = results["tasks"]["xnli"]["score"] - 79.2
    delta = ["[Tiny BERT](https://example.org/tiny-bert) Δ XLM-R Large", f"{expected:+.1f}"]
    assert delta in [row[:2] for row in _rows(xtreme_part)]
    assert "Δ X-STILTs" in xtreme_part
    plots = sorted(p.name for p in (root / "leaderboard").glob("xtreme__*.png"))
    stems = sorted(p.rsplit("-", 1)[0] for p in plots)
    assert stems == [
        "xtreme__test-org__tiny-bert__heatmap",
        "xtreme__test-org__tiny-bert__large__deltas",
        "xtreme__test-org__tiny-bert__x-stilts__deltas",
    ]
    assert check(root) == []  # consistent and incomplete: accepted, listed apart, never ranked


def test_data_that_differ_from_the_reference_are_a_protocol_note(root: Path) -> None:
    """The sample suite's hand-written data are not the reference's: the row counts say so, and the
    entry is shown apart from the ranking, with the note."""
    results = json.loads((_submission(root) / "results.json").read_text())
    notes = [n for task in results["tasks"].values() for n in task.get("divergences", [])]
    assert notes and all(n["note"].startswith(("rows:", "answers:", "labels:")) for n in notes)
    board = (root / "LEADERBOARD.md").read_text()
    line = next(line for line in board.splitlines() if line.startswith("- [Tiny BERT]"))
    assert "data differs from the reference's in" in line and "rows (" in line


def test_an_entry_on_the_suites_protocol_is_ranked(root: Path) -> None:
    def standard(data: dict) -> None:
        for task in data["tasks"].values():
            task["divergences"] = []

    _edit_results(root, standard)
    build(root)
    board = (root / "LEADERBOARD.md").read_text()
    sample = board.split("## Sample")[1]
    ranking = sample.split("### Ranking (complete submissions, the suite's protocol)")[1].split("###")[0]
    assert ["1", "[Tiny BERT](https://example.org/tiny-bert)"] in [row[:2] for row in _rows(ranking)]
    assert "intermediate: MNLI" in ranking and "; fp32 |" in ranking


def test_a_recipe_that_contradicts_the_suite_is_refused_and_never_published(root: Path) -> None:
    _edit_results(root, lambda d: d["tasks"]["xnli"]["hyperparameters"].update(learning_rate=0.5))
    problems = check(root)
    assert any(
        "task xnli: recorded hyperparameters differ from the suite's and are not declared as overrides" in p
        for p in problems
    ), problems
    build(root)
    assert "Tiny BERT" not in (root / "LEADERBOARD.md").read_text()  # build leaves it out


def test_a_declared_override_is_a_non_standard_entry(root: Path) -> None:
    def override(data: dict) -> None:
        data["tasks"]["xnli"]["hyperparameters"]["learning_rate"] = 0.5
        data["tasks"]["xnli"]["overrides"] = {"learning_rate": 0.5}

    _edit_results(root, override)
    build(root)
    assert check(root) == []
    line = next(
        x for x in (root / "LEADERBOARD.md").read_text().splitlines() if x.startswith("- [Tiny BERT]")
    )
    assert "hyperparameters overridden: xnli.learning\\_rate=0.5" in line  # markdown-escaped


def test_an_absolute_path_is_refused(root: Path) -> None:
    _edit_results(root, lambda d: d["model"].update(id="/home/someone/checkpoints/model"))
    assert any("absolute path(s), e.g. '/home/someone/checkpoints/model'" in p for p in check(root))


def _forge(data: dict) -> None:
    """A better XNLI German score with every aggregate recomputed from it, and another weights hash:
    consistent enough for every check that does not look at the predictions."""
    from harness.results.aggregate import language_average, mean_over_seeds, task_score
    from harness.results.groups import groups

    suite = load_suite("sample")
    task, entry = data["tasks"]["xnli"], suite.tasks["xnli"]
    task["runs"][0]["scores"]["de"]["accuracy"] = 99.0
    task["scores"] = mean_over_seeds([run["scores"] for run in task["runs"]])
    task["averages"] = {m: language_average(task["scores"], entry.languages, m) for m in entry.metrics}
    task["score"] = task_score(task["averages"], entry.score)
    categories, overall = groups(
        {n: t["score"] for n, t in data["tasks"].items()}, suite.categories, list(suite.tasks)
    )
    data["categories"] = {k: v.model_dump() for k, v in categories.items()}
    data["overall"] = overall.model_dump()
    data["model"]["weights_hash"] = "sha256:" + "f" * 64


def test_scores_follow_from_the_predictions_and_a_consistent_forgery_is_caught(root: Path) -> None:
    """--rescore scores predictions.zip against gold labels read from the suite's own data."""
    assert check(root, rescore=True) == []
    _edit_results(root, _forge)
    build(root)
    assert check(root) == []  # every aggregate follows from the forged per-seed score
    problems = check(root, rescore=True)
    assert any(
        "task xnli seed 42 de: accuracy 99.0 is recorded, its predictions score" in p for p in problems
    ), problems
    result = runner.invoke(app, ["leaderboard", "check", "--root", str(root), "--rescore"])
    assert result.exit_code == 1 and "its predictions score" in " ".join(result.stderr.split())


def test_a_submission_carries_its_predictions(root: Path, sample_results: Path, tmp_path: Path) -> None:
    (_submission(root) / "predictions.zip").unlink()
    assert any("predictions.zip: missing" in p for p in check(root))
    card = tmp_path / "model.yaml"
    card.write_text(yaml.safe_dump({**CARD, "organisation": "Other"}))
    with pytest.raises(HarnessError, match="no test predictions"):
        assemble(sample_results, card, tmp_path / "subs", predictions=tmp_path / "nowhere")
