"""One task of a run, as its format sees it (`formats.base.TaskContext`): data read once, features
cached, fine-tuned models trained or reused, the encoder to embed with, and progress bars. Then the
one place where predictions become files, scores and bootstrap statistics, for every format."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from harness.adapters import parameter_counts
from harness.batching import Collate, Features
from harness.data import DataOptions, LoadedSplit, SplitReader
from harness.errors import HarnessError
from harness.evaluation.feature_cache import cached_features, featurization_code
from harness.evaluation.plan import TaskPlan
from harness.evaluation.store import RunStore, Stats, key_of
from harness.evaluation.weights import WeightsCache
from harness.formats import prediction_file
from harness.formats.base import Format, LanguageOutput
from harness.formats.fine_tuned import FineTuned
from harness.models import Checkpoint, load_encoder, load_model
from harness.report import Bar, Reporter
from harness.results import ModelInfo, SeedRun, StageRecord, Throughput
from harness.suites import Hyperparameters, Selection, TaskEntry
from harness.tasks import TaskSpec
from harness.training import Runtime, TrainProgress, fine_tune, seed_everything
from harness.training.runtime import place
from harness.training.throughput import summarize


@dataclass
class ModelFacts:
    """What loading the model under a task head taught: from the first task of the run that did."""

    parameters: int | None = None
    attention: str | None = None  # the attention implementation transformers picked
    peft: dict[str, Any] | None = None  # LoRA settings and parameter counts

    def learn(self, model: torch.nn.Module, checkpoint: Checkpoint) -> None:
        self.parameters = self.parameters or sum(p.numel() for p in model.parameters())
        if checkpoint.peft and self.peft is None:
            self.peft = {
                "method": "lora",
                "source": "adapter" if checkpoint.adapter else "--peft",
                "options": checkpoint.lora.model_dump(mode="json") if checkpoint.lora else None,
                **parameter_counts(model),
            }
        config = getattr(model, "config", None) or getattr(getattr(model, "encoder", None), "config", None)
        self.attention = self.attention or getattr(config, "_attn_implementation", None)

    def merge(self, other: ModelFacts) -> None:
        """What another process (a Ray worker) learned, where this one knows nothing yet."""
        self.parameters = self.parameters or other.parameters
        self.attention = self.attention or other.attention
        self.peft = self.peft or other.peft

    def report(self, model: ModelInfo, store: RunStore, checkpoint: Checkpoint) -> None:
        """Fill results.json's model facts once: from this run's loading, kept on disk so that a
        resumed run (which loads no model) still reports them."""
        if model.parameters is not None:
            return
        key = key_of(model=model.weights_hash, lora=checkpoint.lora, dtype=checkpoint.dtype)
        if self.parameters is not None:
            found = {"parameters": self.parameters, "attention": self.attention, "peft": self.peft}
            store.save_model_facts(key, found)
        else:
            found = store.load_model_facts(key) or {}
        model.parameters = found.get("parameters")
        model.attention = found.get("attention")
        model.peft = found.get("peft")


@dataclass
class TaskRun:
    plan: TaskPlan
    fmt: Format
    checkpoint: Checkpoint
    runtime: Runtime
    data: DataOptions
    tokenizer: Any
    tokenizer_hash: str  # identifies the tokenizer in the feature cache
    reporter: Reporter
    weights: WeightsCache
    facts: ModelFacts
    output: Path | None = None  # write leaderboard files under it (--save-predictions), else None
    encoder_source: TaskRun | None = None  # the task whose fine-tuned encoder this one embeds with
    reader: SplitReader = field(init=False)
    _features: dict[int, Features] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.reader = SplitReader(self.plan.spec, self.data)

    @property
    def spec(self) -> TaskSpec:
        return self.plan.spec

    @property
    def entry(self) -> TaskEntry:
        return self.plan.entry

    @property
    def hp(self) -> Hyperparameters | None:
        return self.plan.hp

    # --- what a format uses (formats.base.TaskContext) ---------------------------------------------------

    def features(self, split: LoadedSplit) -> Features:
        # the reader keeps each split it loaded: its features are made (or read from the cache) once
        if id(split) not in self._features:
            self._features[id(split)] = self._featurize(split)
        return self._features[id(split)]

    def _featurize(self, split: LoadedSplit) -> Features:
        fmt, hp = self._fine_tuned_format(), self._hyperparameters()
        provenance = {k: v for k, v in split.provenance.items() if k != "examples"}
        return cached_features(
            lambda: fmt.featurize(split.examples, self.tokenizer, self.spec, hp),
            tokenizer=self.tokenizer_hash,
            format=fmt.name,
            code=featurization_code(fmt),  # a change to featurizing never reuses old features
            task=self.spec.name,
            data=provenance,
            limit=self.data.limit,
            max_length=hp.max_length,
            qa=hp.qa.model_dump() if hp.qa else None,
        )

    def bar(self, what: str, total: int) -> Bar:
        return self.reporter.bar(f"{self.spec.name} {what}", total)

    def fine_tuned(self, seed: int, user: str | None = None) -> tuple[torch.nn.Module, SeedRun]:
        """The model fine-tuned for this seed: trained now, or reused from an identical earlier training.

        `user` names the task the model is for when it is not this one (a retrieval task embedding
        with this task's fine-tuned encoder), so that messages say who reuses what.
        """
        fmt, key = self._fine_tuned_format(), self.plan.training_key
        # The head's initial weights come from the seeded generator: seed before loading.
        seed_everything(seed)
        model = place(load_model(self.checkpoint, fmt.head, fmt.num_labels(self.spec)), self.runtime)
        self.facts.learn(model, self.checkpoint)
        if key is not None:
            who = f"{user or self.spec.name} seed {seed}"
            record = self.weights.restore(key, seed, model, self.spec.name, who, user)
            if record is not None:
                return model, record
        record = self._train(model, seed)
        if key is not None:
            self.weights.add(key, seed, model, self.spec.name, record)
        return model, record

    def encoder(self, seed: int) -> torch.nn.Module:
        # seeded, so that anything freshly initialised (a pooler, a dual encoder's scale) repeats
        seed_everything(seed)
        source = self.encoder_source
        if source is None:
            return place(load_encoder(self.checkpoint), self.runtime)
        key = source.plan.training_key
        if key is None or not source.weights.available(key, seed):
            self.reporter.info(
                f"{self.spec.name} seed {seed}: fine-tuning {source.spec.name} for its encoder"
            )
        model, _ = source.fine_tuned(seed, user=self.spec.name)
        encoder = model.get_encoder() if self.checkpoint.is_encoder_decoder else model.base_model
        return place(encoder, self.runtime)

    def train(
        self, model: torch.nn.Module, features: Features, collate: Collate, seed: int, record: SeedRun
    ) -> None:
        """A dual encoder's one training stage: in-batch negatives, the final model kept."""
        selection = self.entry.selection or Selection(rule="last")
        if selection.rule != "last":
            raise NotImplementedError("dual encoders keep the final model (selection rule last)")
        split = self.entry.splits.train[0]
        stage, _ = self._stage(
            place(model, self.runtime), features, collate, seed, split, len(features), splittable=False
        )
        record.trained_by = None
        record.stages.append(stage)
        record.train_seconds += stage.seconds

    # --- running one seed --------------------------------------------------------------------------------

    def run_seed(self, seed: int) -> tuple[SeedRun, Stats]:
        record, outputs = self.fmt.run_seed(self, seed, self.plan.languages)
        return record, self._score(seed, record, outputs)

    def _score(self, seed: int, record: SeedRun, outputs: dict[str, LanguageOutput]) -> Stats:
        """Per language: the leaderboard files, the scores and the bootstrap statistics."""
        fmt, spec, metrics = self.fmt, self.spec, self.entry.metrics
        record.scores, record.examples, record.unscored = {}, {}, []
        stats: Stats = {}
        for lang, out in outputs.items():
            record.examples[lang] = out.count
            name = prediction_file(spec, lang)
            if self.output is not None:
                _write(
                    self.output / "predictions" / f"seed-{seed}" / spec.name / name,
                    fmt.write_predictions(out.predictions),
                )
            if out.gold is None:
                record.unscored.append(lang)
                continue
            if self.output is not None:
                _write(self.output / "labels" / spec.name / name, fmt.write_labels(out.gold, out.examples))
            record.scores[lang] = fmt.score(out.predictions, out.gold, metrics, spec, lang)
            found = {m: fmt.example_stats(out.predictions, out.gold, m, spec, lang) for m in metrics}
            stats[lang] = {m: value for m, value in found.items() if value is not None}
        return stats

    # --- fine-tuning -------------------------------------------------------------------------------------

    def _fine_tuned_format(self) -> FineTuned:
        if not isinstance(self.fmt, FineTuned):
            raise HarnessError(f"{self.spec.name}: the {self.fmt.name} format fine-tunes no task head")
        return self.fmt

    def _hyperparameters(self) -> Hyperparameters:
        if self.hp is None:
            raise HarnessError(
                f"{self.spec.name}: the {self.fmt.name} format needs hyperparameters in the suite"
            )
        return self.hp

    def _train(self, model: torch.nn.Module, seed: int) -> SeedRun:
        fmt, entry = self._fine_tuned_format(), self.entry
        assert entry.selection is not None
        collate = fmt.collate(self.tokenizer)
        record = SeedRun(seed=seed, scores={}, examples={})
        metric = entry.metrics[0]

        def dev_score() -> float:
            return fmt.dev_scores(self, model, [metric])[metric]

        started = time.perf_counter()
        for i, split_name in enumerate(entry.splits.train):
            split = self.reader.load(split_name, "en")
            features = self.features(split)
            # Selection applies to the last stage (XCOPA: COPA after Social IQa).
            select = i == len(entry.splits.train) - 1 and entry.selection.rule == "best_on_dev"
            stage, outcome = self._stage(
                model,
                features,
                collate,
                seed,
                split_name,
                len(split.examples),
                evaluate=dev_score if select else None,
                every_steps=entry.selection.every_steps if select else None,
            )
            record.stages.append(stage)
            if select:
                record.selected_step, record.dev_history = outcome.selected_step, outcome.dev_history
        record.train_seconds = time.perf_counter() - started
        return record

    def _stage(
        self,
        model: torch.nn.Module,
        features: Features,
        collate: Collate,
        seed: int,
        split: str,
        examples: int,
        evaluate: Any = None,
        every_steps: int | None = None,
        splittable: bool = True,  # False: in-batch negatives, the batch is the loss
    ) -> tuple[StageRecord, Any]:
        """One training stage of the shared loop under a progress bar, and what it records."""
        bar = self.bar(f"seed {seed}: train {split}", 0)
        progress = TrainProgress(
            on_start=bar.set_total,
            on_step=lambda step, loss: bar.advance(1, f"loss {loss:.3f}"),
            on_eval=lambda step, score: bar.advance(0, f"dev {score:.1f} @ {step}"),
        )
        try:
            outcome = fine_tune(
                model,
                features,
                collate,
                self._hyperparameters(),
                seed=seed,
                runtime=self.runtime,
                evaluate=evaluate,
                every_steps=every_steps,
                progress=progress,
                splittable=splittable,
            )
        finally:
            bar.close()
        stage = StageRecord(
            split=split,
            examples=examples,
            features=len(features),
            optimizer_steps=outcome.optimizer_steps,
            epochs=outcome.epochs,
            seconds=outcome.seconds,
            throughput=Throughput(**summarize(outcome.meter, model, self.runtime, training=True)),
            micro_batches=outcome.micro_batches,
        )
        return stage, outcome


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
