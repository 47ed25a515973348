"""`harness intermediate`: train a checkpoint on English intermediate tasks, save what `eval` takes.

Sequential: one task after another, the encoder carried over and each task's head dropped after
it (STILTs). Multi-task: one encoder shared by one head per task, each batch from one task drawn
by size-proportional, temperature or uniform sampling. Full fine-tuning saves the encoder as a
checkpoint folder; `--peft lora` saves the encoder's LoRA adapter (base + adapter, unmerged). Either
way the tokenizer and harness-recipe.json (tasks, data revisions, mode, sampling, hyperparameters,
seed, steps, parameter counts; `harness.results.Recipe`) go with it, and `harness eval` carries the
recipe into its results.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

import harness
from harness.adapters import LoraOptions, encoder_attribute, lora_encoder, parameter_counts
from harness.data import DataOptions, load_split
from harness.errors import HarnessError
from harness.formats import get_format
from harness.intermediate.catalogue import IntermediateTask, intermediate_task
from harness.intermediate.modes import Mode, Sampling
from harness.intermediate.recipes import RECIPES, IntermediateRecipe
from harness.intermediate.sampling import MultiTaskBatches, task_probabilities
from harness.models import RECIPE_FILE, Checkpoint, load_model, load_tokenizer
from harness.report import NullReporter, Reporter
from harness.results.schema import (
    ParameterCounts,
    Recipe,
    RecipeBase,
    RecipeData,
    RecipeHyperparameters,
    RecipeStage,
    RecipeTask,
    Throughput,
)
from harness.suites import DatasetPin, Hyperparameters, QAOptions, Suite
from harness.tasks.spec import HubSource
from harness.training import Runtime, TrainProgress, fine_tune, seed_everything
from harness.training.throughput import summarize


@dataclass
class IntermediateRequest:
    checkpoint: Checkpoint
    tasks: list[str]
    mode: Mode
    output: Path
    runtime: Runtime
    suite: Suite  # where the data comes from (its pinned or local datasets)
    recipe: IntermediateRecipe = RECIPES["x-stilts"]  # with any values the user replaced
    overrides: dict[str, Any] = field(default_factory=dict)  # the values replaced (recorded)
    max_steps: int | None = None  # per task (sequential) or in all (multi-task)
    seed: int = 42
    sampling: Sampling = Sampling.proportional
    temperature: float = 2.0
    lora: LoraOptions | None = None
    limit: int | None = None  # first N examples per task (smoke runs)
    command: list[str] = field(default_factory=list)


@dataclass
class _Task:
    task: IntermediateTask
    hp: Hyperparameters
    examples: int
    features: list[dict[str, Any]]
    provenance: list[RecipeData]


def _hyperparameters(request: IntermediateRequest, task: IntermediateTask) -> Hyperparameters:
    qa = task.spec.format.value == "extractive_qa"
    recipe = request.recipe
    return Hyperparameters(
        learning_rate=recipe.learning_rate,
        batch_size=recipe.batch_size,
        epochs=recipe.epochs,
        max_steps=request.max_steps,
        max_length=recipe.qa_max_length if qa else recipe.max_length,
        warmup_ratio=recipe.warmup_ratio,
        weight_decay=recipe.weight_decay,
        qa=QAOptions() if qa else None,
    )


def _sources(suite: Suite, tasks: list[IntermediateTask]) -> Suite:
    """The suite's dataset pins, plus an unpinned entry (hub head) for each dataset it lacks."""
    needed = {
        source.dataset
        for t in tasks
        for name in t.train
        for source in t.spec.splits[name].sources
        if isinstance(source, HubSource)
    }
    extra = {
        dataset: DatasetPin.model_construct(revision=None, path=None, note="unpinned")
        for dataset in sorted(needed - set(suite.datasets))
    }
    return suite.model_copy(update={"datasets": {**extra, **suite.datasets}})


def _load(request: IntermediateRequest, tokenizer: Any, reporter: Reporter) -> list[_Task]:
    chosen = [intermediate_task(name) for name in request.tasks]
    data = DataOptions(suite=_sources(request.suite, chosen), limit=request.limit)
    loaded = []
    for task in chosen:
        fmt = get_format(task.spec.format)
        hp = _hyperparameters(request, task)
        examples: list[dict[str, Any]] = []
        provenance = []
        for split in task.train:
            part = load_split(task.spec, split, "en", data)
            examples += part.examples
            pinned = part.record.source != "hub" or bool(part.record.revision_requested)
            if not pinned:
                reporter.warn(
                    f"{task.name}: {part.record.dataset} is not pinned by the suite; "
                    "the revision read is recorded in the recipe"
                )
            provenance.append(RecipeData(**part.record.model_dump(), pinned=pinned))
        features = fmt.featurize(examples, tokenizer, task.spec, hp)
        reporter.info(f"{task.name}: {task.spec.title}, {len(examples)} examples, {len(features)} features")
        loaded.append(
            _Task(task=task, hp=hp, examples=len(examples), features=features, provenance=provenance)
        )
    return loaded


def _head_model(request: IntermediateRequest, task: IntermediateTask, encoder: nn.Module | None) -> nn.Module:
    """The task's head on the checkpoint; with `encoder`, that (shared, trained) encoder instead."""
    fmt = get_format(task.spec.format)
    base = dataclasses.replace(request.checkpoint, lora=None)
    model = load_model(base, fmt.head, fmt.num_labels(task.spec))
    if encoder is not None:
        setattr(model, encoder_attribute(model), encoder)
    return model


class MultiTaskModel(nn.Module):
    """One head model per task, all holding the same encoder; a batch says which task it is."""

    def __init__(self, models: list[nn.Module]):
        super().__init__()
        self.tasks = nn.ModuleList(models)
        self.config = getattr(models[0], "config", None)  # for FLOP counts

    def forward(self, task_id: torch.Tensor, **inputs: Any) -> Any:
        return self.tasks[int(task_id[0])](**inputs)


def _multitask_collate(collates: list[Any]) -> Any:
    def collate(batch: list[dict[str, Any]]) -> dict[str, Any]:
        task = batch[0]["task_id"]
        out = collates[task]([{k: v for k, v in f.items() if k != "task_id"} for f in batch])
        out["task_id"] = torch.tensor([task])
        return out

    return collate


def run_intermediate(request: IntermediateRequest, reporter: Reporter | None = None) -> Recipe:
    """Train, save the checkpoint (or adapter) with its recipe under `request.output`; return the recipe."""
    reporter = reporter or NullReporter()
    if request.checkpoint.adapter is not None:
        raise HarnessError(
            f"{request.checkpoint.adapter}: intermediate training starts from a full checkpoint, "
            "not from an adapter"
        )
    if len(set(request.tasks)) != len(request.tasks):
        raise HarnessError(f"--tasks: a task is listed twice ({', '.join(request.tasks)})")
    tokenizer = load_tokenizer(request.checkpoint)
    tasks = _load(request, tokenizer, reporter)
    started = time.perf_counter()
    seed_everything(request.seed)
    models, encoder = _models(request, tasks)
    if request.mode == Mode.sequential:
        stages = [
            _train(request, model, item, tokenizer, reporter)
            for model, item in zip(models, tasks, strict=True)
        ]
    else:
        stages = [_train_multitask(request, MultiTaskModel(models), tasks, tokenizer, reporter)]
    counts = parameter_counts(encoder)
    recipe = _recipe(request, tasks, stages, counts, time.perf_counter() - started)
    _save(request, encoder, tokenizer, recipe)
    return recipe


def _models(request: IntermediateRequest, tasks: list[_Task]) -> tuple[list[nn.Module], nn.Module]:
    """One head model per task, all holding the first one's encoder (with LoRA when asked for):
    training any of them trains the shared encoder in place."""
    models: list[nn.Module] = []
    encoder: nn.Module | None = None
    for index, item in enumerate(tasks):
        seed_everything(request.seed + index)  # each new head from its own seeded draw
        model = _head_model(request, item.task, encoder)
        if encoder is None:
            encoder = getattr(model, encoder_attribute(model))
            if request.lora is not None:
                encoder = lora_encoder(encoder, request.lora)
                setattr(model, encoder_attribute(model), encoder)
        models.append(model)
    assert encoder is not None
    return models, encoder


def _train(
    request: IntermediateRequest, model: nn.Module, item: _Task, tokenizer: Any, reporter: Reporter
) -> RecipeStage:
    fmt = get_format(item.task.spec.format)
    bar = reporter.bar(f"intermediate {item.task.name}", 0)
    progress = TrainProgress(
        on_start=bar.set_total, on_step=lambda step, loss: bar.advance(1, f"loss {loss:.3f}")
    )
    try:
        outcome = fine_tune(
            model,
            item.features,
            fmt.collate(tokenizer),
            item.hp,
            seed=request.seed,
            runtime=request.runtime,
            progress=progress,
        )
    finally:
        bar.close()
    return RecipeStage(
        tasks=[item.task.name],
        optimizer_steps=outcome.optimizer_steps,
        epochs=round(outcome.epochs, 4),
        seconds=round(outcome.seconds, 3),
        throughput=Throughput(**summarize(outcome.meter, model, request.runtime, training=True)),
    )


def _train_multitask(
    request: IntermediateRequest,
    model: MultiTaskModel,
    tasks: list[_Task],
    tokenizer: Any,
    reporter: Reporter,
) -> RecipeStage:
    features: list[dict[str, Any]] = []
    spans = []
    for index, item in enumerate(tasks):
        spans.append(range(len(features), len(features) + len(item.features)))
        features += [{**f, "task_id": index} for f in item.features]
    sizes = {item.task.name: len(item.features) for item in tasks}
    probabilities = task_probabilities(sizes, request.sampling, request.temperature)
    generator = torch.Generator().manual_seed(request.seed)
    batches = MultiTaskBatches(spans, list(probabilities.values()), request.recipe.batch_size, generator)
    collate = _multitask_collate([get_format(item.task.spec.format).collate(tokenizer) for item in tasks])
    # one recipe for all: the first task's (max_length only matters at featurization, done above)
    hp = tasks[0].hp
    bar = reporter.bar(f"intermediate multi-task ({', '.join(sizes)})", 0)
    progress = TrainProgress(
        on_start=bar.set_total, on_step=lambda step, loss: bar.advance(1, f"loss {loss:.3f}")
    )
    try:
        outcome = fine_tune(
            model,
            features,
            collate,
            hp,
            seed=request.seed,
            runtime=request.runtime,
            progress=progress,
            batches=batches,
        )
    finally:
        bar.close()
    return RecipeStage(
        tasks=list(sizes),
        sampling=request.sampling.value,
        temperature=request.temperature if request.sampling == "temperature" else None,
        probabilities={name: round(p, 6) for name, p in probabilities.items()},
        batches_drawn=dict(zip(sizes, batches.drawn, strict=True)),
        optimizer_steps=outcome.optimizer_steps,
        epochs=round(outcome.epochs, 4),
        seconds=round(outcome.seconds, 3),
        throughput=Throughput(**summarize(outcome.meter, model, request.runtime, training=True)),
    )


def _recipe(
    request: IntermediateRequest,
    tasks: list[_Task],
    stages: list[RecipeStage],
    counts: dict[str, Any],
    seconds: float,
) -> Recipe:
    checkpoint = request.checkpoint
    return Recipe(
        kind="harness-intermediate",
        harness=harness.__version__,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        command=" ".join(request.command),
        base_model=RecipeBase(
            id=checkpoint.id,
            path=str(checkpoint.path),
            model_type=checkpoint.config.get("model_type"),
            weights_hash=checkpoint.weights_hash(),
        ),
        mode=request.mode.value,
        tasks=[
            RecipeTask(
                name=item.task.name,
                paper_name=item.task.paper,
                format=item.task.spec.format.value,
                examples=item.examples,
                features=len(item.features),
                max_length=item.hp.max_length,
                data=item.provenance,
            )
            for item in tasks
        ],
        stages=stages,
        # the named recipe (x-stilts: Phang et al. 2020 as jiant runs it), as used, and what was replaced
        recipe=request.recipe.name,
        recipe_overrides=request.overrides,
        hyperparameters=RecipeHyperparameters(**request.recipe.describe(), max_steps=request.max_steps),
        seed=request.seed,
        finetuning="peft" if request.lora else "full",
        peft={"method": "lora", **request.lora.model_dump(mode="json")} if request.lora else None,
        parameters=ParameterCounts(**counts),
        limit=request.limit,
        seconds=round(seconds, 3),
        device=str(request.runtime.device),
        precision=request.runtime.precision,
    )


def _save(request: IntermediateRequest, encoder: nn.Module, tokenizer: Any, recipe: Recipe) -> None:
    out = request.output
    out.mkdir(parents=True, exist_ok=True)
    if request.runtime.dist.is_main:
        # The encoder alone: any task head loads it (a fresh head on top), as it loads the base
        # model. The config is shared with the intermediate heads: forget their label spaces, or a
        # QA head (which reads num_labels) would be built with an NLI head's three outputs.
        config = getattr(encoder, "config", None)
        if config is not None:
            config.num_labels = 2  # transformers' default; resets id2label and label2id
            config.problem_type = None
        encoder.save_pretrained(str(out))
        tokenizer.save_pretrained(str(out))
        text = json.dumps(recipe.model_dump(mode="json"), indent=2) + "\n"  # ASCII, as it always was
        (out / RECIPE_FILE).write_text(text, encoding="utf-8")
    request.runtime.dist.barrier()
