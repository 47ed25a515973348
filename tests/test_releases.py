"""The original releases, read as the reference reads them, and an XTREME-R run that completes from them.

Fixtures are written by `release_data` in each release's own format; nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from release_data import tatoeba, xtreme_r
from typer.testing import CliRunner

from harness.cli import app
from harness.data import DataOptions, load_split
from harness.results import read_results
from harness.suites import builtin_suites, load_suite
from harness.tasks import TASKS

runner = CliRunner()
XTREME_R = load_suite("xtreme-r")
TINY = {
    "learning_rate": 1.0e-4,
    "batch_size": 4,
    "grad_accum": 1,
    "epochs": 1,
    "max_length": 64,
    "max_steps": 2,
}


def fixture_suite(folder: Path, data: Path) -> Path:
    """xtreme-r.yaml with its exact tasks, languages, metrics and categories, tiny recipes, no hub
    pins (every split is read from the releases in `data`)."""
    suite = yaml.safe_load(builtin_suites()["xtreme-r"].read_text())
    suite["datasets"] = {}
    suite["download_dir"] = str(data)
    for entry in suite["tasks"].values():
        if "hyperparameters" in entry:
            qa = {"doc_stride": 16, "max_query_length": 16} if "qa" in entry["hyperparameters"] else None
            entry["hyperparameters"] = {**TINY, **({"qa": qa} if qa else {})}
        if entry.get("selection", {}).get("rule") == "best_on_dev":
            entry["selection"]["every_steps"] = 1
        if "retrieval" in entry:
            entry["retrieval"]["representation"]["max_length"] = 64
            for side in ("query_length", "candidate_length"):
                if side in entry["retrieval"]:
                    entry["retrieval"][side] = 32
    path = folder / "xtreme-r.yaml"
    path.write_text(yaml.safe_dump(suite, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def xtreme_r_run(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("xtreme-r-releases")
    data = xtreme_r(root / "data", {name: entry.languages for name, entry in XTREME_R.tasks.items()})
    suite = fixture_suite(root, data)
    out = root / "out"
    result = runner.invoke(
        app,
        ["eval", "--suite", str(suite), "--model", str(tiny_bert), "--output", str(out), "--no-track"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return suite, out


def test_xtreme_r_completes_from_the_original_releases(xtreme_r_run: tuple[Path, Path]) -> None:
    suite, out = xtreme_r_run
    fixture = load_suite(str(suite))
    assert list(fixture.tasks) == list(XTREME_R.tasks)
    for name, entry in fixture.tasks.items():
        assert entry.languages == XTREME_R.tasks[name].languages, name
        assert entry.metrics == XTREME_R.tasks[name].metrics, name
    results = read_results(out / "results.json")
    assert results.status == "complete", {
        t: r.reason for t, r in results.tasks.items() if r.status != "complete"
    }
    assert results.overall.score is not None and len(results.overall.tasks) == 10
    assert results.categories["multi_choice"].score == results.tasks["xcopa"].score
    for name, task in results.tasks.items():
        assert task.status == "complete" and not task.missing_languages, name
        assert {entry.source for entry in task.data} <= {"release", "download"}, name
    # the five Tatoeba languages google/xtreme lacks come from LASER's files
    tatoeba = {d.language: d for d in results.tasks["tatoeba"].data}
    for lang in ("az", "lt", "pl", "uk", "ro"):
        assert tatoeba[lang].release == "laser-tatoeba", lang
        assert (tatoeba[lang].revision_used or "").startswith("sha256:")
    # UD-POS: XTREME languages from UD 2.5, XTREME-R's additions from UD 2.7
    udpos = {d.language: d.release for d in results.tasks["udpos"].data if d.split == "test"}
    assert udpos["de"] == "ud-2.5" and udpos["lt"] == "ud-2.7"
    assert set(results.tasks["udpos"].scores["de"]) == {"f1", "precision", "recall", "accuracy"}


def test_data_check_lists_every_source_of_the_fixture(xtreme_r_run: tuple[Path, Path]) -> None:
    suite, _ = xtreme_r_run
    result = runner.invoke(app, ["data", "check", "--suite", str(suite), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    tests = [row for row in rows if row["role"] == "test"]
    assert len(tests) == sum(len(entry.languages) for entry in XTREME_R.tasks.values())
    assert all(row["source"] and row["present"] and row["rows"] for row in tests)
    # the fixture is tiny: every count differs from the reference's, and says so with its source
    panx_de = next(row for row in tests if row["task"] == "panx" and row["language"] == "de")
    assert panx_de["rows"] == 4 and panx_de["expected_rows"] == 10000
    assert panx_de["divergences"] == [
        f"rows: 4 read, the reference's data has 10,000 ({panx_de['expected_source']})"
    ]


def test_laser_files_keep_their_alignment(tmp_path: Path, tiny_bert: Path) -> None:
    """Row i of tatoeba.xxx-eng.xxx translates row i of tatoeba.xxx-eng.eng; the English side is
    not sorted (download_data.sh sorts it, which hides the alignment)."""
    data = tmp_path / "data"
    tatoeba(data, ["az", "de"], n=6, same=True)
    suite = yaml.safe_load(builtin_suites()["xtreme-r"].read_text())
    suite.update(datasets={}, download_dir=str(data), categories={})
    suite["tasks"] = {"tatoeba": {**suite["tasks"]["tatoeba"], "languages": ["az", "de"]}}
    suite["tasks"]["tatoeba"]["retrieval"].pop("encoder_from")
    path = tmp_path / "xtreme-r.yaml"
    path.write_text(yaml.safe_dump(suite))
    loaded = load_split(TASKS["tatoeba"], "test", "az", DataOptions(load_suite(str(path))))
    english = (data / "LASER-main/data/tatoeba/v1/tatoeba.aze-eng.eng").read_text().splitlines()
    assert [e["target"] for e in loaded.examples] == english != sorted(english)
    assert [e["source"] for e in loaded.examples] == english
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["eval", "-s", str(path), "-m", str(tiny_bert), "-o", str(out), "--no-track"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    scores = read_results(out / "results.json").tasks["tatoeba"].scores
    # identical sentences embed identically: each English line finds its own row
    assert scores == {"az": {"accuracy": 100.0}, "de": {"accuracy": 100.0}}


def test_data_check_names_a_source_for_every_test_language_of_xtreme_r() -> None:
    """The acceptance check, on the built-in suite with no data folder: every (task, language) of
    the test role has a source (LASER's files for the five languages google/xtreme lacks)."""
    result = runner.invoke(app, ["data", "check", "--suite", "xtreme-r", "--json", "--no-read"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"task", "language", "split", "source", "expected_rows", "rows", "divergences"} <= set(rows[0])
    tests = [row for row in rows if row["role"] == "test"]
    counts = {name: sum(row["task"] == name for row in tests) for name in XTREME_R.tasks}
    assert counts == {name: len(entry.languages) for name, entry in XTREME_R.tasks.items()}
    assert counts["tatoeba"] == 41 and counts["panx"] == 48 and counts["udpos"] == 38
    assert all(row["source"] for row in tests)
    by = {(row["task"], row["language"]): row for row in tests}
    for lang, code in (("az", "aze"), ("lt", "lit"), ("pl", "pol"), ("uk", "ukr"), ("ro", "ron")):
        row = by[("tatoeba", lang)]
        assert row["source"] == f"laser-tatoeba: LASER-main/data/tatoeba/v1/tatoeba.{code}-eng.{code}"
        assert row["kind"] == "release" and row["expected_rows"] == 1000 and row["rows"] is None
        assert "facebookresearch/LASER" in row["problem"]
    # where the hub copy is known to differ, the check says so before any data is read
    assert any("treebanks" in note for note in by[("udpos", "el")]["divergences"])
    assert by[("panx", "qu")]["source"].startswith("unimelb-nlp/wikiann@f89f2fe")


def test_data_check_exits_1_when_a_language_has_no_source(tmp_path: Path) -> None:
    suite = yaml.safe_load(builtin_suites()["xtreme-r"].read_text())
    xquad = suite["tasks"]["xquad"]
    suite.update(categories={}, tasks={"xquad": {**xquad, "languages": [*xquad["languages"], "fr"]}})
    path = tmp_path / "xtreme-r.yaml"
    path.write_text(yaml.safe_dump(suite))
    result = runner.invoke(app, ["data", "check", "--suite", str(path), "--json", "--no-read"])
    assert result.exit_code == 1, result.output
    missing = [row for row in json.loads(result.output) if row["source"] is None]
    assert [(row["task"], row["split"], row["language"]) for row in missing] == [("xquad", "test", "fr")]
    assert missing[0]["problem"] == "no source holds this language"
