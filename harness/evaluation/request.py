"""What `harness eval` asks of a run: the suite, the checkpoint, and every option that changes it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.data import DataOptions
from harness.models import Checkpoint
from harness.suites import Suite
from harness.tracking import NullTracker, Tracker
from harness.training import Runtime


@dataclass(frozen=True)
class ExecutorOptions:
    name: Literal["local", "ray"] = "local"
    address: str | None = None  # a Ray cluster to join; None: start one on this machine for the run
    gpus_per_unit: float | None = None  # None: 1 where CUDA is present, else 0; fractions share a GPU
    cpus_per_unit: int | None = None  # None: 1 (torch threads of each unit)


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
    # where the (task, seed) units run: never part of a result (the same scores either way)
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)

    @property
    def results_path(self) -> Path:
        return self.output / "results.json"
