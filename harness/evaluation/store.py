"""Finished work of a run, on disk, so that re-running the same command resumes instead of redoing.

Each (task, seed) result is written atomically as it finishes, under OUTPUT/runs/, with what its
bootstrap needs; fine-tuned weights go under OUTPUT/weights/. Everything is keyed by what changes a
number (model weights hash, suite hash, task, seed, effective hyperparameters, data options,
languages), so a changed suite, model or option never reuses stale work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from harness.files import atomic_write
from harness.results import SCHEMA_VERSION, SeedRun
from harness.training.distributed import Dist

# language -> metric -> (kind, per-example statistics)
Stats = dict[str, dict[str, tuple[str, np.ndarray]]]


def key_of(**parts: Any) -> str:
    """A stable hash of everything that identifies a piece of work."""
    payload = json.dumps({"schema": SCHEMA_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class RunStore:
    def __init__(self, output: Path, fresh: bool = False, dist: Dist | None = None):
        self.root = output
        self.fresh = fresh  # --fresh: ignore (and overwrite) earlier work
        # Under several processes only the first writes; the others wait until it has, so that
        # every process reads the same files afterwards and takes the same decisions.
        self.dist = dist or Dist()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[bool]:
        try:
            yield self.dist.is_main
        finally:
            self.dist.barrier()

    def _result_path(self, task: str, seed: int) -> Path:
        return self.root / "runs" / task / f"seed-{seed}.json"

    def load(self, task: str, seed: int, key: str) -> tuple[SeedRun, Stats, list[Any]] | None:
        """An earlier finished (task, seed) with the same key, or None."""
        path = self._result_path(task, seed)
        if self.fresh or not path.is_file():
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored.get("key") != key:
                return None
            record = SeedRun.model_validate(stored["record"]).model_copy(update={"resumed": True})
            stats = {
                lang: {
                    metric: (kind, np.array(values, dtype=float))
                    for metric, (kind, values) in metrics.items()
                }
                for lang, metrics in stored["stats"].items()
            }
            return record, stats, stored.get("provenance", [])
        except (ValueError, KeyError, TypeError):
            return None  # a damaged file is redone, never trusted

    def save(
        self, task: str, seed: int, key: str, record: SeedRun, stats: Stats, provenance: list[Any]
    ) -> None:
        payload = {
            "key": key,
            "record": record.model_dump(mode="json"),
            "stats": {
                lang: {metric: [kind, values.tolist()] for metric, (kind, values) in metrics.items()}
                for lang, metrics in stats.items()
            },
            "provenance": provenance,
        }
        with self._writing() as writer:
            if writer:
                atomic_write(self._result_path(task, seed), json.dumps(payload).encode())

    def save_model_facts(self, key: str, facts: dict[str, Any]) -> None:
        """What loading the model taught (parameter counts, attention kernel, LoRA counts)."""
        with self._writing() as writer:
            if writer:
                atomic_write(self.root / "runs" / f"model-{key}.json", json.dumps(facts).encode())

    def load_model_facts(self, key: str) -> dict[str, Any] | None:
        path = self.root / "runs" / f"model-{key}.json"
        try:
            facts = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        except ValueError:
            return None  # damaged: the facts are missing, never made up
        return facts if isinstance(facts, dict) else None

    # --- fine-tuned weights, keyed by training identity (XQuAD and MLQA share one file) -----------------

    def weights_path(self, key: str) -> Path:
        return self.root / "weights" / f"{key}.safetensors"

    def save_weights(self, key: str, model: torch.nn.Module) -> None:
        from safetensors.torch import save_model

        with self._writing() as writer:
            if not writer:
                return
            # save_model handles tied weights (e.g. T5's shared embeddings)
            atomic_write(self.weights_path(key), lambda tmp: save_model(model, str(tmp)))

    def save_training(self, key: str, record: SeedRun) -> None:
        """How the weights were trained (stages, selection), kept beside them."""
        with self._writing() as writer:
            if writer:
                atomic_write(self.weights_path(key).with_suffix(".json"), record.model_dump_json().encode())

    def load_training(self, key: str) -> SeedRun:
        path = self.weights_path(key).with_suffix(".json")
        return SeedRun.model_validate_json(path.read_text(encoding="utf-8"))

    def load_weights(self, key: str, model: torch.nn.Module) -> bool:
        from safetensors.torch import load_model

        path = self.weights_path(key)
        if self.fresh or not path.is_file() or not path.with_suffix(".json").is_file():
            return False
        load_model(model, str(path), device=str(next(model.parameters()).device))
        return True
