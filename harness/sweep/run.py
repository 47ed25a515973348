"""Run a sweep cell by cell (each resumable), then compare the cells in one table and two plots.

A cell is one checkpoint (one model, optionally trained on intermediate tasks) evaluated on the
suite. Its folder holds the intermediate checkpoint (`checkpoint/`, reused when its recipe is
there) and the evaluation (`eval/`, resumed by the runner as `harness eval` resumes). The table
puts accuracy next to efficiency: trainable parameters, adapter size, training and prediction
throughput.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from harness.data import DataOptions
from harness.evaluation import EvalRequest, Runner
from harness.evaluation.request import ExecutorOptions
from harness.intermediate.modes import Mode
from harness.intermediate.recipes import REPLACEABLE, recipe_with
from harness.intermediate.train import IntermediateRequest, run_intermediate
from harness.models import RECIPE_FILE, resolve_checkpoint
from harness.report import NullReporter, Reporter
from harness.results import Results
from harness.results.aggregate import combine_throughput
from harness.selection import parse_overrides, select_tasks
from harness.suites import load_suite
from harness.sweep.config import Cell, SweepConfig, cells
from harness.sweep.report import SweepReport, write_report
from harness.tracking import make_tracker
from harness.training import Runtime


@dataclasses.dataclass
class SweepRequest:
    config: SweepConfig
    output: Path
    runtime: Runtime
    tracking_uri: str | None = None
    track: bool = True
    executor: ExecutorOptions = dataclasses.field(default_factory=ExecutorOptions)  # where cells run


def run_sweep(request: SweepRequest, reporter: Reporter) -> SweepReport:
    """Every cell of the grid, then sweep.md comparing them (sweep.json is kept after each cell).

    Cells run one after another here, or all at once on Ray (`--executor ray`; each cell trains its
    intermediate checkpoint, then evaluates it, in one worker); rows come back in grid order.
    """
    config = request.config
    suite = load_suite(config.suite)
    tasks = select_tasks(suite, config.tasks)
    grid = cells(config)
    jobs = [CellJob(request, cell, number, len(grid), tasks) for number, cell in enumerate(grid, start=1)]
    if request.executor.name == "ray":
        from harness.evaluation.ray_executor import ray_map

        # workers report nothing: each cell's progress is in its folder and MLflow run
        done = ray_map(
            request.executor, reporter, run_cell, [dataclasses.replace(j, quiet=True) for j in jobs]
        )
    else:
        done = (run_cell(job, reporter) for job in jobs)
    rows = []
    for cell_row in done:
        rows.append(cell_row)
        _write_rows(request.output, rows)  # after every cell: nothing lost when interrupted
    return write_report(config.name, tasks, rows, request.output)


@dataclasses.dataclass
class CellJob:
    """One cell of a sweep: its intermediate checkpoint (trained once), then its evaluation."""

    request: SweepRequest
    cell: Cell
    number: int
    of: int
    tasks: list[str]
    quiet: bool = False  # a Ray worker: no progress lines


def run_cell(job: CellJob, reporter: Reporter | None = None) -> dict[str, Any]:
    request, cell, config = job.request, job.cell, job.request.config
    reporter = NullReporter() if job.quiet or reporter is None else reporter
    suite = load_suite(config.suite)
    overrides = parse_overrides(suite, job.tasks, config.eval_set)
    reporter.info(f"[bold]cell {job.number}/{job.of}[/bold] {cell.slug}")
    folder = request.output / "cells" / cell.slug
    model = _checkpoint(request, cell, folder, suite, reporter)
    checkpoint = resolve_checkpoint(model)
    if cell.peft == "lora" and checkpoint.adapter is None:
        checkpoint = dataclasses.replace(checkpoint, lora=config.lora)
    eval_request = EvalRequest(
        suite=suite,
        checkpoint=checkpoint,
        output=folder / "eval",
        runtime=request.runtime,
        data=DataOptions(suite=suite, limit=config.limit),
        tasks=job.tasks,
        seeds=config.seeds,
        overrides=overrides,
        save_weights=False,
        command=["harness", "sweep", config.name, cell.slug],
    )
    eval_request.output.mkdir(parents=True, exist_ok=True)
    tags = {
        "mlflow.runName": f"{cell.slug} on {suite.name}",
        "harness.sweep": config.name,
        "harness.cell": cell.slug,
        **{f"harness.cell.{k}": str(v) for k, v in cell.row().items()},
    }
    eval_request.tracker = make_tracker(request.tracking_uri, request.track, reporter.warn, tags)
    results = Runner(eval_request, reporter).run()
    return row(cell, results, job.tasks)


def _checkpoint(request: SweepRequest, cell: Cell, folder: Path, suite: Any, reporter: Reporter) -> str:
    """The cell's model: the base checkpoint, or its intermediate-trained version (trained once)."""
    base = request.config.models[cell.model]
    if not cell.intermediate:
        return base
    target = folder / "checkpoint"
    if (target / RECIPE_FILE).is_file():
        reporter.info(f"{cell.slug}: reusing the intermediate checkpoint in {target}")
        return str(target)
    if target.exists():  # an interrupted training: start it again
        import shutil

        shutil.rmtree(target)
    settings = request.config.settings
    recipe, overrides = recipe_with(settings.recipe, **settings.model_dump(include=set(REPLACEABLE)))
    run_intermediate(
        IntermediateRequest(
            checkpoint=resolve_checkpoint(base),
            tasks=list(cell.intermediate),
            mode=Mode(cell.mode or Mode.sequential),
            output=target,
            runtime=request.runtime,
            suite=suite,
            recipe=recipe,
            overrides=overrides,
            max_steps=cell.steps,
            seed=settings.seed,
            sampling=settings.sampling,
            temperature=settings.temperature,
            lora=request.config.lora if cell.peft == "lora" else None,
            limit=settings.limit,
            command=["harness", "sweep", request.config.name, cell.slug],
        ),
        reporter,
    )
    return str(target)


def row(cell: Cell, results: Results, selected: list[str]) -> dict[str, Any]:
    """One line of the comparison: the cell, its scores, and what it cost.

    The score is the mean of the sweep's tasks' scores (the suite's own overall score when the
    sweep runs every task); None unless every one of them is complete.
    """
    scores = [results.tasks[name].score for name in selected]
    complete = all(results.tasks[name].status == "complete" for name in selected) and None not in scores
    tasks = results.tasks.values()
    train = combine_throughput([t.throughput["fine_tune"] for t in tasks if "fine_tune" in t.throughput])
    predict = combine_throughput([t.throughput["predict"] for t in tasks if "predict" in t.throughput])
    peft = results.model.peft or {}
    return {
        **cell.row(),
        "cell": cell.slug,
        "status": ("smoke" if results.run.smoke else "complete") if complete else "incomplete",
        "score": sum(scores) / len(scores) if complete else None,  # type: ignore[arg-type]
        "tasks": {name: t.score for name, t in results.tasks.items() if t.status != "pending"},
        "trainable_parameters": peft.get("trainable_parameters", results.model.parameters),
        "adapter_bytes": peft.get("adapter_bytes"),
        "train_examples_per_second": train.examples_per_second if train else None,
        "predict_examples_per_second": predict.examples_per_second if predict else None,
        "results": str(Path("cells") / cell.slug / "eval" / "results.json"),
    }


def _write_rows(output: Path, rows: list[dict[str, Any]]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "sweep.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
