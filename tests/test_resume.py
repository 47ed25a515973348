"""Nothing lost: finished (task, seed) results and weights survive a killed run, which then resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.results import read_results

runner = CliRunner()
TASKS = "pawsx,udpos,mlqa"


def _scores(path: Path) -> dict:
    results = read_results(path)
    return {
        name: (t.scores, t.averages, [r.dev_history for r in t.runs]) for name, t in results.tasks.items()
    }


def test_a_killed_run_resumes_to_the_same_results(tiny_bert: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = ["eval", "-s", "sample", "-m", str(tiny_bert), "-t", TASKS, "--limit", "8", "--no-track"]

    def run_here(out: Path) -> str:
        result = runner.invoke(app, [*command, "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run_here(tmp_path / "whole")  # reference: one uninterrupted run
    # the same command in its own process, killed (SIGKILL, no chance to clean up) once the first
    # task is on disk
    killed = subprocess.Popen(
        [sys.executable, "-m", "harness", *command, "-o", str(tmp_path / "run")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = tmp_path / "run" / "runs" / "pawsx" / "seed-42.json"
    deadline = time.time() + 300
    while not first.is_file() and killed.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert first.is_file(), "the first task should have finished before the kill"
    assert read_results(tmp_path / "run" / "results.json").status == "running"
    assert not (tmp_path / "run" / "runs" / "mlqa").exists()  # the run died before the last task

    assert "finished in an earlier run, resumed" in run_here(tmp_path / "run")
    results = read_results(tmp_path / "run" / "results.json")
    assert results.tasks["pawsx"].runs[0].resumed and not results.tasks["mlqa"].runs[0].resumed
    assert _scores(tmp_path / "run" / "results.json") == _scores(tmp_path / "whole" / "results.json")
    assert list((tmp_path / "run").glob("results.*.json"))  # the killed run's file was kept aside


def test_fresh_and_changed_options_redo_the_work(tiny_bert: Path, tmp_path: Path) -> None:
    base = [
        "eval",
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-t",
        "pawsx",
        "--limit",
        "6",
        "--no-track",
        "-o",
        str(tmp_path),
    ]
    assert runner.invoke(app, base).exit_code == 0
    stored = json.loads((tmp_path / "runs" / "pawsx" / "seed-42.json").read_text())
    again = runner.invoke(app, base)
    assert "resumed" in again.output
    assert read_results(tmp_path / "results.json").tasks["pawsx"].runs[0].resumed
    fresh = runner.invoke(app, [*base, "--fresh"])
    assert "resumed" not in fresh.output
    assert not read_results(tmp_path / "results.json").tasks["pawsx"].runs[0].resumed
    changed = runner.invoke(app, [*base, "--set", "pawsx.learning_rate=3e-4"])
    assert "resumed" not in changed.output  # another recipe: another key, never a stale result
    assert json.loads((tmp_path / "runs" / "pawsx" / "seed-42.json").read_text())["key"] != stored["key"]


@pytest.mark.parametrize("keep", [True, False])
def test_fine_tuned_weights_are_kept_and_reused(tiny_bert: Path, tmp_path: Path, keep: bool) -> None:
    args = [
        "eval",
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-t",
        "xquad",
        "--limit",
        "6",
        "--no-track",
        "-o",
        str(tmp_path),
    ]
    assert runner.invoke(app, [*args, *([] if keep else ["--no-save-weights"])]).exit_code == 0
    weights = list((tmp_path / "weights").glob("*.safetensors"))
    assert len(weights) == (1 if keep else 0)
    if keep:
        # MLQA trains exactly as XQuAD: a later run of it reuses the weights on disk instead of training
        result = runner.invoke(app, [*args[:6], "mlqa", *args[7:]])
        assert result.exit_code == 0 and "reusing fine-tuned weights" in result.output
        mlqa = read_results(tmp_path / "results.json").tasks["mlqa"].runs[0]
        assert mlqa.trained_by == "xquad" and mlqa.resumed


def test_changed_data_or_tokenizer_is_never_answered_from_old_work(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local training file edited, another tokenizer, another harness: retrained, re-featurized."""
    import shutil

    import harness
    from harness.suites import builtin_suites

    sample = builtin_suites()["sample"]
    shutil.copytree(sample.parent / "sample-data", tmp_path / "sample-data")
    shutil.copy(sample, tmp_path / "sample.yaml")
    model = tmp_path / "model"
    shutil.copytree(tiny_bert, model)
    out = tmp_path / "out"
    args = ["eval", "-s", str(tmp_path / "sample.yaml"), "-m", str(model), "-t", "xquad", "--limit", "6",
            "--no-track", "-o", str(out)]  # fmt: skip

    def run() -> tuple[bool, str]:
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return read_results(out / "results.json").tasks["xquad"].runs[0].resumed, result.output

    assert run()[0] is False
    assert run()[0] is True  # nothing changed: resumed
    train = next((tmp_path / "sample-data" / "squad").rglob("train-*.jsonl"))
    rows = train.read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    first["question"] = "A question edited in place?"
    train.write_text("\n".join([json.dumps(first), *rows[1:]]) + "\n", encoding="utf-8")
    resumed, output = run()
    assert not resumed and "reusing" not in output  # other training data: trained again
    assert run()[0] is True
    config = model / "tokenizer_config.json"
    settings = json.loads(config.read_text())
    config.write_text(json.dumps({**settings, "model_max_length": 77}))
    resumed, output = run()
    assert not resumed and "reusing" not in output  # another tokenizer: trained again
    cache = Path(os.environ["HARNESS_CACHE"]) / "features"
    before = set(cache.glob("*.pt"))
    monkeypatch.setattr(harness, "__version__", harness.__version__ + "+changed")
    runner.invoke(app, [*args, "--fresh"], catch_exceptions=False)
    assert set(cache.glob("*.pt")) - before  # another featurizing code: features built again


def test_another_pin_is_another_training_key() -> None:
    from harness.data import DataOptions
    from harness.evaluation.plan import training_key
    from harness.suites import load_suite
    from harness.tasks import TASKS as SPECS

    suite = load_suite("xtreme")
    moved = suite.model_copy(
        update={"datasets": {**suite.datasets, "google/xtreme": suite.datasets["google/xtreme"].model_copy(
            update={"revision": "0" * 40})}}
    )  # fmt: skip
    entry = suite.tasks["pawsx"]
    keys = [
        training_key(SPECS["pawsx"], entry, entry.hyperparameters, DataOptions(s)) for s in (suite, moved)
    ]
    assert keys[0] != keys[1]
