"""Where a run's units execute: `local` (one after another in this process, the default) or `ray`
(in parallel on a Ray cluster: this machine's, started for the run, or one given by address)."""

from __future__ import annotations

from typing import Protocol

from harness.evaluation.request import ExecutorOptions
from harness.evaluation.units import LocalExecutor, Unit, UnitContext, UnitResult
from harness.report import Reporter


class Executor(Protocol):
    def start(self, units: list[Unit]) -> None:
        """Units that will be asked for (in run order); an executor may begin them all now."""
        ...

    def result(self, unit: Unit) -> UnitResult:
        """The unit's result, once it finished (its exception if it failed)."""
        ...

    def close(self) -> None: ...


def make_executor(options: ExecutorOptions, context: UnitContext, reporter: Reporter) -> Executor:
    if options.name == "ray":
        from harness.evaluation.ray_executor import RayExecutor

        return RayExecutor(context, reporter, options)
    return LocalExecutor(context, reporter)
