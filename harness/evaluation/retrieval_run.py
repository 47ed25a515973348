"""One retrieval task of a run: build the protocol's context per seed and run it (formats/retrieval.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from harness.data import load_split
from harness.evaluation.report import Reporter
from harness.evaluation.store import Stats
from harness.formats.retrieval import PROTOCOLS, SUFFIX, RetrievalContext
from harness.results import SeedRun, StageRecord, Throughput
from harness.suites import Hyperparameters, Selection, TaskEntry
from harness.tasks import TaskSpec
from harness.training import TrainProgress, fine_tune, seed_everything
from harness.training.runtime import place
from harness.training.throughput import summarize

if TYPE_CHECKING:
    from harness.evaluation.runner import EvalRequest


@dataclass
class RetrievalRun:
    spec: TaskSpec
    entry: TaskEntry
    hp: Hyperparameters | None
    tokenizer: Any
    request: EvalRequest
    reporter: Reporter
    encoder_for: Callable[[str | None, int, str], torch.nn.Module]  # (encoder_from, seed, user)
    provenance: list[dict[str, Any]] = field(default_factory=list)

    def run_seed(self, seed: int, languages: list[str]) -> tuple[SeedRun, Stats]:
        options = self.entry.retrieval
        assert options is not None
        record = SeedRun(seed=seed, trained_by=options.encoder_from)
        runtime = self.request.runtime
        started = time.perf_counter()

        def encoder() -> torch.nn.Module:
            # seeded, so that anything freshly initialised (a pooler, a dual encoder's scale) repeats
            seed_everything(seed)
            return place(self.encoder_for(options.encoder_from, seed, self.spec.name), runtime)

        def load(split: str, lang: str = "en") -> list[dict[str, Any]]:
            loaded = load_split(self.spec, split, lang, self.request.data)
            if loaded.provenance not in self.provenance:
                self.provenance.append(loaded.provenance)
            return loaded.examples

        context = RetrievalContext(
            spec=self.spec,
            entry=self.entry,
            options=options,
            hp=self.hp,
            tokenizer=self.tokenizer,
            runtime=runtime,
            data=self.request.data,
            languages=languages,
            load=load,
            encoder=encoder,
            train=lambda model, features, collate, rec: self._train(model, features, collate, rec, seed),
            write=lambda kind, lang, text: self._write(kind, lang, text, seed),
            new_bar=lambda: self.reporter.bar(f"{self.spec.name} seed {seed}: embed", 0),
        )
        try:
            PROTOCOLS[self.spec.protocol](context, record)
        finally:
            if context.progress is not None:
                context.progress.close()
        record.predict_seconds = time.perf_counter() - started - record.train_seconds
        return record, context.stats

    def _train(
        self, model: torch.nn.Module, features: list[dict[str, Any]], collate: Any, record: SeedRun, seed: int
    ) -> None:
        assert self.hp is not None
        selection = self.entry.selection or Selection(rule="last")
        if selection.rule != "last":
            raise NotImplementedError("dual encoders keep the final model (selection rule last)")
        bar = self.reporter.bar(f"{self.spec.name} seed {seed}: train {self.entry.splits.train[0]}", 0)
        progress = TrainProgress(
            on_start=bar.set_total, on_step=lambda step, loss: bar.advance(1, f"loss {loss:.3f}")
        )
        outcome = fine_tune(
            place(model, self.request.runtime),
            features,
            collate,
            self.hp,
            seed=seed,
            runtime=self.request.runtime,
            progress=progress,
            splittable=False,  # in-batch negatives: the batch is the loss
        )
        bar.close()
        record.trained_by = None
        record.stages.append(
            StageRecord(
                split=self.entry.splits.train[0],
                examples=len(features),
                features=len(features),
                optimizer_steps=outcome.optimizer_steps,
                epochs=outcome.epochs,
                seconds=outcome.seconds,
                throughput=Throughput(**summarize(outcome.meter, model, self.request.runtime, training=True)),
                micro_batches=outcome.micro_batches,
            )
        )
        record.train_seconds += outcome.seconds

    def _write(self, kind: str, lang: str, text: str, seed: int) -> None:
        if not self.request.save_predictions:
            return
        root: Path = self.request.output / kind
        folder = root / f"seed-{seed}" / self.spec.name if kind == "predictions" else root / self.spec.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"test-{lang}.{SUFFIX[self.spec.protocol]}").write_text(text, encoding="utf-8")
