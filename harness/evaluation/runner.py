"""The runner: per task -> fine-tune on English -> pick on English dev -> predict each language -> score.

Results are written to results.json after every task, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import gc
import shlex
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from harness.data import DataOptions, identity
from harness.errors import HarnessError
from harness.evaluation.data_check import plan
from harness.evaluation.environment import describe_environment
from harness.evaluation.feature_cache import tokenizer_hash
from harness.evaluation.report import Reporter
from harness.evaluation.retrieval_run import RetrievalRun
from harness.evaluation.store import RunStore, Stats, key_of
from harness.evaluation.summary import summarize
from harness.evaluation.task_run import TaskRun, TrainedModels, training_key
from harness.formats import get_format, is_supported
from harness.languages import groups_of
from harness.models import Checkpoint, load_encoder, load_tokenizer
from harness.results import (
    DataNote,
    Environment,
    GroupResult,
    ModelInfo,
    Results,
    RunInfo,
    SeedRun,
    SuiteInfo,
    TaskResult,
    Throughput,
    write_results,
)
from harness.results.aggregate import combine_throughput
from harness.results.groups import groups
from harness.results.language_groups import language_groups
from harness.results.table import score_table
from harness.suites import Hyperparameters, Suite, TaskEntry
from harness.tasks import TASKS, FormatName
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


def _throughput(runs: list[SeedRun]) -> dict[str, Throughput]:
    """Fine-tuning and prediction speed of a task, over its seeds (a reused model counts once)."""
    train = [
        stage.throughput for run in runs if not run.trained_by for stage in run.stages if stage.throughput
    ]
    predict = [run.predict_throughput for run in runs if run.predict_throughput]
    combined = {"fine_tune": combine_throughput(train), "predict": combine_throughput(predict)}
    return {stage: value for stage, value in combined.items() if value is not None}


def data_notes(provenance: list[dict[str, Any]]) -> list[DataNote]:
    """Every divergence the loaded splits recorded, once per (split, language, note)."""
    notes = []
    for entry in provenance:
        for note in entry.get("divergences", []):
            item = DataNote(split=entry["split"], language=entry["language"], note=note)
            if item not in notes:
                notes.append(item)
    return notes


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Runner:
    def __init__(self, request: EvalRequest, reporter: Reporter):
        self.request = request
        self.reporter = reporter
        self._tokenizer: Any = None
        self._identities: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self.keys, self.trained = self._training_keys()
        self.store = RunStore(request.output, fresh=request.fresh, dist=request.runtime.dist)
        self._tokenizer_hash = tokenizer_hash(request.checkpoint.tokenizer_path)
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
                dtype=request.checkpoint.dtype,
                device_map=request.checkpoint.device_map,
                gradient_checkpointing=request.checkpoint.gradient_checkpointing,
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
        failed = False
        self.request.tracker.start(self.results)
        self._write()  # status "running" from the start
        try:
            for name in self.request.tasks:
                try:
                    self.results.tasks[name] = self._run_task(name)
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
        self._aggregate()
        if failed:
            self.results.status = "failed"
        elif self.request.data.limit is not None:
            self.results.status = "smoke"  # scores on truncated data: never "complete"
        else:
            self.results.status = "complete" if self.results.overall.score is not None else "incomplete"
        self._finish(started)
        return self.results

    def _finish(self, started: float) -> None:
        """Final write, the score-table artifact, then the tracker (whose status goes into results.json)."""
        self._write(started)
        if self.request.runtime.dist.is_main:
            (self.request.output / "scores.txt").write_text(score_table(self.results), encoding="utf-8")
        self.request.tracker.finish(self.results, self.request.output)
        self._write(started)

    def _fail(self, name: str, reason: str, details: str | None = None) -> None:
        """Record a failed task; the full traceback of an unexpected error goes to errors.log."""
        if details is not None and self.request.runtime.dist.is_main:
            log = self.request.output / "errors.log"
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {_now()} task {name}\n{details}\n")
            reason = f"{reason} (traceback in {log})"
        self.results.tasks[name] = self._pending(name).model_copy(
            update={"status": "failed", "reason": reason}
        )
        self.reporter.warn(f"{name} failed: {reason}")

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
        hp, overrides = self._hyperparameters(name, entry)
        wanted = self.request.languages
        languages = [lang for lang in entry.languages if wanted is None or lang in wanted]
        if not languages:
            # nothing of this task was asked for: do not fine-tune for nothing
            return base.model_copy(
                update={"status": "incomplete", "reason": "none of its languages requested"}
            )
        self.reporter.info(
            f"[bold]{name}[/bold]: {spec.title}, {len(languages)} of {len(entry.languages)} languages"
        )
        if spec.format is FormatName.retrieval:
            runs, stats, provenance = self._retrieval(name, hp, languages, base.seeds)
        else:
            runs, stats, provenance = self._fine_tuned(name, languages, base.seeds)

        summary = summarize(name, entry, runs, stats)
        divergences = data_notes(provenance)
        if divergences:
            where = sorted({f"{n.split}/{n.language}" for n in divergences})
            # one line at 80 columns: the splits and how they differ are in results.json
            differ = f"{len(where)} splits differ" if len(where) > 1 else f"split {where[0]} differs"
            self.reporter.warn(f"{name}: {differ} from the reference data; see results.json")
        unscored = sorted({lang for run in runs for lang in run.unscored})
        reason = None
        if unscored:
            reason = f"no test labels for {', '.join(unscored)} (the download layout strips them)"
        elif summary.missing:
            reason = f"languages not evaluated: {', '.join(summary.missing)}"
        return base.model_copy(
            update={
                "status": "incomplete" if summary.missing else "complete",
                "reason": reason,
                "hyperparameters": hp.model_dump() if hp else None,
                "overrides": overrides,
                "selection": entry.selection.model_dump() if entry.selection else None,
                "splits": entry.splits.model_dump(),
                "runs": runs,
                "scores": summary.scores,
                "missing_languages": summary.missing,
                "averages": summary.averages,
                "spread": summary.spread,
                "average_spread": summary.average_spread,
                "score": summary.score,
                "data": provenance,
                "divergences": divergences,
                "throughput": _throughput(runs),
            }
        )

    def _result_key(self, name: str, seed: int, languages: list[str]) -> str:
        """Everything that changes a (task, seed) result: a finished one is reused only under the same key."""
        entry = self.request.suite.tasks[name]
        hp, _ = self._hyperparameters(name, entry)
        data = self.request.data
        return key_of(
            suite=self.results.suite.hash,
            model=self.results.model.weights_hash,
            tokenizer=self._tokenizer_hash,
            task=name,
            seed=seed,
            hyperparameters=hp.model_dump() if hp else None,
            languages=languages,
            limit=data.limit,
            data=self._data_identity(name, languages),
            save_predictions=self.request.save_predictions,
            # LoRA on a full checkpoint trains something else than full fine-tuning
            lora=self.request.checkpoint.lora.model_dump(mode="json")
            if self.request.checkpoint.lora
            else None,
            dtype=self.request.checkpoint.dtype,
            precision=self.request.runtime.precision,  # bf16 autocast changes the numbers
        )

    def _data_identity(self, name: str, languages: list[str]) -> list[Any]:
        """Every split the task reads for these languages, as pinned commits or files' sha256
        (computed once per task and run: hashing a local folder reads it)."""
        key = (name, tuple(languages))
        if key not in self._identities:
            spec, found = TASKS[name], []
            for _, role, split, lang in plan(self.request.suite, [name]):
                if role in ("train", "dev") or lang in languages or not spec.splits[split].per_language:
                    found.append([split, lang, identity(spec, split, lang, self.request.data)])
            self._identities[key] = found
        return self._identities[key]

    def _resumed(self, name: str, seeds: list[int], languages: list[str]) -> dict[int, Any]:
        keys = {seed: self._result_key(name, seed, languages) for seed in seeds}
        done = {seed: self.store.load(name, seed, keys[seed]) for seed in seeds}
        for seed, found in done.items():
            if found is not None:
                self.reporter.info(
                    f"{name} seed {seed}: finished in an earlier run, resumed (--fresh redoes it)"
                )
        return {seed: (keys[seed], found) for seed, found in done.items()}

    def _task_run(self, name: str) -> TaskRun:
        spec, entry = TASKS[name], self.request.suite.tasks[name]
        hp, _ = self._hyperparameters(name, entry)
        if hp is None:
            raise HarnessError(f"{name}: the {spec.format.value} format needs hyperparameters in the suite")
        request = self.request
        return TaskRun(
            spec=spec,
            entry=entry,
            fmt=get_format(spec.format),
            hp=hp,
            checkpoint=request.checkpoint,
            runtime=request.runtime,
            data=request.data,
            tokenizer=self._load_tokenizer(),
            reporter=self.reporter,
            trained=self.trained,
            key=self.keys.get(name),
            predictions_dir=request.output / "predictions" if request.save_predictions else None,
            store=self.store,
            model_hash=self.results.model.weights_hash,
            save_weights=request.save_weights,
            tokenizer_hash=self._tokenizer_hash,
        )

    def _fine_tuned(
        self, name: str, languages: list[str], seeds: list[int]
    ) -> tuple[list[SeedRun], list[Stats], list[Any]]:
        task = self._task_run(name)
        resumed = self._resumed(name, seeds, languages)
        todo = [seed for seed in seeds if resumed[seed][1] is None]
        provenance: list[Any] = []
        features: Any = None
        if todo:
            train, dev, test = task.load(languages, with_train=task.needs_training(todo))
            features = (
                [(split_name, split, task.featurize(split)) for split_name, split in train],
                (dev, task.featurize(dev)) if dev is not None else None,
                {lang: (split, task.featurize(split)) for lang, split in test.items()},
            )
            provenance = [s.provenance for _, s in train] + ([dev.provenance] if dev else [])
            provenance += [s.provenance for s in test.values()]
        runs, stats = [], []
        for seed in seeds:
            key, found = resumed[seed]
            if found is not None:
                record, seed_stats, stored_provenance = found
                provenance = provenance or stored_provenance
            else:
                record, seed_stats = task.run_seed(seed, *features)
                self._save(name, seed, key, record, seed_stats, provenance)
            runs.append(record)
            stats.append(seed_stats)
        self._model_facts(task)
        return runs, stats, provenance

    def _save(
        self, name: str, seed: int, key: str, record: SeedRun, stats: Stats, provenance: list[Any]
    ) -> None:
        """Keep a finished (task, seed) on disk for resuming; a full disk loses only that copy."""
        try:
            self.store.save(name, seed, key, record, stats, provenance)
        except OSError as exc:
            self.reporter.warn(
                f"{name} seed {seed}: not kept for resuming ({exc.strerror or exc}: {exc.filename}); its "
                "scores are in results.json"
            )

    def _model_facts(self, task: TaskRun) -> None:
        """Parameter counts, attention kernel and LoRA facts of the model under a task head: from
        the first task that loaded it, kept on disk so that a resumed run (which loads no model)
        still reports them."""
        model = self.results.model
        if model.parameters is not None:
            return
        key = key_of(
            model=model.weights_hash, lora=self.request.checkpoint.lora, dtype=self.request.checkpoint.dtype
        )
        if task.parameters is not None:
            facts = {"parameters": task.parameters, "attention": task.attention, "peft": task.peft}
            self.store.save_model_facts(key, facts)
        else:
            facts = self.store.load_model_facts(key) or {}
        model.parameters = facts.get("parameters")
        model.attention = facts.get("attention")
        model.peft = facts.get("peft")

    def _retrieval(
        self, name: str, hp: Hyperparameters | None, languages: list[str], seeds: list[int]
    ) -> tuple[list[SeedRun], list[Stats], list[Any]]:
        spec, entry = TASKS[name], self.request.suite.tasks[name]
        retrieval = RetrievalRun(
            spec=spec,
            entry=entry,
            hp=hp,
            tokenizer=self._load_tokenizer(),
            request=self.request,
            reporter=self.reporter,
            encoder_for=self._encoder,
        )
        resumed = self._resumed(name, seeds, languages)
        runs, stats = [], []
        provenance: list[Any] = []
        for seed in seeds:
            key, found = resumed[seed]
            if found is not None:
                record, seed_stats, provenance = found
            else:
                record, seed_stats = retrieval.run_seed(seed, languages)
                provenance = retrieval.provenance
                self._save(name, seed, key, record, seed_stats, provenance)
            runs.append(record)
            stats.append(seed_stats)
        return runs, stats, provenance

    def _encoder(self, source: str | None, seed: int, user: str) -> torch.nn.Module:
        """The encoder retrieval task `user` embeds with: the checkpoint, or a task's fine-tuned model."""
        if source is None:
            return load_encoder(self.request.checkpoint)
        task = self._task_run(source)
        stored = self.trained.store.get(f"{task.key}|seed={seed}") if task.key else None
        if stored is not None:
            model, _ = task.trained_model(seed, [], None, user)  # reuses the stored weights
        else:
            self.reporter.info(f"{user} seed {seed}: fine-tuning {source} for its encoder")
            train, dev, _ = task.load([], with_train=True)
            features = [(split_name, split, task.featurize(split)) for split_name, split in train]
            model, _ = task.trained_model(seed, features, (dev, task.featurize(dev)) if dev else None, user)
        return model.get_encoder() if self.request.checkpoint.is_encoder_decoder else model.base_model

    def _hyperparameters(self, name: str, entry: TaskEntry) -> tuple[Hyperparameters | None, dict[str, Any]]:
        overrides = self.request.overrides.get(name, {})
        if entry.hyperparameters is None:
            return None, {}
        if not overrides:
            return entry.hyperparameters, {}
        merged = Hyperparameters.model_validate({**entry.hyperparameters.model_dump(), **overrides})
        changed = {k: v for k, v in overrides.items() if getattr(entry.hyperparameters, k) != v}
        return merged, changed

    def _training_keys(self) -> tuple[dict[str, str], TrainedModels]:
        """Training identity of every requested task, and which (key, seed) pairs recur."""
        keys: dict[str, str] = {}
        counts: dict[str, int] = {}
        for name in self.request.tasks:
            spec, entry = TASKS[name], self.request.suite.tasks[name]
            if not is_supported(spec.format):
                continue
            hp, _ = self._hyperparameters(name, entry)
            key = training_key(spec, entry, hp, spec.format.value, self.request.data)
            if key is None:
                continue
            keys[name] = key
            for seed in self.request.seeds or self.request.suite.seeds_for(name):
                counts[f"{key}|seed={seed}"] = counts.get(f"{key}|seed={seed}", 0) + 1
        # a retrieval task that embeds with another task's fine-tuned encoder wants that model kept
        for name in self.request.tasks:
            options = self.request.suite.tasks[name].retrieval
            source = options.encoder_from if options else None
            if source is None:
                continue
            spec, entry = TASKS[source], self.request.suite.tasks[source]
            hp, _ = self._hyperparameters(source, entry)
            key = training_key(spec, entry, hp, spec.format.value, self.request.data)
            if key is not None:
                keys[source] = key
                for seed in self.request.seeds or self.request.suite.seeds_for(name):
                    counts[f"{key}|seed={seed}"] = counts.get(f"{key}|seed={seed}", 0) + 2
        return keys, TrainedModels(wanted={k for k, n in counts.items() if n > 1})

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.request.checkpoint)
        return self._tokenizer

    # --- aggregation and output ---------------------------------------------------------------------

    def _aggregate(self) -> None:
        suite = self.request.suite
        task_scores = {name: task.score for name, task in self.results.tasks.items()}
        self.results.categories, self.results.overall = groups(
            task_scores, suite.categories, list(suite.tasks)
        )
        # over the same tasks as the overall score (every suite task has an entry from the start)
        self.results.language_groups = language_groups(
            [self.results.tasks[name] for name in suite.tasks], groups_of
        )

    def _write(self, started: float | None = None) -> None:
        self.results.updated_at = _now()
        if started is not None:
            self.results.timings.total_seconds = time.perf_counter() - started
        if self.request.runtime.dist.is_main:  # one results.json for all processes
            write_results(self.results, self.request.results_path)
