"""FSDP settings as `accelerate launch` passes them, and the lockstep that sharded training needs.

The 2-process FSDP run itself (gloo) is in test_distributed.py.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from harness.errors import HarnessError
from harness.suites import Hyperparameters
from harness.training import Runtime
from harness.training.distributed import Dist
from harness.training.loop import TrainOutcome, _Passes
from harness.training.sharding import FsdpSettings, _units

# what `accelerate launch --config_file configs/accelerate/fsdp.yaml` sets
SHIPPED = {
    "ACCELERATE_USE_FSDP": "true",
    "FSDP_VERSION": "2",
    "FSDP_RESHARD_AFTER_FORWARD": "true",
    "FSDP_AUTO_WRAP_POLICY": "TRANSFORMER_BASED_WRAP",
    "FSDP_OFFLOAD_PARAMS": "false",
    "FSDP_CPU_RAM_EFFICIENT_LOADING": "false",
    "FSDP_SYNC_MODULE_STATES": "false",
    "FSDP_ACTIVATION_CHECKPOINTING": "false",
    "FSDP_STATE_DICT_TYPE": "FULL_STATE_DICT",
    "FSDP_USE_ORIG_PARAMS": "true",  # an FSDP1 setting: no meaning for FSDP2, ignored
}


def test_no_fsdp_without_accelerate_saying_so() -> None:
    assert FsdpSettings.from_env({}) is None
    assert FsdpSettings.from_env({"ACCELERATE_USE_FSDP": "false", "FSDP_VERSION": "1"}) is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, FsdpSettings(reshard_after_forward=True, layers=None)),
        ({"FSDP_RESHARD_AFTER_FORWARD": "false"}, FsdpSettings(reshard_after_forward=False)),
        ({"FSDP_RESHARD_AFTER_FORWARD": "SHARD_GRAD_OP"}, FsdpSettings(reshard_after_forward=False)),
        (
            {"FSDP_TRANSFORMER_CLS_TO_WRAP": "BertLayer, BertEmbeddings"},
            FsdpSettings(layers=("BertLayer", "BertEmbeddings")),
        ),
        ({"FSDP_AUTO_WRAP_POLICY": "NO_WRAP"}, FsdpSettings(layers=())),
    ],
)
def test_settings_from_the_launcher(changes: dict[str, str], expected: FsdpSettings) -> None:
    assert FsdpSettings.from_env({**SHIPPED, **changes}) == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"FSDP_VERSION": "1"}, "fsdp_version: 2"),  # `accelerate launch --use_fsdp` alone means FSDP1
        ({"FSDP_OFFLOAD_PARAMS": "true"}, "FSDP_OFFLOAD_PARAMS=true"),
        ({"FSDP_CPU_RAM_EFFICIENT_LOADING": "true"}, "first process only"),
        ({"FSDP_ACTIVATION_CHECKPOINTING": "true"}, "--gradient-checkpointing"),
        ({"FSDP_STATE_DICT_TYPE": "SHARDED_STATE_DICT"}, "FULL_STATE_DICT"),
        ({"FSDP_AUTO_WRAP_POLICY": "SIZE_BASED_WRAP"}, "allowed: TRANSFORMER_BASED_WRAP, NO_WRAP"),
        ({"FSDP_RESHARD_AFTER_FORWARD": "maybe"}, "allowed: true, false"),
    ],
)
def test_settings_the_harness_cannot_honour_are_refused(changes: dict[str, str], message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        FsdpSettings.from_env({**SHIPPED, **changes})


def test_units_are_the_models_blocks_innermost_first() -> None:
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=50, hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=8
    )
    model = BertForSequenceClassification(config)
    units = _units(model, None)  # transformers' _no_split_modules: BertEmbeddings, BertLayer
    assert sorted(type(u).__name__ for u in units) == ["BertEmbeddings", "BertLayer", "BertLayer"]
    order = {id(m): i for i, m in enumerate(reversed(list(model.modules())))}
    assert [order[id(u)] for u in units] == sorted(order[id(u)] for u in units)
    assert _units(model, ()) == []
    with pytest.raises(HarnessError, match="T5Block not in this model"):
        _units(model, ("T5Block",))


class Counting(nn.Module):
    """A classifier that counts its forward passes."""

    def __init__(self) -> None:
        super().__init__()
        self.classifier = nn.Linear(2, 2)
        self.passes = 0

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> SequenceClassifierOutput:
        self.passes += 1
        logits = self.classifier(x)
        return SequenceClassifierOutput(loss=nn.functional.cross_entropy(logits, labels), logits=logits)


def _collate(batch: list[dict]) -> dict[str, torch.Tensor]:
    return {"x": torch.stack([b["x"] for b in batch]), "labels": torch.tensor([b["labels"] for b in batch])}


@pytest.mark.parametrize("lockstep", [False, True])
def test_in_lockstep_a_process_without_work_joins_with_a_pass_that_adds_nothing(lockstep: bool) -> None:
    # one example, two processes: the second has an empty share
    batch = [{"x": torch.ones(2), "labels": 1}]
    hp = Hyperparameters.model_validate({"learning_rate": 0.1, "batch_size": 2, "epochs": 1, "max_length": 8})
    model = Counting()
    second = Runtime(torch.device("cpu"), "fp32", Dist(rank=1, world=2))
    passes = _Passes(model, _collate, hp, second, TrainOutcome(0, 0.0, 0.0), True, lockstep)
    assert passes.backward(batch, count=True) == 0.0
    assert model.passes == (1 if lockstep else 0)
    grads = [p.grad for p in model.parameters()]
    if lockstep:  # it joined the collectives with a zero gradient
        assert all(g is not None and not g.any() for g in grads)
    else:
        assert all(g is None for g in grads)


# --- two processes (gloo): this file run by torchrun ------------------------------------------------


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.linear(x))


class Tagger(nn.Module):
    """Per-token labels (-100: none), two blocks sharded as units of their own, and a scalar
    parameter (as a dual encoder's logit scale), which FSDP cannot shard."""

    _no_split_modules = ("Block",)

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.Sequential(Block(), Block())
        self.classifier = nn.Linear(4, 3)
        self.scale = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> SequenceClassifierOutput:
        logits = self.classifier(self.blocks(x)) * self.scale
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        return SequenceClassifierOutput(loss=loss, logits=logits)


def _tokens(count: int, seed: int) -> list[dict]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(count, 3, 4, generator=generator)
    labels = torch.randint(0, 3, (count, 3), generator=generator)
    labels[labels == 2] = -100  # about a third of the tokens unlabelled
    return [{"x": x[i], "labels": labels[i].tolist()} for i in range(count)]


def _stack(batch: list[dict]) -> dict[str, torch.Tensor]:
    return {"x": torch.stack([b["x"] for b in batch]), "labels": torch.tensor([b["labels"] for b in batch])}


def _worker() -> None:
    import copy

    from harness.training import fine_tune
    from harness.training.sharding import Sharded

    cpu = torch.device("cpu")
    dist = Dist.detect(cpu=True)
    assert dist.world == 2
    one = Runtime(cpu, "fp32")
    sharded = Runtime(cpu, "fp32", dist, fsdp=FsdpSettings())
    hp = Hyperparameters.model_validate(
        {"learning_rate": 0.05, "batch_size": 5, "epochs": 3, "max_length": 8, "max_grad_norm": 0.5}
    )

    # 1. One global batch: the reduced gradient is the one-process gradient, and so are its norm and
    # its clipping. The second process's share (2 of 5) has no labelled token: one filler pass.
    batch = _tokens(5, seed=1)
    for feature in batch[3:]:
        feature["labels"] = [-100] * 3
    torch.manual_seed(0)
    model = Tagger()
    reference = copy.deepcopy(model)
    trainee = Sharded(model, FsdpSettings(), dist, cpu)
    assert all(p.numel() == 0 for n, p in model.named_parameters() if n != "scale")  # given up
    _Passes(trainee.module, _stack, hp, sharded, TrainOutcome(0, 0.0, 0.0), True, True).backward(batch, True)
    _Passes(reference, _stack, hp, one, TrainOutcome(0, 0.0, 0.0), True, False).backward(batch, True)
    trainee.reduce_grads()
    norm = trainee.clip_grads(0.1)
    assert torch.allclose(norm, torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.1), rtol=1e-6)
    assert norm > 0.1  # the gradients were scaled down
    expected = dict(reference.named_parameters())
    for name, param in trainee.module.named_parameters():
        grad = param.grad.full_tensor() if name != "scale" else param.grad
        assert torch.allclose(grad, expected[name].grad, rtol=1e-6, atol=1e-7), name
    with trainee.full_weights():
        assert all(torch.equal(p, expected[n]) for n, p in model.named_parameters())
    assert all(p.numel() == 0 for n, p in model.named_parameters() if n != "scale")

    # 2. Whole runs, the dev score (taken on the caller's model) selecting an interval checkpoint,
    # restored at the end: the same selection and the same weights.
    features, dev = _tokens(23, seed=2), _stack(_tokens(8, seed=3))

    def run(runtime: Runtime) -> tuple[nn.Module, object]:
        torch.manual_seed(0)
        model = Tagger()

        def evaluate() -> float:  # the dev loss as the score: the first checkpoint is selected
            with torch.no_grad():
                return model(**dev).loss.item()

        outcome = fine_tune(
            model, features, _stack, hp, seed=0, runtime=runtime, evaluate=evaluate, every_steps=2
        )
        return model, outcome

    (first, first_outcome), (second, second_outcome) = run(one), run(sharded)
    assert second_outcome.selected_step == first_outcome.selected_step < second_outcome.optimizer_steps
    for (name, a), b in zip(first.named_parameters(), second.parameters(), strict=True):
        assert not isinstance(b, torch.distributed.tensor.DTensor) and b.grad is None
        assert torch.allclose(a, b, rtol=0, atol=1e-6), name
    print(f"rank {dist.rank}: ok")


def test_two_processes_shard_and_compute_what_one_computes() -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(port),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([*command, __file__], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "rank 0: ok" in done.stdout and "rank 1: ok" in done.stdout


if __name__ == "__main__":
    _worker()
