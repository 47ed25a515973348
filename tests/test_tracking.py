"""MLflow tracking: the SQLite default, --no-track, and a real `mlflow server` that dies mid-run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.results import read_results

runner = CliRunner()


def _eval(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["eval", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output + result.stderr


def _runs(uri: str, experiment: str = "harness/sample") -> list:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment} at {uri}"
    return client.search_runs([found.experiment_id])


def test_mlflow_retries_are_turned_off_when_a_tracker_is_made_not_on_import() -> None:
    show = "print(*(os.environ.get(f'MLFLOW_HTTP_REQUEST_{v}') for v in ('MAX_RETRIES', 'TIMEOUT')))\n"
    script = (
        "import os\nimport harness.tracking.mlflow_tracker\nfrom harness.tracking import make_tracker\n"
        f"{show}make_tracker('sqlite:///unused.db', True, print)\n{show}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_HTTP_REQUEST_")}
    found = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.splitlines() == ["None None", "0 10"]
    env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "3"  # the user's own setting wins
    found = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.splitlines() == ["3 None", "3 10"]


def test_default_is_an_sqlite_store_in_the_working_directory(tiny_bert: Path, tmp_path: Path) -> None:
    # A fresh process, as a user runs it (MLflow resolves a relative SQLite path once per process).
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "eval",
            "-s",
            "sample",
            "-m",
            str(tiny_bert),
            "-o",
            "out",
            "-t",
            "pawsx",
            "--limit",
            "4",
            "--seeds",
            "1,2",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    results = read_results(tmp_path / "out" / "results.json")
    assert (tmp_path / "mlflow.db").is_file() and results.tracking.status == "logged"
    assert results.tracking.uri == "sqlite:///mlflow.db"
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    runs = {run.info.run_name: run for run in _runs(uri)}
    parent = runs[f"{tiny_bert.name} on sample"]
    assert parent.info.run_id == results.tracking.run_id
    # per-language metrics read back, equal to results.json
    assert parent.data.metrics["pawsx.de.accuracy"] == results.tasks["pawsx"].scores["de"]["accuracy"]
    assert parent.data.metrics["pawsx.accuracy"] == results.tasks["pawsx"].averages["accuracy"]
    assert parent.data.params["suite.hash"] == results.suite.hash
    assert parent.data.tags["harness.model_hash"] == results.model.weights_hash
    # nested: a run per task, and a run per seed under it
    task_run = runs["pawsx"]
    assert task_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert task_run.data.params["hyperparameters.learning_rate"] == "0.0001"
    assert runs["pawsx seed 2"].data.tags["mlflow.parentRunId"] == task_run.info.run_id
    assert "average.accuracy.ci95_low" in task_run.data.metrics
    speed = results.tasks["pawsx"].throughput["predict"]
    assert task_run.data.metrics["predict.examples_per_second"] == speed.examples_per_second
    from mlflow import MlflowClient

    artifacts = {a.path for a in MlflowClient(uri).list_artifacts(parent.info.run_id)}
    assert {"results.json", "scores.txt"} <= artifacts


def test_no_track_logs_nothing(tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    _eval("-s", "sample", "-m", str(tiny_bert), "-o", "out", "-t", "pawsx", "--limit", "4", "--no-track")
    assert not (tmp_path / "mlflow.db").exists() and not (tmp_path / "mlruns").exists()
    assert read_results(tmp_path / "out" / "results.json").tracking.status == "off"


def test_an_unreachable_store_never_stops_the_evaluation(tiny_bert: Path, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    output = _eval(
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-o",
        str(tmp_path),
        "-t",
        "pawsx",
        "--limit",
        "4",
        "--tracking-uri",
        dead,
    )
    results = read_results(tmp_path / "results.json")
    assert results.tasks["pawsx"].status == "complete" and results.tracking.status == "failed"
    assert "harness track sync" in output and "Traceback" not in output
    # syncing to the same dead store: the error names it and says what to do, not "run track sync"
    synced = runner.invoke(app, ["track", "sync", str(tmp_path / "results.json")])
    assert synced.exit_code == 1 and f"not logged to {dead}" in synced.stderr
    assert "--tracking-uri" in synced.stderr and "harness track sync" not in synced.output
    # to a store that answers: logged, recorded in the file, and not logged twice
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    synced = runner.invoke(app, ["track", "sync", str(tmp_path / "results.json"), "--tracking-uri", store])
    assert synced.exit_code == 0 and "logged: run" in synced.output, synced.output
    after = read_results(tmp_path / "results.json").tracking
    assert (after.status, after.uri, after.error) == ("logged", store, None) and after.run_id
    again = runner.invoke(app, ["track", "sync", str(tmp_path / "results.json"), "--tracking-uri", store])
    assert again.exit_code == 0 and "already logged" in again.output


# --- a real tracking server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`mlflow server` on 127.0.0.1 with its own SQLite store; start, stop, start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.uri = ""

    def start(self) -> None:
        port = _free_port()
        self.uri = f"http://127.0.0.1:{port}"
        mlflow = Path(sys.executable).parent / "mlflow"
        self.process = subprocess.Popen(
            [
                str(mlflow),
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--backend-store-uri",
                f"sqlite:///{self.folder / 'server.db'}",
                "--artifacts-destination",
                str(self.folder / "artifacts"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.uri}/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("mlflow server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the server and its workers
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path / "mlflow-server")
    started.folder.mkdir()
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.slow
def test_a_tracking_server(tiny_bert: Path, tmp_path: Path, server: Server) -> None:
    _eval(
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-o",
        str(tmp_path / "out"),
        "-t",
        "pawsx",
        "--limit",
        "4",
        "--tracking-uri",
        server.uri,
    )
    results = read_results(tmp_path / "out" / "results.json")
    assert results.tracking.status == "logged" and results.tracking.uri == server.uri
    parent = next(r for r in _runs(server.uri) if r.info.run_id == results.tracking.run_id)
    assert parent.data.metrics["pawsx.ko.accuracy"] == results.tasks["pawsx"].scores["ko"]["accuracy"]


@pytest.mark.slow
def test_server_dies_mid_run_then_sync(
    tiny_bert: Path, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.tracking.mlflow_tracker import MlflowTracker

    original = MlflowTracker.task_finished

    def kill_after_first_task(self: MlflowTracker, task) -> None:
        original(self, task)
        server.stop()  # the server dies while the evaluation goes on

    monkeypatch.setattr(MlflowTracker, "task_finished", kill_after_first_task)
    output = _eval(
        "-s",
        "sample",
        "-m",
        str(tiny_bert),
        "-o",
        str(tmp_path / "out"),
        "-t",
        "pawsx,xcopa",
        "--limit",
        "4",
        "--tracking-uri",
        server.uri,
    )
    monkeypatch.setattr(MlflowTracker, "task_finished", original)
    path = tmp_path / "out" / "results.json"
    results = read_results(path)
    assert [results.tasks[t].status for t in ("pawsx", "xcopa")] == ["complete", "complete"]  # nothing lost
    assert results.tracking.status == "failed" and "could not" in (results.tracking.error or "")
    assert "MLflow" in output and "harness track sync" in output

    server.start()  # back (same store, new port)
    synced = runner.invoke(app, ["track", "sync", str(path), "--tracking-uri", server.uri])
    assert synced.exit_code == 0, synced.output
    after = read_results(path)
    assert after.tracking.status == "logged" and after.tracking.run_id != results.tracking.run_id
    parent = next(r for r in _runs(server.uri) if r.info.run_id == after.tracking.run_id)
    assert parent.data.metrics["xcopa.et.accuracy"] == after.tasks["xcopa"].scores["et"]["accuracy"]
    again = runner.invoke(app, ["track", "sync", str(path), "--tracking-uri", server.uri])
    assert again.exit_code == 0 and "already logged" in again.output
