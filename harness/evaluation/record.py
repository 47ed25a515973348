"""What results.json says about a run and each task: metadata at the start, a task's result at its end."""

from __future__ import annotations

import shlex
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from harness.evaluation.environment import describe_environment
from harness.evaluation.plan import TaskPlan
from harness.evaluation.summary import Summary
from harness.languages import groups_of
from harness.results import (
    DataNote,
    Environment,
    GroupResult,
    ModelInfo,
    Results,
    RunInfo,
    SeedRun,
    SuiteInfo,
    TaskResult,
    Throughput,
)
from harness.results.aggregate import combine_throughput
from harness.results.groups import groups
from harness.results.language_groups import language_groups
from harness.suites import Suite
from harness.tasks import TASKS

if TYPE_CHECKING:
    from harness.evaluation.request import EvalRequest


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_results(request: EvalRequest, pending: dict[str, TaskResult]) -> Results:
    """A run's results before any task ran: what runs, on what, how, and every task pending."""
    suite, checkpoint = request.suite, request.checkpoint
    return Results(
        status="running",
        created_at=now(),
        updated_at=now(),
        suite=SuiteInfo(
            name=suite.name,
            version=suite.version,
            hash=suite.content_hash(),
            path=str(suite.source) if suite.source else None,
        ),
        model=ModelInfo(**checkpoint.describe(), weights_hash=checkpoint.weights_hash()),
        run=RunInfo(
            command=shlex.join(request.command),
            tasks=request.tasks,
            languages=request.languages,
            seeds=request.seeds,
            save_predictions=request.save_predictions,
            limit=request.data.limit,
            # --limit scores are on truncated data: never comparable, never a leaderboard entry
            smoke=request.data.limit is not None,
            data_dir=str(request.data.data_dir) if request.data.data_dir else None,
            trust_remote_code=checkpoint.trust_remote_code,
            dtype=checkpoint.dtype,
            device_map=checkpoint.device_map,
            gradient_checkpointing=checkpoint.gradient_checkpointing,
            **request.runtime.describe(),
        ),
        environment=Environment(**describe_environment()),
        tasks=pending,
        categories={},
        overall=GroupResult(tasks=list(suite.tasks), score=None),
    )


def pending(suite: Suite, name: str, seeds: list[int] | None, requested: bool) -> TaskResult:
    """A task before it runs (or one not asked for, with --tasks)."""
    spec, entry = TASKS[name], suite.tasks[name]
    return TaskResult(
        name=name,
        title=spec.title,
        format=spec.format.value,
        status="pending",
        reason=None if requested else "not requested (--tasks)",
        languages=entry.languages,
        metrics=entry.metrics,
        score_metrics=entry.score,
        seeds=seeds or suite.seeds_for(name),
        missing_languages=list(entry.languages),
        averages={m: None for m in entry.metrics},
    )


def data_notes(provenance: list[dict[str, Any]]) -> list[DataNote]:
    """Every divergence the loaded splits recorded, once per (split, language, note)."""
    notes = []
    for entry in provenance:
        for note in entry.get("divergences", []):
            item = DataNote(split=entry["split"], language=entry["language"], note=note)
            if item not in notes:
                notes.append(item)
    return notes


def throughput(runs: list[SeedRun]) -> dict[str, Throughput]:
    """Fine-tuning and prediction speed of a task, over its seeds (a reused model counts once)."""
    train = [
        stage.throughput for run in runs if not run.trained_by for stage in run.stages if stage.throughput
    ]
    predict = [run.predict_throughput for run in runs if run.predict_throughput]
    combined = {"fine_tune": combine_throughput(train), "predict": combine_throughput(predict)}
    return {stage: value for stage, value in combined.items() if value is not None}


def finished(
    base: TaskResult, plan: TaskPlan, runs: list[SeedRun], summary: Summary, provenance: list[dict[str, Any]]
) -> TaskResult:
    """A task's result from its seed runs, with why it is incomplete where it is."""
    unscored = sorted({lang for run in runs for lang in run.unscored})
    reason = None
    if unscored:
        reason = f"no test labels for {', '.join(unscored)} (the download layout strips them)"
    elif summary.missing:
        reason = f"languages not evaluated: {', '.join(summary.missing)}"
    entry = plan.entry
    return base.model_copy(
        update={
            "status": "incomplete" if summary.missing else "complete",
            "reason": reason,
            "hyperparameters": plan.hp.model_dump() if plan.hp else None,
            "overrides": plan.overrides,
            "selection": entry.selection.model_dump() if entry.selection else None,
            "splits": entry.splits.model_dump(),
            "runs": runs,
            "scores": summary.scores,
            "missing_languages": summary.missing,
            "averages": summary.averages,
            "spread": summary.spread,
            "average_spread": summary.average_spread,
            "score": summary.score,
            "data": provenance,
            "divergences": data_notes(provenance),
            "throughput": throughput(runs),
        }
    )


def aggregate(results: Results, suite: Suite) -> None:
    """Category, overall and language-group scores from the task scores so far."""
    task_scores = {name: task.score for name, task in results.tasks.items()}
    results.categories, results.overall = groups(task_scores, suite.categories, list(suite.tasks))
    # over the same tasks as the overall score (every suite task has an entry from the start)
    results.language_groups = language_groups([results.tasks[name] for name in suite.tasks], groups_of)
