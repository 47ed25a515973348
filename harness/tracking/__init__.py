"""Experiment tracking behind a small interface; a do-nothing stand-in when tracking is off.

`harness eval` logs every run to MLflow by default (an SQLite store, mlflow.db, in the working
directory; `--tracking-uri` or MLFLOW_TRACKING_URI for a server). Tracking never stops an
evaluation: when the store fails, the run goes on, results stay on disk, and `harness track sync`
logs them later.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from harness.results import Results, TaskResult

DEFAULT_URI = "sqlite:///mlflow.db"


class Tracker(Protocol):
    def start(self, results: Results) -> None: ...
    def task_finished(self, task: TaskResult) -> None: ...
    def finish(self, results: Results, output: Path) -> None: ...


class NullTracker:
    """Tracking off (--no-track): records that, and nothing else."""

    def start(self, results: Results) -> None:
        results.tracking.status = "off"

    def task_finished(self, task: TaskResult) -> None:
        pass

    def finish(self, results: Results, output: Path) -> None:
        pass


def make_tracker(
    uri: str | None, enabled: bool, warn: Callable[[str], None], tags: dict[str, str] | None = None
) -> Tracker:
    if not enabled:
        return NullTracker()
    from harness.tracking.mlflow_tracker import MlflowTracker

    return MlflowTracker(uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI, warn, tags)


__all__ = ["DEFAULT_URI", "NullTracker", "Tracker", "make_tracker"]
