"""`accelerate launch -m harness eval`: two CPU processes (gloo) give the scores of one process.

Dropout is off in this model: with it, each process would draw masks for its half of a batch
where one process draws them for the whole batch, and the runs would differ by design.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

TASKS = "xnli,udpos,xquad"  # a classifier, a tagger, and QA with its windows and odd last batch
# 11 examples a split: batches of 8 + 3 (an odd last batch in training and prediction), 12 steps
# over 6 epochs with a dev evaluation, and 11 examples split 6 + 5 over two processes
LIMIT = "11"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _eval(launcher: list[str], model: Path, output: Path) -> dict:
    command = [*launcher, "-m", "harness", "eval", "-s", "sample", "-m", str(model), "-o", str(output)]
    command += ["-t", TASKS, "--limit", LIMIT, "--no-track", "--no-save-weights", "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((output / "results.json").read_text())


@pytest.fixture(scope="module")
def still_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_bert

    return make_bert(tmp_path_factory.mktemp("bert-no-dropout"), dropout=0.0)


def test_two_processes_score_as_one(still_bert: Path, tmp_path: Path) -> None:
    one = _eval([sys.executable], still_bert, tmp_path / "one")
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2"]
    launch += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    launch += ["--main_process_port", str(_free_port())]
    two = _eval(launch, still_bert, tmp_path / "two")
    assert two["run"]["processes"] == 2 and one["run"]["processes"] == 1
    for task in TASKS.split(","):
        first, second = one["tasks"][task], two["tasks"][task]
        assert second["status"] == "complete", second.get("reason")
        # every example predicted once: no duplicates, none dropped at the last batch
        assert [r["examples"] for r in second["runs"]] == [r["examples"] for r in first["runs"]]
        assert second["throughput"]["predict"]["examples"] == first["throughput"]["predict"]["examples"]
        assert second["throughput"]["fine_tune"]["examples"] == first["throughput"]["fine_tune"]["examples"]
        # the same training (one global batch order, gradients summed): the same scores
        assert (
            second["runs"][0]["stages"][0]["optimizer_steps"]
            == first["runs"][0]["stages"][0]["optimizer_steps"]
        )
        for lang, metrics in first["scores"].items():
            for metric, value in metrics.items():
                assert second["scores"][lang][metric] == pytest.approx(value, abs=1e-6), (task, lang, metric)
    # one process writes: a single results.json, no stray files from the other
    assert sorted(p.name for p in (tmp_path / "two").iterdir() if p.suffix == ".json") == ["results.json"]
