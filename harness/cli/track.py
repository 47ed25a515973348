"""`harness track sync`: log a results.json to MLflow after the fact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import console, err_console, handle_errors
from harness.cli.options import SyncTrackingUri

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
    from harness.tracking.sync import read_run, sync

    results = read_run(results_file)
    if results.tracking.status == "logged" and not force:
        console.print(
            f"already logged: run {results.tracking.run_id} at {results.tracking.uri} (--force logs again)",
            highlight=False,
        )
        return
    sync(results, results_file, tracking_uri)
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
