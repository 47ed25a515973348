"""What `harness eval` asks of a run: the suite, the checkpoint, and every option that changes it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.data import DataOptions
from harness.models import Checkpoint
from harness.suites import Suite
from harness.tracking import NullTracker, Tracker
from harness.training import Runtime


@dataclass
class EvalRequest:
    suite: Suite
    checkpoint: Checkpoint
    output: Path
    runtime: Runtime
    data: DataOptions
    tasks: list[str]  # in suite order
    languages: list[str] | None = None  # restrict every task to these languages (others: missing)
    seeds: list[int] | None = None  # replaces the suite's seeds
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # task -> hyperparameter -> value
    save_predictions: bool = False  # write predictions/seed-N/{task}/test-{lang}.{ext} (leaderboard layout)
    fresh: bool = False  # redo work an earlier run of the same command finished (default: resume)
    tracker: Tracker = field(default_factory=NullTracker)
    save_weights: bool = True  # keep every fine-tuned model under OUTPUT/weights/
    command: list[str] = field(default_factory=lambda: list(sys.argv))

    @property
    def results_path(self) -> Path:
        return self.output / "results.json"
