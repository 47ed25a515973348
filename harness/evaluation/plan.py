"""The plan of a run: per task, everything decided before any work starts, computed once.

A `TaskPlan` is immutable: its effective hyperparameters (the suite's, with --set overrides), the
languages and seeds asked for, the identity of its fine-tuning (shared by tasks that train the same
model: XQuAD and MLQA), which task's fine-tuned encoder it embeds with, and the key of each
(task, seed) result. The plans together say which fine-tuned models more than one task needs.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from harness.data import DataOptions, identity
from harness.evaluation.data_check import plan as splits_read
from harness.evaluation.store import key_of
from harness.formats import is_supported
from harness.suites import Hyperparameters, Suite, TaskEntry
from harness.tasks import TASKS, TaskSpec


@dataclass(frozen=True)
class TaskPlan:
    name: str
    spec: TaskSpec
    entry: TaskEntry
    supported: bool  # False: the format is not implemented in this version (reported, not run)
    hp: Hyperparameters | None  # effective: the suite's with --set overrides
    overrides: dict[str, Any]  # the overrides that change a value
    languages: tuple[str, ...]  # the suite's languages that were asked for, in suite order
    seeds: tuple[int, ...]
    training_key: str | None  # what makes two tasks' fine-tuning identical (None: nothing trains)
    encoder_from: str | None  # the task whose fine-tuned encoder a retrieval task embeds with
    result_keys: dict[int, str]  # seed -> everything that changes this (task, seed) result

    def model_key(self, seed: int) -> str | None:
        """The in-run identity of this task's fine-tuned model for one seed."""
        return f"{self.training_key}|seed={seed}" if self.training_key else None


def effective_hyperparameters(
    entry: TaskEntry, overrides: dict[str, Any]
) -> tuple[Hyperparameters | None, dict[str, Any]]:
    """The suite's hyperparameters with --set overrides, and the overrides that change a value."""
    if entry.hyperparameters is None:
        return None, {}
    if not overrides:
        return entry.hyperparameters, {}
    merged = Hyperparameters.model_validate({**entry.hyperparameters.model_dump(), **overrides})
    changed = {k: v for k, v in overrides.items() if getattr(entry.hyperparameters, k) != v}
    return merged, changed


def training_key(
    spec: TaskSpec, entry: TaskEntry, hp: Hyperparameters | None, data: DataOptions
) -> str | None:
    """What makes two tasks' fine-tuning identical (same format, data, recipe and selection).

    XQuAD and MLQA share this key (SQuAD v1.1 training, same recipe), so one model serves both, as
    in the reference. Seeds are added by the caller.
    """
    if hp is None or not entry.splits.train:
        return None
    splits = entry.splits
    dev_lang = entry.selection.language if entry.selection else "en"
    return json.dumps(
        {
            "format": spec.format.value,
            # the data itself (pinned commit or files' sha256), not only where it comes from
            "train": [identity(spec, s, "en", data) for s in splits.train],
            "dev": identity(spec, splits.dev, dev_lang, data) if splits.dev else None,
            "hp": hp.model_dump(exclude={"eval_batch_size"}),
            "selection": entry.selection.model_dump() if entry.selection else None,
            "labels": spec.labels,
            "limit": data.limit,
        },
        sort_keys=True,
        default=str,
    )


@dataclass(frozen=True)
class RunIdentity:
    """What every result key of a run shares: the suite, the model and how it runs."""

    suite_hash: str
    model_hash: str
    tokenizer_hash: str
    lora: dict[str, Any] | None  # LoRA on a full checkpoint trains something else than full fine-tuning
    dtype: str
    precision: str  # bf16 autocast changes the numbers
    save_predictions: bool


def _data_identity(suite: Suite, name: str, languages: tuple[str, ...], data: DataOptions) -> list[Any]:
    """Every split the task reads for these languages, as pinned commits or files' sha256."""
    spec, found = TASKS[name], []
    for _, role, split, lang in splits_read(suite, [name]):
        if role in ("train", "dev") or lang in languages or not spec.splits[split].per_language:
            found.append([split, lang, identity(spec, split, lang, data)])
    return found


def plan_task(
    suite: Suite,
    name: str,
    *,
    data: DataOptions,
    run: RunIdentity,
    languages: list[str] | None,
    seeds: list[int] | None,
    overrides: dict[str, Any],
) -> TaskPlan:
    spec, entry = TASKS[name], suite.tasks[name]
    hp, changed = effective_hyperparameters(entry, overrides)
    chosen = tuple(lang for lang in entry.languages if languages is None or lang in languages)
    task_seeds = tuple(seeds or suite.seeds_for(name))
    supported = is_supported(spec.format)
    keys: dict[int, str] = {}
    if supported and chosen:
        found = _data_identity(suite, name, chosen, data)
        for seed in task_seeds:
            keys[seed] = key_of(
                suite=run.suite_hash,
                model=run.model_hash,
                tokenizer=run.tokenizer_hash,
                task=name,
                seed=seed,
                hyperparameters=hp.model_dump() if hp else None,
                languages=list(chosen),
                limit=data.limit,
                data=found,
                save_predictions=run.save_predictions,
                lora=run.lora,
                dtype=run.dtype,
                precision=run.precision,
            )
    return TaskPlan(
        name=name,
        spec=spec,
        entry=entry,
        supported=supported,
        hp=hp,
        overrides=changed,
        languages=chosen,
        seeds=task_seeds,
        training_key=training_key(spec, entry, hp, data) if supported else None,
        encoder_from=entry.retrieval.encoder_from if entry.retrieval else None,
        result_keys=keys,
    )


def shared_models(plans: dict[str, TaskPlan], requested: list[str]) -> set[str]:
    """The fine-tuned models (key and seed) that more than one requested task needs: kept in memory.

    A retrieval task that embeds with another task's fine-tuned encoder needs that task's model
    (planned even when that task itself was not asked for).
    """
    needs: Counter[str] = Counter()
    for plan in (plans[name] for name in requested):
        if not plan.supported:
            continue
        wanted = [plan] if plan.encoder_from is None else [plan, plans[plan.encoder_from]]
        for source in wanted:
            for seed in plan.seeds:
                key = source.model_key(seed)
                if key is not None:
                    needs[key] += 1
    return {key for key, count in needs.items() if count > 1}
