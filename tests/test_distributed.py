"""`accelerate launch -m harness eval`: two CPU processes (gloo) give the scores of one process,
with plain data parallelism and with FSDP.

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
import torch

# Three launches of two processes each (about a minute): with the other end-to-end runs.
pytestmark = pytest.mark.slow

TASKS = "xnli,udpos,xquad"  # a classifier, a tagger, and QA with its windows and odd last batch
REPO = Path(__file__).resolve().parent.parent
# 11 examples a split: batches of 8 + 3 (an odd last batch in training and prediction), 12 steps
# over 6 epochs with a dev evaluation, and 11 examples split 6 + 5 over two processes
LIMIT = "11"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(*options: str) -> list[str]:
    launch = [sys.executable, "-m", "accelerate.commands.launch", *options, "--num_processes", "2"]
    launch += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    return [*launch, "--main_process_port", str(_free_port())]


def _eval(launcher: list[str], model: Path, output: Path) -> dict:
    # fine-tuned weights are saved (OUTPUT/weights/), so that runs can be compared weight by weight
    command = [*launcher, "-m", "harness", "eval", "-s", "sample", "-m", str(model), "-o", str(output)]
    command += ["-t", TASKS, "--limit", LIMIT, "--no-track", "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((output / "results.json").read_text())


@pytest.fixture(scope="module")
def still_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_bert

    return make_bert(tmp_path_factory.mktemp("bert-no-dropout"), dropout=0.0)


@pytest.fixture(scope="module")
def one_process(still_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("one-process")
    _eval([sys.executable], still_bert, output)
    return output


def _same_scores(one: dict, two: dict) -> None:
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


def test_two_processes_score_as_one(still_bert: Path, one_process: Path, tmp_path: Path) -> None:
    one = json.loads((one_process / "results.json").read_text())
    two = _eval(_launch("--multi_gpu"), still_bert, tmp_path / "two")
    assert "fsdp" not in two["run"]  # no sharding: left out of results.json
    _same_scores(one, two)
    # one process writes: a single results.json, no stray files from the other
    assert sorted(p.name for p in (tmp_path / "two").iterdir() if p.suffix == ".json") == ["results.json"]


def test_fsdp_over_two_processes_trains_as_one(still_bert: Path, one_process: Path, tmp_path: Path) -> None:
    """The shipped FSDP config: sharded weights, gradients reduce-scattered, AdamW on the shards.

    Tolerance: scores within 1e-6 (the same predictions, as for plain data parallelism above);
    fine-tuned weights within 1e-3. Gradients are float32 sums taken in another order (the halves'
    gradients summed by the reduce-scatter, the clipping norm combined from the shards' norms), and
    AdamW divides each gradient by its running RMS: where the exact gradient is zero (QA's
    qa_outputs.bias, attention key biases: a softmax ignores a shift), rounding becomes steps of
    the learning rate. Measured: XNLI and UDPOS within 2e-8, XQuAD within 4e-4, and plain data
    parallelism differs from one process by as much (3e-4). test_sharding.py checks the gradients
    themselves (within 1e-6) and a whole run's weights (1e-6) on a model without such parameters.
    """
    from safetensors.torch import load_file

    config = REPO / "configs" / "accelerate" / "fsdp.yaml"
    one = json.loads((one_process / "results.json").read_text())
    two = _eval(_launch("--config_file", str(config)), still_bert, tmp_path / "two")
    assert two["run"]["fsdp"] == {"version": 2, "reshard_after_forward": True, "layers": None}
    _same_scores(one, two)
    # the full fine-tuned weights saved (by the first process), under the key a 1-process run uses
    saved = sorted(p.name for p in (one_process / "weights").glob("*.safetensors"))
    assert len(saved) == 3 and sorted(p.name for p in (tmp_path / "two" / "weights").iterdir()) == sorted(
        saved + [name.replace(".safetensors", ".json") for name in saved]
    )
    for name in saved:
        first, second = (
            load_file(one_process / "weights" / name),
            load_file(tmp_path / "two" / "weights" / name),
        )
        assert first.keys() == second.keys()
        for key, value in first.items():
            assert torch.allclose(second[key], value, rtol=0, atol=1e-3), (name, key)
