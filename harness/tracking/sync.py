"""Log a finished run's results.json to MLflow after the fact (`harness track sync`)."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.results import Results, read_results, write_results
from harness.tracking import make_tracker


def read_run(results_file: Path) -> Results:
    """The results to log; a missing file or one that is not harness results is a HarnessError."""
    if not results_file.is_file():
        raise HarnessError(f"{results_file}: results file not found")
    try:
        return read_results(results_file)
    except ValueError as exc:
        raise HarnessError(
            f"{results_file}: not a harness results file ({str(exc).splitlines()[0]})"
        ) from None


def sync(results: Results, results_file: Path, uri: str | None = None) -> None:
    """Log the run as a new MLflow run at `uri` (default: the one the run recorded, else the
    usual default) and record the outcome in the file: `results.tracking` says logged (with the
    run id) or failed (with the error)."""
    # The tracker's own warning advises `harness track sync`, which is what runs here: not shown.
    tracker = make_tracker(uri or results.tracking.uri, True, lambda _: None)
    results.tracking.error = None
    tracker.start(results)
    for task in results.tasks.values():
        tracker.task_finished(task)
    tracker.finish(results, results_file.parent)
    write_results(results, results_file)
