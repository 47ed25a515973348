"""Units in parallel on a Ray cluster (`--executor ray`).

Every unit that was not finished before is submitted at once; Ray starts each when its resources
(`--gpus-per-unit`, fractional to share a GPU; `--cpus-per-unit`) are free and the units whose model
it reuses have finished. A unit whose worker dies is retried by Ray. A finished unit writes its
result to the run's store like a local one, so a re-run resumes whichever executor ran it.

Where things travel: a fine-tuned model that a later unit reuses is returned with its unit's result
through Ray's object store (and saved under OUTPUT/weights/ as in a local run); the output folder
(stored results, prediction files, weights) is written by the workers, so on several machines it
must be on storage they all mount at the same path.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from harness.errors import HarnessError
from harness.evaluation.request import ExecutorOptions
from harness.evaluation.units import Unit, UnitContext, UnitResult, Workshop, limit_threads
from harness.report import Reporter

INSTALL = "pip install 'harness[ray]'"


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise HarnessError(f"--executor ray needs Ray, an optional extra: {INSTALL}") from None
    return ray


def run_unit(context: UnitContext, unit: Unit, cpus: int | None, *needed: UnitResult) -> UnitResult:
    """One unit in a Ray worker: the models of the units it depends on, then the unit itself."""
    limit_threads(cpus)
    # which process runs the unit, while it runs (to watch, or to stop one worker)
    marker = context.request.output / "runs" / unit.task / f"seed-{unit.seed}.pid"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()), encoding="utf-8")
    workshop = Workshop(context)
    for done in needed:
        workshop.weights.memory.update(done.kept)
    result = workshop.run(unit)
    marker.unlink(missing_ok=True)
    return result


RETRIES = 3  # Ray reruns a unit whose worker died this many times (an exception is not retried)


class Cluster:
    """Ray for one run: joined at `options.address`, or started on this machine (all its CPUs and
    GPUs) and stopped at the end; one remote function with each unit's resources."""

    def __init__(self, options: ExecutorOptions, reporter: Reporter, function: Any, what: str):
        ray = self.ray = _ray()
        self.started = not ray.is_initialized()
        if self.started:
            # Ray's own log lines would break the progress display: errors only
            ray.init(
                address=options.address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        gpus = options.gpus_per_unit if options.gpus_per_unit is not None else (1.0 if _cuda() else 0.0)
        self.cpus = options.cpus_per_unit or 1
        self.remote = ray.remote(function).options(
            num_cpus=self.cpus, num_gpus=gpus, max_retries=RETRIES, name=f"harness {what}"
        )
        resources = ray.cluster_resources()
        reporter.info(
            f"ray: {resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs; each {what} "
            f"takes {self.cpus} CPU{'s' if self.cpus > 1 else ''} and {gpus:g} GPU"
        )
        self.refs: list[Any] = []

    def submit(self, *args: Any) -> Any:
        ref = self.remote.remote(*args)
        self.refs.append(ref)
        return ref

    def get(self, ref: Any) -> Any:
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            raise cause from None

    def close(self) -> None:
        """Stop what is still running (an interrupted run), and the Ray instance started for it."""
        refs = self.refs
        _, running = self.ray.wait(refs, num_returns=len(refs), timeout=0) if refs else ([], [])
        for ref in running:
            self.ray.cancel(ref, force=True)
        if self.started:
            self.ray.shutdown()


class RayExecutor:
    def __init__(self, context: UnitContext, reporter: Reporter, options: ExecutorOptions):
        self.context = context.for_workers()
        self.cluster = Cluster(options, reporter, run_unit, "unit")
        self.refs: dict[tuple[str, int], Any] = {}

    def start(self, units: list[Unit]) -> None:
        shared = self.cluster.ray.put(self.context)
        for unit in units:
            needed = [self.refs[n] for n in unit.needs if n in self.refs]
            self.refs[unit.task, unit.seed] = self.cluster.submit(shared, unit, self.cluster.cpus, *needed)

    def result(self, unit: Unit) -> UnitResult:
        return self.cluster.get(self.refs[unit.task, unit.seed])

    def close(self) -> None:
        self.cluster.close()


def ray_map(options: ExecutorOptions, reporter: Reporter, function: Any, items: list[Any]) -> Iterator[Any]:
    """`function(item)` for every item on Ray, all submitted at once; results in the items' order."""
    cluster = Cluster(options, reporter, function, "cell")
    try:
        refs = [cluster.submit(item) for item in items]
        for ref in refs:
            yield cluster.get(ref)
    finally:
        cluster.close()


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()
