"""`harness track sync`: log a results.json to MLflow after the fact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import console, err_console, handle_errors
from harness.cli.options import SyncTrackingUri
from harness.errors import HarnessError

app = typer.Typer(help="Experiment tracking (MLflow).", no_args_is_help=True)


@app.command("sync")
@handle_errors
def sync_command(
    results_file: Annotated[Path, typer.Argument(help="A results.json written by `harness eval`.")],
    tracking_uri: SyncTrackingUri = None,
    force: Annotated[
        bool, typer.Option("--force", help="Log again even if the results say they were logged.")
    ] = False,
) -> None:
    """Log a run whose tracking failed (a server that was down, or --no-track) as a new MLflow run."""
    from harness.results import read_results, write_results
    from harness.tracking import make_tracker

    if not results_file.is_file():
        raise HarnessError(f"{results_file}: results file not found")
    try:
        results = read_results(results_file)
    except ValueError as exc:
        raise HarnessError(
            f"{results_file}: not a harness results file ({str(exc).splitlines()[0]})"
        ) from None
    if results.tracking.status == "logged" and not force:
        console.print(
            f"already logged: run {results.tracking.run_id} at {results.tracking.uri} (--force logs again)",
            highlight=False,
        )
        return
    # The tracker's own warning advises `harness track sync`, which is this command: not shown here.
    tracker = make_tracker(tracking_uri or results.tracking.uri, True, lambda _: None)
    results.tracking.error = None
    tracker.start(results)
    for task in results.tasks.values():
        tracker.task_finished(task)
    tracker.finish(results, results_file.parent)
    write_results(results, results_file)
    if results.tracking.status != "logged":
        err_console.print(
            f"error: {results_file}: not logged to {results.tracking.uri}: {results.tracking.error}; "
            "start that store, or name another with --tracking-uri",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(
        f"logged: run {results.tracking.run_id} in experiment {results.tracking.experiment} at "
        f"{results.tracking.uri}",
        highlight=False,
    )
