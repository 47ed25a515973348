"""Fine-tuned weights reused instead of retrained: in memory within a run, on disk across runs.

In memory: the models that more than one task of the run needs (MLQA reuses XQuAD's; XTREME-R
Tatoeba embeds with it), kept on the CPU. On disk: every fine-tuned model under OUTPUT/weights/
(or only those another task needs, with --no-save-weights), keyed by everything that changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from harness.evaluation.store import RunStore, key_of
from harness.report import Reporter
from harness.results import SeedRun


@dataclass
class Kept:
    task: str  # the task that trained it
    state: dict[str, torch.Tensor]
    record: SeedRun  # stages, selection and timing of the run that trained it


@dataclass
class WeightsCache:
    store: RunStore | None  # None: nothing kept on disk (library use)
    reporter: Reporter
    shared: set[str] = field(default_factory=set)  # model keys more than one task needs
    save_all: bool = True  # every fine-tuned model on disk, not only the shared ones
    identity: dict[str, object] = field(default_factory=dict)  # model, LoRA, dtype, precision, tokenizer
    memory: dict[str, Kept] = field(default_factory=dict)

    def _disk_key(self, training_key: str, seed: int) -> str:
        return key_of(training=training_key, seed=seed, **self.identity)

    def on_disk(self, training_key: str, seed: int) -> bool:
        return (
            self.store is not None
            and not self.store.fresh
            and self.store.weights_path(self._disk_key(training_key, seed)).is_file()
        )

    def available(self, training_key: str, seed: int) -> bool:
        """Whether this model was fine-tuned already (earlier in the run, or on disk)."""
        return f"{training_key}|seed={seed}" in self.memory or self.on_disk(training_key, seed)

    def restore(
        self, training_key: str, seed: int, model: torch.nn.Module, task: str, who: str, user: str | None
    ) -> SeedRun | None:
        """Load an earlier fine-tuning of this model into `model`; its record, or None."""
        key = f"{training_key}|seed={seed}"
        if key in self.memory:
            kept = self.memory[key]
            model.load_state_dict(kept.state)
            self.reporter.info(f"{who}: reusing the model fine-tuned for {kept.task}")
            return kept.record.model_copy(update={"trained_by": kept.task}, deep=True)
        disk = self._disk_key(training_key, seed)
        if self.store is None or not self.store.load_weights(disk, model):
            return None
        record = self.store.load_training(disk)
        what = f" ({task}'s)" if user else ""
        self.reporter.info(f"{who}: reusing fine-tuned weights{what} from {self.store.root}")
        if key in self.shared:
            self._keep(key, task, model, record)
        return record.model_copy(update={"trained_by": record.trained_by or task, "resumed": True})

    def add(self, training_key: str, seed: int, model: torch.nn.Module, task: str, record: SeedRun) -> None:
        """A model just fine-tuned: kept for the run's other tasks that need it, and saved to disk."""
        key = f"{training_key}|seed={seed}"
        if key in self.shared:
            self._keep(key, task, model, record)
        if self.store is None or not (self.save_all or key in self.shared):
            return
        disk = self._disk_key(training_key, seed)
        try:
            self.store.save_weights(disk, model)
            self.store.save_training(disk, record.model_copy(update={"trained_by": task}))
        except OSError as exc:  # a full disk costs the saved copy, never the trained task
            where = exc.filename or self.store.weights_path(disk)
            self.reporter.warn(
                f"{task} seed {seed}: fine-tuned weights not saved ({exc.strerror or exc}: "
                f"{where}); the task goes on and its scores are kept, but a later run trains it again"
            )

    def _keep(self, key: str, task: str, model: torch.nn.Module, record: SeedRun) -> None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        self.memory[key] = Kept(task, state, record.model_copy(deep=True))
