"""The one fine-tuning loop shared by every format.

AdamW (bias and LayerNorm weights without decay), linear warmup then linear decay to 0, gradient
clipping, gradient accumulation, seeded shuffling; the best checkpoint on the dev set at a fixed
interval of optimizer steps. Step accounting follows the reference scripts (run_classify.py):
total steps = batches_per_epoch // grad_accum * epochs, an optimizer step after every grad_accum
batches counted within the epoch, and a dev evaluation every `every_steps` optimizer steps; the
best strictly-greater score wins.

Batches are padded to their longest member (dynamic padding); with `group_by_length` in the
recipe, batches are also drawn from pools of similar length (less padding, but batches no longer
mix lengths as the reference's do, so it is off unless a suite asks for it). A CUDA out-of-memory
error splits every batch into more pieces and redoes the current accumulation group, so the
effective batch and the update stay those of the recipe. Under several processes each takes its
share of every global batch (see distributed.py); under FSDP the steps run on a sharded twin of the
model (see sharding.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, Sampler

from harness.batching import Collate, Features
from harness.suites import Hyperparameters
from harness.training.distributed import part
from harness.training.predict import feature_length
from harness.training.runtime import Runtime, is_out_of_memory, place
from harness.training.sharding import prepare
from harness.training.throughput import Meter, reset_peak_memory


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
    meter: Meter = field(default_factory=Meter)  # training passes only (dev evaluations excluded)
    micro_batches: int = 1  # pieces each batch was split into after out-of-memory errors


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


class LengthGroupedBatches(Sampler[list[int]]):
    """Shuffled batches of similar length: a seeded permutation, cut into pools of 50 batches,
    each pool sorted by length and cut into batches, then the batches shuffled."""

    def __init__(self, lengths: list[int], batch_size: int, generator: torch.Generator, pool: int = 50):
        self.lengths, self.batch_size, self.generator, self.pool = lengths, batch_size, generator, pool

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self):  # type: ignore[no-untyped-def]
        order = torch.randperm(len(self.lengths), generator=self.generator).tolist()
        size = self.pool * self.batch_size
        batches = []
        for start in range(0, len(order), size):
            pool = sorted(order[start : start + size], key=lambda i: -self.lengths[i])
            batches += [pool[i : i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
        for index in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[index]


def _pieces(items: list, count: int) -> list[list]:
    count = max(1, min(count, len(items)))
    return [items[i.start : i.stop] for i in (part(len(items), count, k) for k in range(count))]


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
    splittable: bool = True,
    batches: Sampler[list[int]] | None = None,
) -> TrainOutcome:
    """Train in place. With `evaluate` and `every_steps`, the dev score is taken every `every_steps`
    optimizer steps and once more on the final weights; the best (a later one only when strictly
    better) is kept, as the reference's --eval_all_checkpoints does.

    `splittable=False`: the loss of a batch is not a mean over its examples (in-batch negatives), so
    batches are never split across processes or after an out-of-memory error.
    `batches`: the order of batches (index lists into `features`) when the caller has its own, as
    multi-task training does; by default seeded shuffling with `hp.batch_size` (grouped by length
    when the recipe asks).
    """
    from transformers import get_linear_schedule_with_warmup

    progress = progress or TrainProgress()
    dist = runtime.dist
    generator = torch.Generator().manual_seed(seed)
    if batches is None and hp.group_by_length:
        lengths = [feature_length(f) for f in features]
        batches = LengthGroupedBatches(lengths, hp.batch_size, generator)
    elif batches is None:  # exactly DataLoader(shuffle=True)'s order
        batches = BatchSampler(RandomSampler(features, generator=generator), hp.batch_size, drop_last=False)
    # The loader yields lists of features; pieces are collated (padded) only once it is known which
    # process and which out-of-memory piece they belong to.
    loader = DataLoader(features, batch_sampler=batches, collate_fn=list, generator=generator)
    steps_per_epoch = max(len(loader) // hp.grad_accum, 1)
    total = math.ceil(steps_per_epoch * hp.epochs)
    if hp.max_steps is not None:
        total = min(total, hp.max_steps)
    epochs = math.ceil(total / steps_per_epoch)

    place(model, runtime)
    trainee = prepare(model, runtime.fsdp, dist, runtime.device)
    optimizer = _optimizer(trainee.module, hp, runtime)
    # jiant truncates its warmup share: int(max_steps * warmup_steps_proportion)
    warmup = hp.warmup_steps or int(total * hp.warmup_ratio)
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup, total)
    outcome = TrainOutcome(optimizer_steps=0, epochs=0.0, seconds=0.0)
    passes = _Passes(trainee.module, collate, hp, runtime, outcome, splittable, trainee.lockstep)
    meter = outcome.meter
    best_state: dict[str, torch.Tensor] | None = None
    started = time.perf_counter()
    reset_peak_memory(runtime.device)
    progress.on_start(total)
    trainee.module.zero_grad(set_to_none=True)
    group: list[list[dict]] = []  # batches since the last optimizer step: redone after an OOM error
    step = 0
    meter.start()
    for _epoch in range(epochs):
        for index, batch in enumerate(loader):
            trainee.module.train()
            group.append(batch)
            loss = passes.accumulate(group)
            # As in the reference, a partial accumulation group at the end of an epoch carries its
            # gradients into the next epoch's first step (gradients are only cleared after a step).
            # Only an epoch shorter than one group (tiny or --limit runs) steps at its end.
            short_epoch = len(loader) < hp.grad_accum and index == len(loader) - 1
            if (index + 1) % hp.grad_accum and not short_epoch:
                continue
            trainee.reduce_grads()
            trainee.clip_grads(hp.max_grad_norm)
            optimizer.step()
            scheduler.step()
            trainee.module.zero_grad(set_to_none=True)
            group.clear()
            step += 1
            progress.on_step(step, loss)
            if evaluate is not None and every_steps and step % every_steps == 0:
                meter.stop()
                with trainee.full_weights():
                    score = evaluate()
                meter.start()
                outcome.dev_history.append((step, score))
                progress.on_eval(step, score)
                if outcome.selected_score is None or score > outcome.selected_score:
                    outcome.selected_step, outcome.selected_score = step, score
                    best_state = trainee.snapshot()
            if step >= total:
                break
        if step >= total:
            break
    meter.stop()
    outcome.optimizer_steps = step
    outcome.epochs = step / steps_per_epoch
    if best_state is not None and outcome.dev_history[-1][0] != step:
        # The reference (run_classify.py / run_tag.py with --eval_all_checkpoints) also scores the
        # final weights on dev, after the best interval checkpoint, and keeps them only when strictly
        # better (its glob lists checkpoint-best before the final save).
        with trainee.full_weights():
            score = evaluate()  # type: ignore[misc]
        outcome.dev_history.append((step, score))
        progress.on_eval(step, score)
        if score > outcome.selected_score:  # type: ignore[operator]
            outcome.selected_step, outcome.selected_score, best_state = step, score, None
    if best_state is not None:
        trainee.restore(best_state)
    trainee.finish()
    outcome.seconds = time.perf_counter() - started
    return outcome


@dataclass
class _Passes:
    """Forward and backward passes of one training run: the newest batch, or a group redone."""

    model: torch.nn.Module
    collate: Collate
    hp: Hyperparameters
    runtime: Runtime
    outcome: TrainOutcome
    splittable: bool  # False: in-batch negatives, the batch is the loss
    lockstep: bool  # every process must run as many passes as the others (FSDP)

    def accumulate(self, group: list[list[dict]]) -> float:
        """Backward the newest batch of the group; after an out-of-memory error, redo the whole
        group in smaller pieces (its earlier gradients are gone with the failed pass). Returns the
        batch loss.

        Under FSDP an out-of-memory error is fatal: the other processes are then inside collectives
        that this one would never join.
        """
        redo = False
        while True:
            try:
                if redo:
                    self.model.zero_grad(set_to_none=True)
                    for batch in group[:-1]:
                        self.backward(batch, count=False)
                return self.backward(group[-1], count=True)
            except Exception as exc:
                outcome = self.outcome
                if (
                    not is_out_of_memory(exc)
                    or outcome.micro_batches >= self.hp.batch_size
                    or not self.splittable
                    or self.lockstep
                ):
                    raise
                if self.runtime.device.type == "cuda":
                    torch.cuda.empty_cache()
                outcome.micro_batches *= 2
                outcome.meter.oom_retries += 1
                redo = True

    def pieces(self, batch: list[dict], rank: int) -> list[list[dict]]:
        """The pieces of a global batch that process `rank` passes through the model: its share,
        split after out-of-memory errors; those without a labelled unit are left out."""
        if self.splittable:
            share = [batch[i] for i in part(len(batch), self.runtime.dist.world, rank)]
            pieces = _pieces(share, self.outcome.micro_batches) if share else []
        else:
            pieces = [batch] if rank == 0 else []
        # nothing labelled: its mean loss is undefined, its gradient nothing
        return [piece for piece in pieces if sum(loss_units(f) for f in piece)]

    def backward(self, batch: list[dict], count: bool) -> float:
        """Gradients of this process's share of one global batch, weighted by its part of the batch.

        Each piece's mean loss is scaled by its share of the batch's loss units, so the summed
        gradients are those of the whole batch's mean whatever the split. A loss that compares the
        examples of a batch with each other (in-batch negatives) cannot be split: the first process
        takes such a batch whole. In lockstep, a process with fewer pieces than another runs extra
        passes on one labelled feature of the batch, with a loss weighted 0 (no gradient), so that
        every process joins the same collectives.
        """
        dist, hp = self.runtime.dist, self.hp
        pieces = self.pieces(batch, dist.rank)
        units = sum(loss_units(f) for f in batch)
        total, seen = 0.0, 0
        for piece in pieces:
            piece_units = sum(loss_units(f) for f in piece)
            # a whole batch on one process divides by exactly grad_accum, as the reference does
            loss = self._pass(piece, units * hp.grad_accum / piece_units, count)
            total += loss * len(piece)
            seen += len(piece)
        if self.lockstep:
            most = max(len(self.pieces(batch, rank)) for rank in range(dist.world))
            filler = [next((f for f in batch if loss_units(f)), batch[0])]
            for _ in range(most - len(pieces)):
                self._pass(filler, None, False)
        return total / seen if seen else 0.0

    def _pass(self, piece: list[dict], divisor: float | None, count: bool) -> float:
        """One forward and backward pass; its mean loss divided by `divisor` (None: weighted 0)."""
        inputs = self.collate(piece)
        inputs = {k: v.to(self.runtime.device) for k, v in inputs.items()}
        with self.runtime.autocast():
            loss = self.model(**inputs).loss
        (loss / divisor if divisor is not None else loss * 0.0).backward()
        if count:  # a batch redone after an out-of-memory error is not counted twice
            self.outcome.meter.add_batch(inputs, len(piece))
        return loss.item()


def loss_units(feature: dict) -> int:
    """What a feature adds to the mean a loss takes: its labelled tokens (token-level labels,
    -100 ignored) or 1 (one label, or QA start/end positions)."""
    labels = feature.get("labels")
    if isinstance(labels, list | tuple):
        return sum(1 for label in labels if label != -100)
    return 1
