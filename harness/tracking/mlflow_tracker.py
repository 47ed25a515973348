"""MLflow: one run per `harness eval` (experiment = suite), nested runs per task and per seed.

Names: `{task}.{lang}.{metric}` per language (mean over seeds), `{task}.{metric}` (task average),
`{task}.score`, `category.{name}`, `overall`; a metric name's "@" becomes "_at_" (MLflow allows
letters, digits, _ - . / and spaces). Any failure of the store (a dead server, a locked database) is
caught: a warning says what was not logged, the evaluation goes on, and results.json records it
for `harness track sync`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import __version__
from harness.results import Results, TaskResult


def _fail_fast() -> None:
    """Fail fast when a server is down instead of retrying for minutes (unless the user set these).
    MLflow reads them at each request, so setting them before the first one is enough."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")


def _quiet() -> None:
    # keep MLflow's own chatter (database migrations, retries) out of the user's terminal;
    # after `import mlflow`, which sets up its own INFO logging ("Creating initial MLflow database
    # tables...")
    for name in ("mlflow", "alembic", "urllib3"):
        logging.getLogger(name).setLevel(logging.ERROR)


# Throughput fields logged as metrics of each task's nested run (fine_tune.examples_per_second, ...).
SPEED_FIELDS = (
    "examples_per_second",
    "tokens_per_second",
    "peak_memory_mib",
    "model_tflops",
    "mfu",
    "oom_retries",
)


def metric_name(*parts: str) -> str:
    return ".".join(parts).replace("@", "_at_")


def _store_lock(uri: str) -> contextlib.AbstractContextManager[object]:
    """A file lock beside a local SQLite store; nothing for a server (it serialises itself)."""
    if not uri.startswith("sqlite:///"):
        return contextlib.nullcontext()
    from filelock import FileLock

    database = Path(uri.removeprefix("sqlite:///")).resolve()
    database.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(database) + ".lock")


def _artifacts_beside(uri: str) -> str | None:
    """Artifacts of an SQLite store go in mlruns/ next to the database (MLflow would use the
    working directory, which differs between runs); servers keep their own."""
    if not uri.startswith("sqlite:///"):
        return None
    return (Path(uri.removeprefix("sqlite:///")).resolve().parent / "mlruns").as_uri()


def _params(prefix: str, values: dict[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_params(f"{prefix}{key}.", value))
        else:
            flat[f"{prefix}{key}"] = str(value)[:6000]
    return flat


class MlflowTracker:
    def __init__(self, uri: str, warn: Callable[[str], None], tags: dict[str, str] | None = None):
        _fail_fast()
        self.uri = uri
        self.warn = warn
        self.tags = dict(tags or {})
        self.client: Any = None
        self.experiment_id: str | None = None
        self.run_id: str | None = None
        self.failed: str | None = None
        self.results: Results | None = None

    # --- the Tracker interface ------------------------------------------------------------------------

    def start(self, results: Results) -> None:
        self.results = results
        results.tracking.uri, results.tracking.status = self.uri, "logging"
        self._guard("start the MLflow run", self._start, results)

    def task_finished(self, task: TaskResult) -> None:
        self._guard(f"log task {task.name}", self._log_task, task)

    def finish(self, results: Results, output: Path) -> None:
        self._guard("log the final scores and artifacts", self._finish, results, output)
        if self.failed is None:
            results.tracking.status = "logged"

    # --- implementation -------------------------------------------------------------------------------

    def _guard(self, what: str, action: Callable[..., None], *args: Any) -> None:
        if self.failed is not None:
            return
        try:
            action(*args)
        except Exception as exc:  # any store failure: warn once, keep evaluating
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            self.failed = f"{type(exc).__name__}: {first}"
            if self.results is not None:
                self.results.tracking.status = "failed"
                self.results.tracking.error = f"could not {what}: {self.failed}"
            self.warn(
                f"MLflow ({self.uri}) failed: could not {what} ({self.failed}); evaluation goes on and "
                "results are written locally; log them later with `harness track sync RESULTS.json`"
            )

    def _start(self, results: Results) -> None:
        from mlflow import MlflowClient

        _quiet()
        name = f"harness/{results.suite.name}"
        # Two runs starting together would both create (migrate) a new SQLite store, or the same
        # experiment, and one would fail: one at a time, under a file lock beside the database.
        with _store_lock(self.uri):
            self.client = MlflowClient(tracking_uri=self.uri)
            experiment = self.client.get_experiment_by_name(name)
            if experiment is not None:
                self.experiment_id = experiment.experiment_id
            else:
                self.experiment_id = self.client.create_experiment(
                    name, artifact_location=_artifacts_beside(self.uri)
                )
        tags = {
            "mlflow.runName": f"{Path(results.model.id.rstrip('/')).name} on {results.suite.name}",
            "harness.version": __version__,
            "harness.git_commit": str(results.environment.git_commit),
            "harness.suite_hash": results.suite.hash,
            "harness.model_hash": results.model.weights_hash,
            **self.tags,  # e.g. a sweep's name and cell
        }
        run = self.client.create_run(self.experiment_id, tags=tags)
        self.run_id = run.info.run_id
        results.tracking.experiment, results.tracking.run_id = name, self.run_id
        params = {
            "suite": {
                "name": results.suite.name,
                "version": results.suite.version,
                "hash": results.suite.hash,
            },
            "model": {"id": results.model.id, "weights_hash": results.model.weights_hash},
            "run": {
                key: results.run.model_dump()[key]
                for key in (
                    "tasks",
                    "languages",
                    "seeds",
                    "limit",
                    "data_dir",
                    "device",
                    "precision",
                    "accelerator",
                    "processes",
                )
            },
        }
        self._log(self.run_id, params=_params("", params))

    def _log_task(self, task: TaskResult) -> None:
        from mlflow.entities import RunStatus

        if task.status in ("pending", "absent"):
            return
        metrics = {
            metric_name(task.name, lang, m): v for lang, ms in task.scores.items() for m, v in ms.items()
        }
        metrics.update({metric_name(task.name, m): v for m, v in task.averages.items() if v is not None})
        if task.score is not None:
            metrics[metric_name(task.name, "score")] = task.score
        self._log(self.run_id, metrics=metrics)
        # a nested run per task: its recipe and data revisions, its scores and their spread
        nested = self.client.create_run(
            self.experiment_id,
            tags={
                "mlflow.parentRunId": self.run_id,
                "mlflow.runName": task.name,
                "harness.status": task.status,
            },
        ).info.run_id
        data = {f"data.{d.split}.{d.language}": str(d.revision_used) for d in task.data}
        params = (
            _params(
                "",
                {
                    "hyperparameters": task.hyperparameters or {},
                    "selection": task.selection or {},
                    "seeds": task.seeds,
                },
            )
            | data
        )
        task_metrics = {metric_name(lang, m): v for lang, ms in task.scores.items() for m, v in ms.items()}
        task_metrics.update({metric_name("average", m): v for m, v in task.averages.items() if v is not None})
        for m, spread in task.average_spread.items():
            if spread.ci95 is not None:
                task_metrics[metric_name("average", m, "ci95_low")] = spread.ci95[0]
                task_metrics[metric_name("average", m, "ci95_high")] = spread.ci95[1]
            if spread.std is not None:
                task_metrics[metric_name("average", m, "std")] = spread.std
        for stage, record in task.throughput.items():
            for field in SPEED_FIELDS:
                value = getattr(record, field)
                if value is not None:
                    task_metrics[metric_name(stage, field)] = value
        self._log(nested, metrics=task_metrics, params=params)
        for run in task.runs:
            seed_run = self.client.create_run(
                self.experiment_id,
                tags={"mlflow.parentRunId": nested, "mlflow.runName": f"{task.name} seed {run.seed}"},
            ).info.run_id
            seed_metrics = {metric_name(lang, m): v for lang, ms in run.scores.items() for m, v in ms.items()}
            seed_metrics.update(train_seconds=run.train_seconds, predict_seconds=run.predict_seconds)
            if run.selected_step is not None:
                seed_metrics["selected_step"] = run.selected_step
            self._log(seed_run, metrics=seed_metrics, params={"seed": str(run.seed)})
            self.client.set_terminated(seed_run, RunStatus.to_string(RunStatus.FINISHED))
        self.client.set_terminated(nested, RunStatus.to_string(RunStatus.FINISHED))

    def _finish(self, results: Results, output: Path) -> None:
        from mlflow.entities import RunStatus

        metrics = {
            metric_name("category", name): g.score
            for name, g in results.categories.items()
            if g.score is not None
        }
        if results.overall.score is not None:
            metrics["overall"] = results.overall.score
        if results.timings.total_seconds is not None:
            metrics["total_seconds"] = results.timings.total_seconds
        self._log(self.run_id, metrics=metrics)
        self.client.set_tag(self.run_id, "harness.status", results.status)
        for name in ("results.json", "scores.txt"):
            if (output / name).is_file():
                self.client.log_artifact(self.run_id, str(output / name))
        if (output / "predictions").is_dir():
            self.client.log_artifacts(self.run_id, str(output / "predictions"), "predictions")
        status = {"failed": RunStatus.FAILED, "interrupted": RunStatus.KILLED}.get(
            results.status, RunStatus.FINISHED
        )
        self.client.set_terminated(self.run_id, RunStatus.to_string(status))

    def _log(
        self,
        run_id: str | None,
        metrics: dict[str, float] | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        import time

        from mlflow.entities import Metric, Param

        stamp = int(time.time() * 1000)
        metric_rows = [Metric(k, float(v), stamp, 0) for k, v in (metrics or {}).items()]
        param_rows = [Param(k, v) for k, v in (params or {}).items()]
        # MLflow takes at most 1000 metrics and 100 params per batch
        for start in range(0, len(metric_rows), 1000):
            self.client.log_batch(run_id, metrics=metric_rows[start : start + 1000])
        for start in range(0, len(param_rows), 100):
            self.client.log_batch(run_id, params=param_rows[start : start + 100])
