"""Signals, two runs on one folder, full disks: finished work is kept and the user is told."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import HarnessError
from harness.results import read_results

runner = CliRunner()


def _harness(model: Path, out: Path, tasks: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harness", "eval", "-s", "sample", "-m", str(model), "-t", tasks,
            "--limit", "8", "--no-track", "-o", str(out), *extra]  # fmt: skip


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while not path.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert path.exists(), f"{path} never appeared"


def test_sigterm_keeps_finished_work_and_says_so(tiny_bert: Path, tmp_path: Path) -> None:
    """timeout, Slurm and Kubernetes stop a job with SIGTERM: handled as Ctrl-C, exit 143."""
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        _harness(tiny_bert, out, "pawsx,udpos,panx,xquad"), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for(out / "runs" / "pawsx" / "seed-42.json", process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 143, stderr
    assert "terminated (SIGTERM)" in " ".join(stderr.split())
    results = read_results(out / "results.json")
    assert results.status == "interrupted" and results.tasks["pawsx"].status == "complete"


def test_a_second_run_on_the_same_folder_is_told_who_holds_it(tiny_bert: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen(
        _harness(tiny_bert, out, "pawsx,udpos,panx,xquad,mlqa"), env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(out / ".harness.lock.pid", first)
        second = runner.invoke(app, _harness(tiny_bert, out, "pawsx")[3:])
        assert second.exit_code == 2
        message = " ".join(second.output.split())
        assert f"in use by process {first.pid} on" in message and "--wait" in message
        assert not list(out.glob("results.*.json"))  # the first run's results were not moved aside
    finally:
        first.send_signal(signal.SIGKILL)  # dies holding the lock: a stale lock
        first.wait()
    third = runner.invoke(app, _harness(tiny_bert, out, "pawsx")[3:])
    assert third.exit_code == 0, third.output  # the dead process's lock is taken over


def test_two_runs_create_one_tracking_store_together(tiny_bert: Path, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'fresh' / 'mlflow.db'}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri}
    commands = [
        [a for a in _harness(tiny_bert, tmp_path / name, "pawsx", "--limit", "4") if a != "--no-track"]
        for name in ("a", "b")
    ]
    processes = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for c in commands
    ]
    for process in processes:
        output = process.communicate(timeout=600)[0].decode()
        assert process.returncode == 0, output
    for name in ("a", "b"):
        tracking = read_results(tmp_path / name / "results.json").tracking
        assert tracking.status == "logged", tracking.error


def test_a_full_disk_costs_the_saved_weights_not_the_trained_task(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.evaluation.store import RunStore

    def full(self: RunStore, key: str, model: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.weights_path(key)))

    monkeypatch.setattr(RunStore, "save_weights", full)
    result = runner.invoke(app, _harness(tiny_bert, tmp_path / "run", "pawsx")[3:])
    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert "fine-tuned weights not saved (No space left on device:" in message
    task = read_results(tmp_path / "run" / "results.json").tasks["pawsx"]
    assert task.status == "complete" and task.score is not None


def test_no_space_at_the_start_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.evaluation.output import check_writable

    def full(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(HarnessError, match=r"out: no space left on the device that holds it"):
        check_writable(tmp_path / "out")
