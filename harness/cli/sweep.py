"""`harness sweep CONFIG.yaml`: run a grid of intermediate-training and evaluation cells."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import PrecisionOption, console, handle_errors, precision_of, quiet_libraries


@handle_errors
def sweep_command(
    config: Annotated[
        Path, typer.Argument(help="Sweep YAML (see README: models, intermediate, modes, steps, peft).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder of the sweep. Default: sweeps/NAME.")
    ] = None,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda or cuda:N.")] = "auto",
    precision: PrecisionOption = None,
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            "--tracking-uri",
            help="MLflow tracking URI (default MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).",
        ),
    ] = None,
    no_track: Annotated[bool, typer.Option("--no-track", help="Do not log to MLflow.")] = False,
) -> None:
    """Run a grid of intermediate training and evaluations, then compare it in one table.

    Cells: models x intermediate task lists x modes x steps x PEFT, each resumable. Writes sweep.md
    (scores next to trainable parameters, adapter size and throughput), sweep.json and plots.
    """
    from harness.sweep.config import cells, load_sweep

    loaded = load_sweep(config)
    output = output or Path("sweeps") / loaded.name
    grid = cells(loaded)
    quiet_libraries()
    from harness.cli.progress import RichReporter
    from harness.selection import select_tasks
    from harness.suites import load_suite
    from harness.sweep.report import plots, table
    from harness.sweep.run import SweepRequest, run_sweep
    from harness.training import Runtime

    runtime = Runtime.detect(device, precision_of(precision, load_suite(loaded.suite).precision))
    console.print(
        f"[bold]harness sweep[/bold] {loaded.name}: {len(grid)} cells on {runtime.device}; output {output}",
        highlight=False,
    )
    with RichReporter(console) as reporter:
        rows = run_sweep(SweepRequest(loaded, output, runtime, tracking_uri, not no_track), reporter)
    text = table(rows)
    written = plots(rows, output)
    links = "\n".join(f"![{p.stem}]({p.name})" for p in written)
    names = select_tasks(load_suite(loaded.suite), loaded.tasks)
    note = (
        f"score: mean of the task scores over {', '.join(names)} (none when a task is incomplete); "
        "trainable: parameters updated in target fine-tuning; ex/s: measured throughput."
    )
    (output / "sweep.md").write_text(
        f"# Sweep {loaded.name}\n\n{note}\n\n{text}\n\n{links}\n", encoding="utf-8"
    )
    console.print(note, highlight=False)
    console.print(text, highlight=False, markup=False)
    console.print(f"table: {output / 'sweep.md'}; plots: {', '.join(str(p) for p in written) or 'none'}")
