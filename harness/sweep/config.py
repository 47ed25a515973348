"""The sweep YAML, as typed objects: which models, intermediate tasks, modes, steps, PEFT and seeds."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.adapters import LoraOptions
from harness.errors import HarnessError
from harness.intermediate.modes import Mode, Sampling


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntermediateSettings(_Strict):
    """The intermediate recipe (harness/intermediate/recipes.py) and any of its values replaced."""

    recipe: Literal["x-stilts", "harness-v1"] = "x-stilts"
    learning_rate: float | None = Field(None, gt=0)
    batch_size: int | None = Field(None, ge=1)
    epochs: float | None = Field(None, gt=0)
    max_length: int | None = Field(None, ge=8)
    warmup_ratio: float | None = Field(None, ge=0, lt=1)
    weight_decay: float | None = Field(None, ge=0)
    sampling: Sampling = Sampling.proportional
    temperature: float = Field(2.0, gt=0)
    seed: int = 42
    limit: int | None = Field(None, ge=1)


class SweepConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    suite: str  # built-in name or path (relative to the sweep file)
    tasks: list[str] | None = None  # target tasks (default: the suite's)
    seeds: list[int] | None = None  # replacing the suite's
    models: dict[str, str]  # label -> checkpoint folder or hub id
    intermediate: list[list[str]] = [[]]  # task lists; [] = no intermediate training
    modes: list[Mode] = [Mode.sequential]
    steps: list[int | None] = [None]  # intermediate max_steps (None: epochs decide)
    peft: list[Literal["none", "lora"]] = ["none"]
    lora: LoraOptions = LoraOptions()
    settings: IntermediateSettings = IntermediateSettings()
    eval_set: list[str] = []  # --set [TASK.]FIELD=VALUE for every evaluation
    limit: int | None = Field(None, ge=1)  # --limit for every evaluation (smoke sweeps)

    @field_validator("models")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("give at least one model")
        for label in value:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", label):
                raise ValueError(f'label "{label}": letters, digits, dots, dashes and underscores only')
        return value


class Cell(_Strict):
    """One point of the grid."""

    model: str  # label
    intermediate: tuple[str, ...]
    mode: str | None  # None without intermediate training
    steps: int | None
    peft: str

    @property
    def slug(self) -> str:
        tasks = "+".join(self.intermediate) or "none"
        mode = f"_{self.mode}" if self.mode else ""
        steps = f"_{self.steps}steps" if self.intermediate and self.steps is not None else ""
        return f"{self.model}__{tasks}{mode}{steps}__{self.peft}"

    def row(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "intermediate": "+".join(self.intermediate) or "—",
            "mode": self.mode or "—",
            "steps": self.steps if self.intermediate else None,
            "peft": self.peft,
        }


def cells(config: SweepConfig) -> list[Cell]:
    """The grid, without duplicates: a cell without intermediate tasks has no mode or steps, and a
    single intermediate task has no multi-task variant (it would train the same way)."""
    seen: dict[str, Cell] = {}
    for model, tasks, mode, steps, peft in itertools.product(
        config.models, config.intermediate, config.modes, config.steps, config.peft
    ):
        cell = Cell(
            model=model,
            intermediate=tuple(tasks),
            mode=(mode.value if len(tasks) > 1 else Mode.sequential.value) if tasks else None,
            steps=steps if tasks else None,
            peft=peft,
        )
        seen.setdefault(cell.slug, cell)
    return list(seen.values())


def load_sweep(path: Path) -> SweepConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path}: sweep file not found") from None
    except yaml.YAMLError as exc:
        raise HarnessError(f"{path}: invalid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: a sweep file is a mapping (name, suite, models, ...)")
    try:
        config = SweepConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field; allowed: {', '.join(SweepConfig.model_fields)}"
        raise HarnessError(f"{path}: {field}: {message}") from None
    # paths in the file are relative to it
    base = path.parent
    models = {k: str((base / v).resolve()) if (base / v).exists() else v for k, v in config.models.items()}
    suite = str((base / config.suite).resolve()) if (base / config.suite).is_file() else config.suite
    return config.model_copy(update={"models": models, "suite": suite})
