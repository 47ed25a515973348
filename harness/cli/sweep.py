"""`harness sweep CONFIG.yaml`: run a grid of intermediate-training and evaluation cells."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import console, handle_errors, quiet_libraries
from harness.cli.options import (
    CpusPerUnit,
    Device,
    Executor,
    ExecutorOption,
    GpusPerUnit,
    NoTrack,
    PrecisionOption,
    RayAddress,
    SweepOutput,
    TrackingUri,
    executor_options,
    precision_of,
)


@handle_errors
def sweep_command(
    config: Annotated[
        Path, typer.Argument(help="Sweep YAML (see README: models, intermediate, modes, steps, peft).")
    ],
    output: SweepOutput = None,
    device: Device = "auto",
    precision: PrecisionOption = None,
    tracking_uri: TrackingUri = None,
    no_track: NoTrack = False,
    executor: ExecutorOption = Executor.local,
    ray_address: RayAddress = None,
    gpus_per_unit: GpusPerUnit = None,
    cpus_per_unit: CpusPerUnit = None,
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
    from harness.suites import load_suite
    from harness.sweep.run import SweepRequest, run_sweep
    from harness.training import Runtime

    runtime = Runtime.detect(device, precision_of(precision, load_suite(loaded.suite).precision))
    console.print(
        f"[bold]harness sweep[/bold] {loaded.name}: {len(grid)} cells on {runtime.device}; output {output}",
        highlight=False,
    )
    with RichReporter(console) as reporter:
        on = executor_options(executor, ray_address, gpus_per_unit, cpus_per_unit)
        request = SweepRequest(loaded, output, runtime, tracking_uri, not no_track, on)
        report = run_sweep(request, reporter)
    console.print(report.note, highlight=False)
    console.print(report.table, highlight=False, markup=False)
    plots = ", ".join(str(p) for p in report.plots) or "none"
    console.print(f"table: {report.path}; plots: {plots}")
