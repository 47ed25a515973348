"""Where a run's units execute: `local` (one after another in this process, the default) or `ray`
(in parallel on a Ray cluster: this machine's, started for the run, or one given by address)."""

from __future__ import annotations

from typing import Any, Protocol

from harness.evaluation.units import LocalExecutor, Unit, UnitContext, UnitResult
from harness.report import Reporter

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    def start(self, units: list[Unit]) -> None:
        """Units that will be asked for (in run order); an executor may begin them all now."""
        ...

    def result(self, unit: Unit) -> UnitResult:
        """The unit's result, once it finished (its exception if it failed)."""
        ...

    def close(self) -> None: ...


def make_executor(name: str, context: UnitContext, reporter: Reporter, **options: Any) -> Executor:
    if name == "local":
        return LocalExecutor(context, reporter)
    if name == "ray":
        from harness.evaluation.ray_executor import RayExecutor

        return RayExecutor(context, reporter, **options)
    raise ValueError(f"unknown executor {name!r}; allowed: {', '.join(EXECUTORS)}")
