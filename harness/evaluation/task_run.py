"""One task of a run: load its splits, featurize once, then per seed fine-tune (or reuse), select,
predict every language and score."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from harness.adapters import parameter_counts
from harness.data import DataOptions, LoadedSplit, identity, load_split
from harness.evaluation.feature_cache import cached_features, featurization_code
from harness.evaluation.report import Reporter
from harness.evaluation.store import RunStore, Stats, key_of
from harness.formats import Format
from harness.models import Checkpoint, load_model
from harness.results import SeedRun, StageRecord, Throughput
from harness.suites import Hyperparameters, TaskEntry
from harness.tasks import TaskSpec
from harness.training import Runtime, TrainProgress, fine_tune, predict_outputs, seed_everything
from harness.training.runtime import place
from harness.training.throughput import Meter, reset_peak_memory, summarize

Features = list[dict[str, Any]]


def training_key(
    spec: TaskSpec, entry: TaskEntry, hp: Hyperparameters | None, fmt_name: str, data: DataOptions
) -> str | None:
    """What makes two tasks' fine-tuning identical (same format, data, recipe and selection).

    XQuAD and MLQA share this key (SQuAD v1.1 training, same recipe), so one model serves both, as
    in the reference. Seeds are added by the caller.
    """
    if hp is None or not entry.splits.train:
        return None
    splits = entry.splits
    dev_lang = entry.selection.language if entry.selection else "en"
    return json.dumps(
        {
            "format": fmt_name,
            # the data itself (pinned commit or files' sha256), not only where it comes from
            "train": [identity(spec, s, "en", data) for s in splits.train],
            "dev": identity(spec, splits.dev, dev_lang, data) if splits.dev else None,
            "hp": hp.model_dump(exclude={"eval_batch_size"}),
            "selection": entry.selection.model_dump() if entry.selection else None,
            "labels": spec.labels,
            "limit": data.limit,
        },
        sort_keys=True,
        default=str,
    )


@dataclass
class Trained:
    task: str
    state: dict[str, torch.Tensor]
    record: SeedRun  # stages, selection and timing of the run that trained it


@dataclass
class TrainedModels:
    """Fine-tuned weights kept (on the CPU) for later tasks of the run that train identically."""

    wanted: set[str] = field(default_factory=set)  # keys some later task will ask for
    store: dict[str, Trained] = field(default_factory=dict)


@dataclass
class TaskRun:
    spec: TaskSpec
    entry: TaskEntry
    fmt: Format
    hp: Hyperparameters
    checkpoint: Checkpoint
    runtime: Runtime
    data: DataOptions
    tokenizer: Any
    reporter: Reporter
    trained: TrainedModels
    key: str | None
    predictions_dir: Path | None = None  # write leaderboard files under it (--save-predictions)
    parameters: int | None = None  # set after the first model is loaded
    attention: str | None = None  # the attention implementation transformers picked for it
    peft: dict[str, Any] | None = None  # LoRA settings and parameter counts, set with the first model
    store: RunStore | None = None  # persisted weights: resume, and reuse across runs of one command
    model_hash: str = ""  # the checkpoint's weights hash: part of every persisted key
    save_weights: bool = True  # write every fine-tuned model (not only those another task reuses)
    tokenizer_hash: str = ""  # identifies the tokenizer in the feature cache

    @property
    def dev_lang(self) -> str:
        return self.entry.selection.language if self.entry.selection else "en"

    def _weights_key(self, seed: int) -> str:
        lora = self.checkpoint.lora.model_dump(mode="json") if self.checkpoint.lora else None
        return key_of(
            training=self.key,
            seed=seed,
            model=self.model_hash,
            lora=lora,
            dtype=self.checkpoint.dtype,
            precision=self.runtime.precision,
            tokenizer=self.tokenizer_hash,  # another tokenizer gives other inputs: other weights
        )

    def needs_training(self, seeds: list[int]) -> bool:
        """False when every seed's model was fine-tuned already (earlier in the run, or on disk)."""
        if self.key is None:
            return True
        on_disk = self.store is not None and not self.store.fresh
        return any(
            f"{self.key}|seed={s}" not in self.trained.store
            and not (on_disk and self.store.weights_path(self._weights_key(s)).is_file())  # type: ignore[union-attr]
            for s in seeds
        )

    def load(
        self, languages: list[str], with_train: bool = True
    ) -> tuple[list[tuple[str, LoadedSplit]], LoadedSplit | None, dict[str, LoadedSplit]]:
        roles = self.entry.splits
        train = [(s, load_split(self.spec, s, "en", self.data)) for s in roles.train] if with_train else []
        dev = load_split(self.spec, roles.dev, self.dev_lang, self.data) if roles.dev else None
        test = {lang: load_split(self.spec, roles.test, lang, self.data) for lang in languages}
        return train, dev, test

    def featurize(self, split: LoadedSplit) -> Features:
        provenance = {k: v for k, v in split.provenance.items() if k != "examples"}
        return cached_features(
            lambda: self.fmt.featurize(split.examples, self.tokenizer, self.spec, self.hp),
            tokenizer=self.tokenizer_hash,
            format=self.fmt.name,
            code=featurization_code(self.fmt),  # a change to featurizing never reuses old features
            task=self.spec.name,
            data=provenance,
            limit=self.data.limit,
            max_length=self.hp.max_length,
            qa=self.hp.qa.model_dump() if self.hp.qa else None,
        )

    def predict(
        self,
        model: torch.nn.Module,
        split: LoadedSplit,
        features: Features,
        on_batch: Any = None,
        meter: Meter | None = None,
    ) -> list[Any]:
        collate = self.fmt.collate(self.tokenizer)
        outputs = predict_outputs(
            model,
            features,
            collate,
            self.hp.eval_batch_size,
            self.runtime,
            self.fmt.outputs,
            on_batch,
            meter=meter,
        )
        return self.fmt.decode(outputs, features, split.examples, self.spec, self.hp)

    def run_seed(
        self,
        seed: int,
        train: list[tuple[str, LoadedSplit, Features]],
        dev: tuple[LoadedSplit, Features] | None,
        test: dict[str, tuple[LoadedSplit, Features]],
    ) -> tuple[SeedRun, Stats]:
        model, record = self.trained_model(seed, train, dev)
        if dev is not None:
            split, features = dev
            predictions = self.predict(model, split, features)
            record.dev = self.fmt.score(
                predictions, split.examples, self.entry.metrics, self.spec, self.dev_lang
            )
        stats = self._test(model, seed, test, record)
        return record, stats

    def trained_model(
        self,
        seed: int,
        train: list[tuple[str, LoadedSplit, Features]],
        dev: tuple[LoadedSplit, Features] | None,
        user: str | None = None,
    ) -> tuple[torch.nn.Module, SeedRun]:
        """The model fine-tuned for this seed: trained now, or reused from an identical earlier training.

        `user` names the task the model is for when it is not this one (a retrieval task embedding
        with this task's fine-tuned encoder), so that messages say who reuses what.
        """
        spec, fmt = self.spec, self.fmt
        who = f"{user or spec.name} seed {seed}"
        # The head's initial weights come from the seeded generator: seed before loading.
        seed_everything(seed)
        model = place(load_model(self.checkpoint, fmt.head, fmt.num_labels(spec)), self.runtime)
        self.parameters = self.parameters or sum(p.numel() for p in model.parameters())
        if self.checkpoint.peft and self.peft is None:
            self.peft = {
                "method": "lora",
                "source": "adapter" if self.checkpoint.adapter else "--peft",
                "options": self.checkpoint.lora.model_dump(mode="json") if self.checkpoint.lora else None,
                **parameter_counts(model),
            }
        config = getattr(model, "config", None) or getattr(getattr(model, "encoder", None), "config", None)
        self.attention = self.attention or getattr(config, "_attn_implementation", None)
        key = f"{self.key}|seed={seed}" if self.key else None
        if key is not None and key in self.trained.store:
            kept = self.trained.store[key]
            model.load_state_dict(kept.state)
            self.reporter.info(f"{who}: reusing the model fine-tuned for {kept.task}")
            return model, kept.record.model_copy(update={"trained_by": kept.task}, deep=True)
        disk = self._weights_key(seed) if key is not None else None
        if disk is not None and self.store is not None and self.store.load_weights(disk, model):
            record = self.store.load_training(disk)
            what = f" ({spec.name}'s)" if user else ""
            self.reporter.info(f"{who}: reusing fine-tuned weights{what} from {self.store.root}")
            if key in self.trained.wanted:
                self._keep(key, model, record)
            return model, record.model_copy(
                update={"trained_by": record.trained_by or spec.name, "resumed": True}
            )
        record = self._train(model, seed, train, dev)
        if key is not None and key in self.trained.wanted:
            self._keep(key, model, record)
        if disk is not None and self.store is not None and (self.save_weights or key in self.trained.wanted):
            try:
                self.store.save_weights(disk, model)
                self.store.save_training(disk, record.model_copy(update={"trained_by": spec.name}))
            except OSError as exc:  # a full disk costs the saved copy, never the trained task
                where = exc.filename or self.store.weights_path(disk)
                self.reporter.warn(
                    f"{spec.name} seed {seed}: fine-tuned weights not saved ({exc.strerror or exc}: "
                    f"{where}); the task goes on and its scores are kept, but a later run trains it again"
                )
        return model, record

    def _keep(self, key: str, model: torch.nn.Module, record: SeedRun) -> None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        self.trained.store[key] = Trained(self.spec.name, state, record.model_copy(deep=True))

    def _train(
        self,
        model: torch.nn.Module,
        seed: int,
        train: list[tuple[str, LoadedSplit, Features]],
        dev: tuple[LoadedSplit, Features] | None,
    ) -> SeedRun:
        spec, entry, fmt = self.spec, self.entry, self.fmt
        collate = fmt.collate(self.tokenizer)

        def dev_score() -> float:
            assert dev is not None
            split, features = dev
            scores = fmt.score(
                self.predict(model, split, features), split.examples, entry.metrics[:1], spec, self.dev_lang
            )
            return scores[entry.metrics[0]]

        record = SeedRun(seed=seed, scores={}, examples={})
        started = time.perf_counter()
        for i, (split_name, split, features) in enumerate(train):
            assert entry.selection is not None
            # Selection applies to the last stage (XCOPA: COPA after Social IQa).
            select = i == len(train) - 1 and entry.selection.rule == "best_on_dev"
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
                self.hp,
                seed=seed,
                runtime=self.runtime,
                evaluate=dev_score if select else None,
                every_steps=entry.selection.every_steps if select else None,
                progress=progress,
            )
            bar.close()
            record.stages.append(
                StageRecord(
                    split=split_name,
                    examples=len(split.examples),
                    features=len(features),
                    optimizer_steps=outcome.optimizer_steps,
                    epochs=outcome.epochs,
                    seconds=outcome.seconds,
                    throughput=Throughput(**summarize(outcome.meter, model, self.runtime, training=True)),
                    micro_batches=outcome.micro_batches,
                )
            )
            if select:
                record.selected_step, record.dev_history = outcome.selected_step, outcome.dev_history
        record.train_seconds = time.perf_counter() - started
        return record

    def _test(
        self,
        model: torch.nn.Module,
        seed: int,
        test: dict[str, tuple[LoadedSplit, Features]],
        record: SeedRun,
    ) -> Stats:
        spec, fmt = self.spec, self.fmt
        record.scores, record.examples, record.unscored = {}, {}, []
        stats: Stats = {}
        started = time.perf_counter()
        meter = Meter()
        reset_peak_memory(self.runtime.device)
        bar = self.reporter.bar(f"{spec.name} seed {seed}: predict", sum(len(f) for _, f in test.values()))
        for lang, (split, features) in test.items():
            predictions = self.predict(model, split, features, bar.advance, meter)
            record.examples[lang] = len(predictions)
            if self.predictions_dir is not None:
                _write(
                    self.predictions_dir
                    / f"seed-{seed}"
                    / spec.name
                    / f"test-{lang}.{fmt.prediction_suffix}",
                    fmt.write_predictions(predictions, split.examples),
                )
                if split.labelled:
                    _write(
                        self.predictions_dir.parent
                        / "labels"
                        / spec.name
                        / f"test-{lang}.{fmt.prediction_suffix}",
                        fmt.write_labels(split.examples, spec),
                    )
            if split.labelled:
                record.scores[lang] = fmt.score(predictions, split.examples, self.entry.metrics, spec, lang)
                found = {
                    m: fmt.example_stats(predictions, split.examples, m, spec, lang)
                    for m in self.entry.metrics
                }
                stats[lang] = {m: value for m, value in found.items() if value is not None}
            else:
                record.unscored.append(lang)
        bar.close()
        record.predict_seconds = time.perf_counter() - started
        record.predict_throughput = Throughput(**summarize(meter, model, self.runtime, training=False))
        return stats


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
