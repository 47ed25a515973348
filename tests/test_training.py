"""The shared fine-tuning loop: step accounting as the reference, selection, determinism."""

from __future__ import annotations

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from harness.suites import Hyperparameters
from harness.training import Runtime, TrainProgress, fine_tune, seed_everything

CPU = Runtime(torch.device("cpu"), "fp32")


class Linear(nn.Module):
    """A one-layer classifier over fixed features: fast, and its weights show every update."""

    def __init__(self) -> None:
        super().__init__()
        self.classifier = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> SequenceClassifierOutput:
        logits = self.classifier(x)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def _features(n: int) -> list[dict]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=generator)
    return [{"x": x[i], "labels": int(x[i, 0] > 0)} for i in range(n)]


def _collate(batch: list[dict]) -> dict[str, torch.Tensor]:
    return {"x": torch.stack([b["x"] for b in batch]), "labels": torch.tensor([b["labels"] for b in batch])}


def _hp(**kw: object) -> Hyperparameters:
    return Hyperparameters.model_validate(
        {"learning_rate": 0.1, "batch_size": 2, "epochs": 1, "max_length": 16, **kw}
    )


def test_total_steps_follow_the_reference_formula() -> None:
    # 10 examples / batch 2 = 5 batches; // grad_accum 2 = 2 steps per epoch; x 3 epochs = 6 steps
    seed_everything(0)
    outcome = fine_tune(Linear(), _features(10), _collate, _hp(grad_accum=2, epochs=3), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 6 and outcome.epochs == 3.0


def test_max_steps_caps_training() -> None:
    seed_everything(0)
    outcome = fine_tune(Linear(), _features(10), _collate, _hp(epochs=5, max_steps=3), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 3


def test_best_dev_checkpoint_is_restored() -> None:
    seed_everything(0)
    model = Linear()
    snapshots: dict[int, torch.Tensor] = {}
    scores = iter([10.0, 30.0, 20.0, 30.0])  # the first 30.0 wins: strictly greater replaces
    step = {"n": 0}

    def evaluate() -> float:
        step["n"] += 1
        snapshots[step["n"]] = model.classifier.weight.detach().clone()
        return next(scores)

    outcome = fine_tune(
        model, _features(8), _collate, _hp(epochs=2), seed=0, runtime=CPU, evaluate=evaluate, every_steps=2
    )
    assert outcome.dev_history == [(2, 10.0), (4, 30.0), (6, 20.0), (8, 30.0)]
    assert (outcome.selected_step, outcome.selected_score) == (4, 30.0)
    assert torch.equal(model.classifier.weight, snapshots[2])


def test_progress_callbacks_see_every_step() -> None:
    seen: list[int] = []
    totals: list[int] = []
    progress = TrainProgress(on_start=totals.append, on_step=lambda step, loss: seen.append(step))
    fine_tune(Linear(), _features(8), _collate, _hp(epochs=2), seed=0, runtime=CPU, progress=progress)
    assert totals == [8] and seen == list(range(1, 9))


def test_same_seed_same_weights_other_seed_other_order() -> None:
    def train(seed: int) -> torch.Tensor:
        seed_everything(seed)
        model = Linear()
        fine_tune(model, _features(16), _collate, _hp(epochs=2), seed=seed, runtime=CPU)
        return model.classifier.weight.detach()

    assert torch.equal(train(3), train(3))
    assert not torch.equal(train(3), train(4))


def test_short_epoch_still_steps() -> None:
    # fewer batches than grad_accum (a --limit run): one step at the end of each epoch
    outcome = fine_tune(Linear(), _features(4), _collate, _hp(grad_accum=16, epochs=2), seed=0, runtime=CPU)
    assert outcome.optimizer_steps == 2
