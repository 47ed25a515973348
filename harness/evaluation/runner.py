"""The runner: per task -> fine-tune on English -> pick on English dev -> predict each language -> score.

Results are written to results.json after every task, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import gc
import shlex
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.data import DataOptions, LoadedSplit, load_split
from harness.errors import HarnessError
from harness.evaluation.environment import describe_environment
from harness.evaluation.report import Reporter
from harness.formats import Format, get_format, is_supported
from harness.models import Checkpoint, load_model, load_tokenizer
from harness.results import (
    Environment,
    GroupResult,
    ModelInfo,
    Results,
    RunInfo,
    SeedRun,
    StageRecord,
    SuiteInfo,
    TaskResult,
    write_results,
)
from harness.results.aggregate import (
    group_score,
    language_average,
    mean_over_seeds,
    missing_languages,
    task_score,
)
from harness.suites import Hyperparameters, Suite, TaskEntry
from harness.tasks import TASKS, TaskSpec
from harness.training import Runtime, TrainProgress, fine_tune, predict_outputs, seed_everything


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
    command: list[str] = field(default_factory=lambda: list(sys.argv))

    @property
    def results_path(self) -> Path:
        return self.output / "results.json"


@dataclass
class _TaskData:
    train: list[tuple[str, LoadedSplit]]
    dev: LoadedSplit | None
    test: dict[str, LoadedSplit]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Runner:
    def __init__(self, request: EvalRequest, reporter: Reporter):
        self.request = request
        self.reporter = reporter
        self._tokenizer: Any = None
        suite = request.suite
        self.results = Results(
            status="running",
            created_at=_now(),
            updated_at=_now(),
            suite=SuiteInfo(
                name=suite.name,
                version=suite.version,
                hash=suite.content_hash(),
                path=str(suite.source) if suite.source else None,
            ),
            model=ModelInfo(**request.checkpoint.describe(), weights_hash=request.checkpoint.weights_hash()),
            run=RunInfo(
                command=shlex.join(request.command),
                tasks=request.tasks,
                languages=request.languages,
                seeds=request.seeds,
                save_predictions=request.save_predictions,
                limit=request.data.limit,
                # --limit scores are on truncated data: never comparable, never a leaderboard entry
                smoke=request.data.limit is not None,
                data_dir=str(request.data.data_dir) if request.data.data_dir else None,
                trust_remote_code=request.checkpoint.trust_remote_code,
                **request.runtime.describe(),
            ),
            environment=Environment(**describe_environment()),
            tasks={name: self._pending(name) for name in suite.tasks},
            categories={},
            overall=GroupResult(tasks=list(suite.tasks), score=None),
        )

    # --- public -----------------------------------------------------------------------------------

    def run(self) -> Results:
        started = time.perf_counter()
        failures: list[str] = []
        try:
            for name in self.request.tasks:
                try:
                    self.results.tasks[name] = self._run_task(name)
                except HarnessError as exc:
                    failures.append(f"{name}: {exc}")
                    self.results.tasks[name] = self._pending(name).model_copy(
                        update={"status": "failed", "reason": str(exc)}
                    )
                    self.reporter.warn(f"{name} failed: {exc}")
                self._aggregate()
                self._write()
                gc.collect()
        except KeyboardInterrupt:
            self.results.status = "interrupted"
            self._write(started)
            raise
        self._aggregate()
        self.results.status = "complete" if self.results.overall.score is not None else "incomplete"
        if failures:
            self.results.status = "failed"
        self._write(started)
        return self.results

    # --- per task ---------------------------------------------------------------------------------

    def _pending(self, name: str) -> TaskResult:
        spec, entry = TASKS[name], self.request.suite.tasks[name]
        return TaskResult(
            name=name,
            title=spec.title,
            format=spec.format.value,
            status="pending",
            reason=None if name in self.request.tasks else "not requested (--tasks)",
            languages=entry.languages,
            metrics=entry.metrics,
            score_metrics=entry.score,
            seeds=self.request.seeds or self.request.suite.seeds_for(name),
            missing_languages=list(entry.languages),
            averages={m: None for m in entry.metrics},
        )

    def _run_task(self, name: str) -> TaskResult:
        spec, entry = TASKS[name], self.request.suite.tasks[name]
        base = self._pending(name)
        if not is_supported(spec.format):
            reason = f"not yet supported: the {spec.format.value} format is not implemented in this version"
            self.reporter.warn(f"{name}: {reason}")
            return base.model_copy(update={"status": "not_supported", "reason": reason})
        fmt = get_format(spec.format)
        hp, overrides = self._hyperparameters(name, entry)
        languages = [
            lang
            for lang in entry.languages
            if self.request.languages is None or lang in self.request.languages
        ]
        self.reporter.info(
            f"[bold]{name}[/bold]: {spec.title}, {len(languages)} of {len(entry.languages)} languages"
        )
        data = self._load(spec, entry, languages)
        tokenizer = self._load_tokenizer()
        if hp is None:
            raise HarnessError(f"{name}: the {spec.format.value} format needs hyperparameters in the suite")
        featurize = lambda split: fmt.featurize(split.examples, tokenizer, spec, hp)  # noqa: E731
        train = [(split_name, split, featurize(split)) for split_name, split in data.train]
        dev = (data.dev, featurize(data.dev)) if data.dev is not None else None
        test = {lang: (split, featurize(split)) for lang, split in data.test.items()}

        runs = [
            self._run_seed(spec, entry, fmt, hp, seed, train, dev, test, tokenizer) for seed in base.seeds
        ]
        scores = mean_over_seeds([run.scores for run in runs])
        averages = {m: language_average(scores, entry.languages, m) for m in entry.metrics}
        missing = missing_languages(scores, entry.languages, entry.metrics[0])
        unscored = sorted({lang for run in runs for lang in run.unscored})
        reason = None
        if unscored:
            reason = f"no test labels for {', '.join(unscored)} (the download layout strips them)"
        elif missing:
            reason = f"languages not evaluated: {', '.join(missing)}"
        provenance = [s.provenance for _, s in data.train]
        provenance += [data.dev.provenance] if data.dev else []
        provenance += [s.provenance for s in data.test.values()]
        return base.model_copy(
            update={
                "status": "incomplete" if missing else "complete",
                "reason": reason,
                "hyperparameters": hp.model_dump() if hp else None,
                "overrides": overrides,
                "selection": entry.selection.model_dump() if entry.selection else None,
                "splits": entry.splits.model_dump(),
                "runs": runs,
                "scores": scores,
                "missing_languages": missing,
                "averages": averages,
                "score": task_score(averages, entry.score),
                "data": provenance,
            }
        )

    def _hyperparameters(self, name: str, entry: TaskEntry) -> tuple[Hyperparameters | None, dict[str, Any]]:
        overrides = self.request.overrides.get(name, {})
        if entry.hyperparameters is None:
            return None, {}
        if not overrides:
            return entry.hyperparameters, {}
        merged = Hyperparameters.model_validate({**entry.hyperparameters.model_dump(), **overrides})
        changed = {k: v for k, v in overrides.items() if getattr(entry.hyperparameters, k) != v}
        return merged, changed

    def _load(self, spec: TaskSpec, entry: TaskEntry, languages: list[str]) -> _TaskData:
        options = self.request.data
        roles = entry.splits
        train = [(s, load_split(spec, s, "en", options)) for s in roles.train]
        dev_lang = entry.selection.language if entry.selection else "en"
        dev = load_split(spec, roles.dev, dev_lang, options) if roles.dev else None
        test = {lang: load_split(spec, roles.test, lang, options) for lang in languages}
        return _TaskData(train, dev, test)

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.request.checkpoint)
        return self._tokenizer

    def _run_seed(
        self,
        spec: TaskSpec,
        entry: TaskEntry,
        fmt: Format,
        hp: Hyperparameters,
        seed: int,
        train: list[tuple[str, LoadedSplit, list[dict[str, Any]]]],
        dev: tuple[LoadedSplit, list[dict[str, Any]]] | None,
        test: dict[str, tuple[LoadedSplit, list[dict[str, Any]]]],
        tokenizer: Any,
    ) -> SeedRun:
        runtime = self.request.runtime
        dev_lang = entry.selection.language if entry.selection else "en"
        collate = fmt.collate(tokenizer)
        # The head's initial weights come from the seeded generator: seed before loading.
        seed_everything(seed)
        model = load_model(self.request.checkpoint, fmt.head, fmt.num_labels(spec)).to(runtime.device)
        if self.results.model.parameters is None:
            self.results.model.parameters = sum(p.numel() for p in model.parameters())

        def predict(split: LoadedSplit, features: list[dict[str, Any]], on_batch: Any = None) -> list[Any]:
            outputs = predict_outputs(
                model, features, collate, hp.eval_batch_size, runtime, fmt.outputs, on_batch
            )
            return fmt.decode(outputs, features, split.examples, spec, hp)

        def dev_score() -> float:
            assert dev is not None
            split, features = dev
            scores = fmt.score(predict(split, features), split.examples, entry.metrics[:1], spec, dev_lang)
            return scores[entry.metrics[0]]

        stages: list[StageRecord] = []
        outcome = None
        train_started = time.perf_counter()
        for i, (split_name, _split, features) in enumerate(train):
            assert entry.selection is not None
            last = i == len(train) - 1
            select = last and entry.selection.rule == "best_on_dev"
            bar = self.reporter.bar(f"{spec.name} seed {seed}: train {split_name}", 0)
            progress = TrainProgress(
                on_start=bar.set_total,
                on_step=lambda step, loss, bar=bar: bar.advance(1, f"loss {loss:.3f}"),
                on_eval=lambda step, score, bar=bar: bar.advance(0, f"dev {score:.1f} @ {step}"),
            )
            outcome = fine_tune(
                model,
                features,
                collate,
                hp,
                seed=seed,
                runtime=runtime,
                evaluate=dev_score if select else None,
                every_steps=entry.selection.every_steps if select else None,
                progress=progress,
            )
            bar.close()
            stages.append(
                StageRecord(
                    split=split_name,
                    examples=len(features),
                    optimizer_steps=outcome.optimizer_steps,
                    epochs=outcome.epochs,
                    seconds=outcome.seconds,
                )
            )
        train_seconds = time.perf_counter() - train_started

        dev_scores = None
        if dev is not None:
            split, features = dev
            dev_scores = fmt.score(predict(split, features), split.examples, entry.metrics, spec, dev_lang)

        scores: dict[str, dict[str, float]] = {}
        examples: dict[str, int] = {}
        unscored: list[str] = []
        predict_started = time.perf_counter()
        bar = self.reporter.bar(f"{spec.name} seed {seed}: predict", sum(len(f) for _, f in test.values()))
        for lang, (split, features) in test.items():
            predictions = predict(split, features, bar.advance)
            examples[lang] = len(predictions)
            if self.request.save_predictions:
                folder = self.request.output / "predictions" / f"seed-{seed}" / spec.name
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / f"test-{lang}.{fmt.prediction_suffix}"
                target.write_text(fmt.write_predictions(predictions, split.examples), encoding="utf-8")
            if split.labelled:
                scores[lang] = fmt.score(predictions, split.examples, entry.metrics, spec, lang)
            else:
                unscored.append(lang)
        bar.close()
        return SeedRun(
            seed=seed,
            scores=scores,
            examples=examples,
            unscored=unscored,
            dev=dev_scores,
            selected_step=outcome.selected_step if outcome else None,
            dev_history=outcome.dev_history if outcome else [],
            stages=stages,
            train_seconds=train_seconds,
            predict_seconds=time.perf_counter() - predict_started,
        )

    # --- aggregation and output ---------------------------------------------------------------------

    def _aggregate(self) -> None:
        suite = self.request.suite
        task_scores = {name: task.score for name, task in self.results.tasks.items()}
        self.results.categories = {
            category: GroupResult(
                tasks=tasks,
                score=group_score(task_scores, tasks),
                missing=[t for t in tasks if task_scores.get(t) is None],
            )
            for category, tasks in suite.categories.items()
        }
        every = list(suite.tasks)
        self.results.overall = GroupResult(
            tasks=every,
            score=group_score(task_scores, every),
            missing=[t for t in every if task_scores.get(t) is None],
        )

    def _write(self, started: float | None = None) -> None:
        self.results.updated_at = _now()
        if started is not None:
            self.results.timings.total_seconds = time.perf_counter() - started
        write_results(self.results, self.request.results_path)
