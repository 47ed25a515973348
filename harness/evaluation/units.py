"""Units of work and where they run.

A unit is one (task, seed): fine-tune (or reuse), predict every language, score. Units depend on
one another only through fine-tuned models: MLQA reuses XQuAD's, XTREME-R Tatoeba embeds with it,
so the unit that first needs a model trains it and the later ones wait for it. XCOPA's two training
stages are one unit. A finished unit is stored (OUTPUT/runs/) and never redone, whichever executor
ran it.

A `Workshop` runs units in one process; the local executor keeps one for the whole run (fine-tuned
models shared in memory), the Ray executor (harness.evaluation.ray_executor) makes one per unit in
its worker and hands shared models over with the units' results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.evaluation.plan import RunIdentity, TaskPlan
from harness.evaluation.request import EvalRequest, ExecutorOptions
from harness.evaluation.store import RunStore, Stats
from harness.evaluation.task_run import ModelFacts, TaskRun
from harness.evaluation.weights import Kept, WeightsCache
from harness.formats import get_format
from harness.models import load_tokenizer
from harness.report import NullReporter, Reporter
from harness.results import SeedRun
from harness.tracking import NullTracker


@dataclass(frozen=True)
class Unit:
    task: str
    seed: int
    key: str  # the (task, seed) result key: a stored result under it is reused
    needs: tuple[tuple[str, int], ...] = ()  # units that train a model this one reuses

    @property
    def name(self) -> str:
        return f"{self.task} seed {self.seed}"


@dataclass
class UnitResult:
    record: SeedRun
    stats: Stats
    provenance: list[dict[str, Any]]
    facts: ModelFacts = field(default_factory=ModelFacts)
    kept: dict[str, Kept] = field(default_factory=dict)  # models other units need, by model key


def units_of(plans: dict[str, TaskPlan], requested: Sequence[str]) -> list[Unit]:
    """Every (task, seed) to run, in run order, each with the earlier units whose model it reuses."""
    trained_by: dict[str, tuple[str, int]] = {}  # model key -> the first unit that needs it
    units = []
    for name in requested:
        plan = plans[name]
        if not plan.supported or not plan.languages:
            continue
        for seed in plan.seeds:
            sources = [plan] + ([plans[plan.encoder_from]] if plan.encoder_from else [])
            models = [key for key in (source.model_key(seed) for source in sources) if key is not None]
            needs = tuple(dict.fromkeys(trained_by[m] for m in models if m in trained_by))
            for model in models:
                trained_by.setdefault(model, (name, seed))
            units.append(Unit(name, seed, plan.result_keys[seed], needs))
    return units


@dataclass
class UnitContext:
    """What a process needs to run any unit of a run (picklable: sent to Ray workers)."""

    request: EvalRequest
    plans: dict[str, TaskPlan]
    run: RunIdentity
    shared: set[str]  # model keys more than one unit needs

    def for_workers(self) -> UnitContext:
        """The same, without what only the driver uses (the tracker holds a live MLflow client)."""
        request = dataclasses.replace(self.request, tracker=NullTracker(), executor=ExecutorOptions())
        return dataclasses.replace(self, request=request)


class Workshop:
    """Runs units in this process: one tokenizer, one weights cache, the task runs made once."""

    def __init__(self, context: UnitContext, reporter: Reporter | None = None):
        request, run = context.request, context.run
        self.context, self.reporter = context, reporter or NullReporter()
        self.store = RunStore(request.output, fresh=request.fresh, dist=request.runtime.dist)
        self.weights = WeightsCache(
            store=self.store,
            reporter=self.reporter,
            shared=context.shared,
            save_all=request.save_weights,
            identity={
                "model": run.model_hash,
                "lora": run.lora,
                "dtype": run.dtype,
                "precision": run.precision,
                "tokenizer": run.tokenizer_hash,  # another tokenizer gives other inputs: other weights
            },
        )
        self.facts = ModelFacts()
        self._tokenizer: Any = None
        self._runs: dict[str, TaskRun] = {}

    def task_run(self, name: str) -> TaskRun:
        if name not in self._runs:
            plan, request = self.context.plans[name], self.context.request
            if self._tokenizer is None:
                self._tokenizer = load_tokenizer(request.checkpoint)
            self._runs[name] = TaskRun(
                plan=plan,
                fmt=get_format(plan.spec.format),
                checkpoint=request.checkpoint,
                runtime=request.runtime,
                data=request.data,
                tokenizer=self._tokenizer,
                tokenizer_hash=self.context.run.tokenizer_hash,
                reporter=self.reporter,
                weights=self.weights,
                facts=self.facts,
                output=request.output if request.save_predictions else None,
                encoder_source=self.task_run(plan.encoder_from) if plan.encoder_from else None,
            )
        return self._runs[name]

    def run(self, unit: Unit) -> UnitResult:
        """Run one unit and store its result for resuming (a full disk loses only that copy)."""
        task = self.task_run(unit.task)
        before = set(self.weights.memory)
        record, stats = task.run_seed(unit.seed)
        provenance = task.reader.provenance
        try:
            self.store.save(unit.task, unit.seed, unit.key, record, stats, provenance)
        except OSError as exc:
            self.reporter.warn(
                f"{unit.name}: not kept for resuming ({exc.strerror or exc}: {exc.filename}); its "
                "scores are in results.json"
            )
        # the models this unit fine-tuned that later units need (Ray hands them over with the result)
        kept = {key: value for key, value in self.weights.memory.items() if key not in before}
        return UnitResult(record, stats, provenance, self.facts, kept)


class LocalExecutor:
    """Units one after another in this process, in run order (the default)."""

    def __init__(self, context: UnitContext, reporter: Reporter):
        self.workshop = Workshop(context, reporter)
        self.threads = limit_threads(context.request.executor.cpus_per_unit)

    def start(self, units: list[Unit]) -> None:
        pass

    def result(self, unit: Unit) -> UnitResult:
        return self.workshop.run(unit)

    def close(self) -> None:
        limit_threads(self.threads)  # as before the run


def limit_threads(cpus: int | None) -> int:
    """Torch's threads for a unit (--cpus-per-unit; None: unchanged); the number it had before."""
    import torch

    before = torch.get_num_threads()
    if cpus:
        torch.set_num_threads(cpus)
    return before
