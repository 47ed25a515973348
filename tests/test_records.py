"""Typed contracts between commands: provenance records and the intermediate recipe, validated when
read and written back byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from harness.errors import HarnessError
from harness.models import RECIPE_FILE, resolve_checkpoint
from harness.results import Provenance, Recipe, TaskResult, read_results, write_results

ROOT = Path(__file__).resolve().parent.parent

_TAIL = {"task": "xnli", "split": "test", "language": "de", "examples": 24}
HUB = {
    "source": "local", "dataset": "google/xtreme", "config": "XNLI", "hub_split": "test", "data_dir": None,
    "filter": "language==de", "licence": "cc-by-4.0", "revision_requested": None,
    "revision_used": "sha256:70f3", "description": "google/xtreme (local) XNLI/test [language==de]",
    **_TAIL, "divergences": ["rows: 24 read"],
}  # fmt: skip
FILES = {
    "source": "release", "release": "xnli-1.0", "licence": "cc-by-nc-4.0", "path": "/data/xnli/test.tsv",
    "files": ["xnli/test.tsv"], "revision_used": "sha256:81d0", "description": "xnli-1.0: xnli/test.tsv",
    **_TAIL, "divergences": [],
}  # fmt: skip
# schema 1.0 (still readable): no licence, description or divergences
OLD_HUB = {
    "source": "hub", "dataset": "google/xtreme", "config": "XNLI", "hub_split": "test", "data_dir": None,
    "filter": "language==de", "revision_requested": "a" * 40, "revision_used": None, **_TAIL,
}  # fmt: skip
OLD_DOWNLOAD = {"source": "download", "path": "/d/xnli/test-de.tsv", "revision_used": "sha256:1", **_TAIL}


@pytest.mark.parametrize(
    "record", [HUB, FILES, OLD_HUB, OLD_DOWNLOAD], ids=["hub", "files", "1.0", "1.0-file"]
)
def test_a_provenance_record_is_written_back_with_the_same_keys_in_the_same_order(
    record: dict[str, Any],
) -> None:
    typed = Provenance.model_validate(record)
    assert json.dumps(typed.model_dump(mode="json")) == json.dumps(record)
    assert typed.task == "xnli" and typed.examples == 24


def test_a_provenance_record_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="revison_used"):
        Provenance.model_validate({**FILES, "revison_used": "sha256:0"})


def test_the_runners_dicts_become_records_written_the_same_way() -> None:
    # the runner updates a TaskResult with the loaded splits' JSON form (model_copy does not validate)
    base = TaskResult(
        name="xnli", title="XNLI", format="classification", status="pending", languages=["de"],
        metrics=["accuracy"], score_metrics=["accuracy"], seeds=[1],
    )  # fmt: skip
    updated = base.model_copy(update={"data": [HUB, Provenance.model_validate(FILES)]})
    assert all(isinstance(d, Provenance) for d in updated.data)
    assert json.dumps(updated.model_dump(mode="json")["data"]) == json.dumps([HUB, FILES])
    with pytest.raises(ValidationError, match="extra"):
        base.model_copy(update={"data": [{**HUB, "extra": 1}]})


def test_the_sample_submissions_results_are_written_back_byte_for_byte(tmp_path: Path) -> None:
    original = ROOT / "submissions" / "harness__all-minilm-l6-v2" / "results.json"
    write_results(read_results(original), tmp_path / "results.json")
    assert (tmp_path / "results.json").read_bytes() == original.read_bytes()


def _throughput() -> dict[str, Any]:
    return {
        "examples": 24,
        "tokens": 900,
        "padded_tokens": 1024,
        "seconds": 0.5,
        "examples_per_second": 48.0,
        "tokens_per_second": 1800.0,
        "peak_memory_mib": 512.3,
        "model_tflops": 0.0012,
        "mfu": None,
        "oom_retries": 0,
        "processes": 1,
    }


RECIPE: dict[str, Any] = {
    "kind": "harness-intermediate",
    "harness": "0.1.0",
    "created_at": "2026-11-29T16:54:29+00:00",
    "command": "harness intermediate -m tiny -t mnli,hellaswag --mode multitask",
    "base_model": {"id": "tiny", "path": "/m/tiny", "model_type": "bert", "weights_hash": "sha256:ab"},
    "mode": "multitask",
    "tasks": [
        {
            "name": "mnli",
            "paper_name": "MNLI",
            "format": "classification",
            "examples": 24,
            "features": 24,
            "max_length": 256,
            "data": [{**HUB, "pinned": True}],
        }
    ],
    "stages": [
        {
            "tasks": ["mnli", "hellaswag"],
            "sampling": "temperature",
            "temperature": 2.0,
            "probabilities": {"mnli": 0.5, "hellaswag": 0.5},
            "batches_drawn": {"mnli": 2, "hellaswag": 1},
            "optimizer_steps": 3,
            "epochs": 0.125,
            "seconds": 1.25,
            "throughput": _throughput(),
        },
        {"tasks": ["mnli"], "optimizer_steps": 3, "epochs": 1.0, "seconds": 0.5, "throughput": _throughput()},
    ],
    "recipe": "x-stilts",
    "recipe_overrides": {"learning_rate": 0.001, "batch_size": 8},
    "hyperparameters": {
        "name": "x-stilts",
        "learning_rate": 0.001,
        "batch_size": 8,
        "epochs": 3.0,
        "max_length": 256,
        "qa_max_length": 256,
        "warmup_ratio": 0.1,
        "weight_decay": 0.01,
        "max_steps": 3,
    },
    "seed": 42,
    "finetuning": "peft",
    "peft": {"method": "lora", "r": 8, "alpha": 16, "dropout": 0.1, "target_modules": ["query", "value"]},
    "parameters": {
        "total_parameters": 1000,
        "trainable_parameters": 100,
        "adapter_parameters": 90,
        "adapter_bytes": 360,
    },
    "limit": 24,
    "seconds": 3.5,
    "device": "cpu",
    "precision": "fp32",
}


def test_a_recipe_is_written_back_byte_for_byte() -> None:
    text = json.dumps(RECIPE, indent=2) + "\n"
    assert json.dumps(Recipe.model_validate_json(text).model_dump(mode="json"), indent=2) + "\n" == text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recipe_overide": {}}, "recipe_overide: unknown field"),
        ({"stages": [{**RECIPE["stages"][1], "epoch": 1.0}]}, "stages.0.epoch: unknown field"),
        (
            {"hyperparameters": {**RECIPE["hyperparameters"], "warmup_steps": 0}},
            "warmup_steps: unknown field",
        ),
    ],
)
def test_a_recipe_with_an_unknown_key_is_refused_naming_the_file(
    tiny_bert: Path, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    folder = shutil.copytree(tiny_bert, tmp_path / "ckpt")
    (folder / RECIPE_FILE).write_text(json.dumps(RECIPE), encoding="utf-8")
    assert resolve_checkpoint(str(folder)).recipe == Recipe.model_validate(RECIPE)
    (folder / RECIPE_FILE).write_text(json.dumps({**RECIPE, **change}), encoding="utf-8")
    with pytest.raises(HarnessError, match=message) as error:
        resolve_checkpoint(str(folder))
    assert str(error.value).startswith(f"{folder / RECIPE_FILE}: ")
