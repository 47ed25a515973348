"""The runner: plan every task once, then per task and seed run its format (or resume the stored
result), summarize, aggregate and write.

Results are written to results.json after every task, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import gc
import time
import traceback

from harness.errors import HarnessError
from harness.evaluation import record
from harness.evaluation.executors import make_executor
from harness.evaluation.feature_cache import tokenizer_hash
from harness.evaluation.plan import RunIdentity, TaskPlan, plan_task, shared_models
from harness.evaluation.request import EvalRequest
from harness.evaluation.store import RunStore
from harness.evaluation.summary import summarize
from harness.evaluation.task_run import ModelFacts
from harness.evaluation.units import Unit, UnitContext, UnitResult, units_of
from harness.report import Reporter
from harness.results import Results, TaskResult, write_results
from harness.results.table import score_table


class Runner:
    def __init__(self, request: EvalRequest, reporter: Reporter):
        self.request, self.reporter = request, reporter
        suite, checkpoint = request.suite, request.checkpoint
        self.store = RunStore(request.output, fresh=request.fresh, dist=request.runtime.dist)
        pending = {
            name: record.pending(suite, name, request.seeds, name in request.tasks) for name in suite.tasks
        }
        self.results = record.new_results(request, pending)
        run = RunIdentity(
            suite_hash=self.results.suite.hash,
            model_hash=self.results.model.weights_hash,
            tokenizer_hash=tokenizer_hash(checkpoint.tokenizer_path),
            lora=checkpoint.lora.model_dump(mode="json") if checkpoint.lora else None,
            dtype=checkpoint.dtype,
            precision=request.runtime.precision,
            save_predictions=request.save_predictions,
        )
        # the requested tasks, and the tasks whose fine-tuned encoder one of them embeds with
        sources = [suite.tasks[n].retrieval.encoder_from for n in request.tasks if suite.tasks[n].retrieval]
        names = list(dict.fromkeys([*request.tasks, *(s for s in sources if s)]))
        plans = {
            name: plan_task(
                suite,
                name,
                data=request.data,
                run=run,
                languages=request.languages,
                seeds=request.seeds,
                overrides=request.overrides.get(name, {}),
            )
            for name in names
        }
        self.plans = plans
        self.context = UnitContext(request, plans, run, shared_models(plans, request.tasks))
        self.units = units_of(plans, request.tasks)
        self.facts = ModelFacts()
        self.executor = make_executor(request.executor, self.context, reporter)

    def run(self) -> Results:
        started = time.perf_counter()
        failed = False
        self.request.tracker.start(self.results)
        self._write()  # status "running" from the start
        try:
            self.executor.start([unit for unit in self.units if self._resumed(unit) is None])
            for name in self.request.tasks:
                try:
                    self.results.tasks[name] = self._run_task(self.plans[name])
                except HarnessError as exc:
                    failed = True
                    self._fail(name, str(exc))
                except Exception as exc:  # a bug or a resource error (e.g. out of memory): keep going
                    failed = True
                    self._fail(name, f"{type(exc).__name__}: {exc}".splitlines()[0], traceback.format_exc())
                self.request.tracker.task_finished(self.results.tasks[name])
                self._aggregate()
                self._write()
                gc.collect()
        except KeyboardInterrupt:
            self.results.status = "interrupted"
            self._finish(started)
            raise
        finally:
            self.executor.close()
        self._aggregate()
        if failed:
            self.results.status = "failed"
        elif self.request.data.limit is not None:
            self.results.status = "smoke"  # scores on truncated data: never "complete"
        else:
            self.results.status = "complete" if self.results.overall.score is not None else "incomplete"
        self._finish(started)
        return self.results

    def _resumed(self, unit: Unit) -> UnitResult | None:
        found = self.store.load(unit.task, unit.seed, unit.key)
        return None if found is None else UnitResult(*found)

    def _run_task(self, plan: TaskPlan) -> TaskResult:
        base = self.results.tasks[plan.name]
        if not plan.supported:
            reason = (
                f"not yet supported: the {plan.spec.format.value} format is not implemented in this version"
            )
            self.reporter.warn(f"{plan.name}: {reason}")
            return base.model_copy(update={"status": "not_supported", "reason": reason})
        if not plan.languages:
            # nothing of this task was asked for: do not fine-tune for nothing
            return base.model_copy(
                update={"status": "incomplete", "reason": "none of its languages requested"}
            )
        count, total = len(plan.languages), len(plan.entry.languages)
        self.reporter.info(f"[bold]{plan.name}[/bold]: {plan.spec.title}, {count} of {total} languages")
        done: list[UnitResult] = []
        for unit in (u for u in self.units if u.task == plan.name):
            found = self._resumed(unit)
            if found is not None:
                self.reporter.info(f"{unit.name}: finished in an earlier run, resumed (--fresh redoes it)")
            else:
                found = self.executor.result(unit)
                self.facts.merge(found.facts)
            done.append(found)
        self.facts.report(self.results.model, self.store, self.request.checkpoint)
        runs = [unit.record for unit in done]
        summary = summarize(plan.name, plan.entry, runs, [unit.stats for unit in done])
        # the splits read, as the last seed read them (a resumed seed: as stored)
        result = record.finished(base, plan, runs, summary, done[-1].provenance if done else [])
        if result.divergences:
            where = sorted({f"{n.split}/{n.language}" for n in result.divergences})
            # one line at 80 columns: the splits and how they differ are in results.json
            differ = f"{len(where)} splits differ" if len(where) > 1 else f"split {where[0]} differs"
            self.reporter.warn(f"{plan.name}: {differ} from the reference data; see results.json")
        return result

    def _fail(self, name: str, reason: str, details: str | None = None) -> None:
        """Record a failed task; the full traceback of an unexpected error goes to errors.log."""
        if details is not None and self.request.runtime.dist.is_main:
            log = self.request.output / "errors.log"
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {record.now()} task {name}\n{details}\n")
            reason = f"{reason} (traceback in {log})"
        self.results.tasks[name] = self.results.tasks[name].model_copy(
            update={"status": "failed", "reason": reason}
        )
        self.reporter.warn(f"{name} failed: {reason}")

    def _aggregate(self) -> None:
        record.aggregate(self.results, self.request.suite)

    def _finish(self, started: float) -> None:
        """Final write, the score-table artifact, then the tracker (whose status goes into results.json)."""
        self._write(started)
        if self.request.runtime.dist.is_main:
            (self.request.output / "scores.txt").write_text(score_table(self.results), encoding="utf-8")
        self.request.tracker.finish(self.results, self.request.output)
        self._write(started)

    def _write(self, started: float | None = None) -> None:
        self.results.updated_at = record.now()
        if started is not None:
            self.results.timings.total_seconds = time.perf_counter() - started
        if self.request.runtime.dist.is_main:  # one results.json for all processes
            write_results(self.results, self.request.results_path)
