"""The one fine-tuning loop shared by every format.

AdamW (bias and LayerNorm weights without decay), linear warmup then linear decay to 0, gradient
clipping, gradient accumulation, seeded shuffling; the best checkpoint on the dev set at a fixed
interval of optimizer steps. Step accounting follows the reference scripts (run_classify.py):
total steps = batches_per_epoch // grad_accum * epochs, an optimizer step after every grad_accum
batches counted within the epoch, and a dev evaluation every `every_steps` optimizer steps; the
best strictly-greater score wins.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader

from harness.formats.base import Collate, Features
from harness.suites import Hyperparameters
from harness.training.runtime import Runtime


@dataclass
class TrainProgress:
    """Callbacks the caller may set to follow training (all optional)."""

    on_start: Callable[[int], None] = lambda total_steps: None
    on_step: Callable[[int, float], None] = lambda step, loss: None
    on_eval: Callable[[int, float], None] = lambda step, score: None


@dataclass
class TrainOutcome:
    optimizer_steps: int
    epochs: float
    seconds: float
    selected_step: int | None = None  # None: the final weights were kept
    selected_score: float | None = None
    dev_history: list[tuple[int, float]] = field(default_factory=list)


def _optimizer(model: torch.nn.Module, hp: Hyperparameters, runtime: Runtime) -> torch.optim.Optimizer:
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "layernorm.weight")
    decay, plain = [], []
    for name, param in model.named_parameters():
        if param.requires_grad:
            (plain if any(nd in name for nd in no_decay) else decay).append(param)
    groups = [{"params": decay, "weight_decay": hp.weight_decay}, {"params": plain, "weight_decay": 0.0}]
    return torch.optim.AdamW(
        groups, lr=hp.learning_rate, eps=hp.adam_epsilon, fused=runtime.device.type == "cuda"
    )


def fine_tune(
    model: torch.nn.Module,
    features: Features,
    collate: Collate,
    hp: Hyperparameters,
    *,
    seed: int,
    runtime: Runtime,
    evaluate: Callable[[], float] | None = None,
    every_steps: int | None = None,
    progress: TrainProgress | None = None,
) -> TrainOutcome:
    """Train in place. With `evaluate` and `every_steps`, the best dev checkpoint is restored at the end."""
    from transformers import get_linear_schedule_with_warmup

    progress = progress or TrainProgress()
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        features, batch_size=hp.batch_size, shuffle=True, collate_fn=collate, generator=generator
    )
    steps_per_epoch = max(len(loader) // hp.grad_accum, 1)
    total = math.ceil(steps_per_epoch * hp.epochs)
    if hp.max_steps is not None:
        total = min(total, hp.max_steps)
    epochs = math.ceil(total / steps_per_epoch)

    model.to(runtime.device)
    optimizer = _optimizer(model, hp, runtime)
    scheduler = get_linear_schedule_with_warmup(optimizer, hp.warmup_steps, total)
    outcome = TrainOutcome(optimizer_steps=0, epochs=0.0, seconds=0.0)
    best_state: dict[str, torch.Tensor] | None = None
    started = time.perf_counter()
    progress.on_start(total)
    model.zero_grad(set_to_none=True)
    step = 0
    for _epoch in range(epochs):
        for index, batch in enumerate(loader):
            model.train()
            batch = {k: v.to(runtime.device) for k, v in batch.items()}
            with runtime.autocast():
                loss = model(**batch).loss / hp.grad_accum
            loss.backward()
            # As in the reference, a partial accumulation group at the end of an epoch carries its
            # gradients into the next epoch's first step (gradients are only cleared after a step).
            # Only an epoch shorter than one group (tiny or --limit runs) steps at its end.
            short_epoch = len(loader) < hp.grad_accum and index == len(loader) - 1
            if (index + 1) % hp.grad_accum and not short_epoch:
                continue
            torch.nn.utils.clip_grad_norm_(model.parameters(), hp.max_grad_norm)
            optimizer.step()
            scheduler.step()
            model.zero_grad(set_to_none=True)
            step += 1
            progress.on_step(step, loss.item() * hp.grad_accum)
            if evaluate is not None and every_steps and step % every_steps == 0:
                score = evaluate()
                outcome.dev_history.append((step, score))
                progress.on_eval(step, score)
                if outcome.selected_score is None or score > outcome.selected_score:
                    outcome.selected_step, outcome.selected_score = step, score
                    best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            if step >= total:
                break
        if step >= total:
            break
    outcome.optimizer_steps = step
    outcome.epochs = step / steps_per_epoch
    if best_state is not None:
        model.load_state_dict(best_state)
    outcome.seconds = time.perf_counter() - started
    return outcome
