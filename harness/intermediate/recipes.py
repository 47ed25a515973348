"""Intermediate-task training recipes: the X-STILTs paper's (the default) and the harness's first one.

Phang et al. (2020) trained their intermediate tasks with jiant's simple runscript; its guide for the
paper (jiant guides/projects/xstilts.md) runs `jiant/proj/simple/runscript.py --model_type
xlm-roberta-large --train_batch_size 4 --tasks ...`, so every other value is that runscript's
default. Line numbers are those of nyu-mll/jiant at daa5a258 (../shared/reference/review/recipes.md).
The paper's own hyperparameter section could not be retrieved; where it and jiant differ, jiant's
executable configuration wins here, and the source of each value says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from harness.errors import unknown

_JIANT = "nyu-mll/jiant@daa5a258"


@dataclass(frozen=True)
class IntermediateRecipe:
    name: str
    description: str
    learning_rate: float
    batch_size: int
    epochs: float
    max_length: int  # every task but extractive QA
    qa_max_length: int
    warmup_ratio: float  # share of the optimizer steps spent warming up
    weight_decay: float  # on all but biases and LayerNorm weights
    sources: Mapping[str, str] = field(default_factory=dict)  # field -> where its value comes from

    def with_values(self, **values: Any) -> IntermediateRecipe:
        """The recipe with some values replaced (None keeps the recipe's)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "learning_rate": self.learning_rate,
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "max_length": self.max_length,
            "qa_max_length": self.qa_max_length,
            "warmup_ratio": self.warmup_ratio,
            "weight_decay": self.weight_decay,
        }


RECIPES: dict[str, IntermediateRecipe] = {
    "x-stilts": IntermediateRecipe(
        name="x-stilts",
        description="Phang et al. 2020 as jiant runs it (the default)",
        learning_rate=1e-5,
        batch_size=4,
        epochs=3.0,
        max_length=256,
        qa_max_length=256,
        warmup_ratio=0.1,
        weight_decay=0.01,
        sources={
            "learning_rate": f"{_JIANT} jiant/proj/simple/runscript.py:59 (default 1e-5)",
            "batch_size": f"{_JIANT} guides/projects/xstilts.md:27 (--train_batch_size 4)",
            "epochs": f"{_JIANT} jiant/proj/simple/runscript.py:40 (default 3)",
            "max_length": f"{_JIANT} jiant/proj/simple/runscript.py:39 (256 for every task of a run)",
            "qa_max_length": f"{_JIANT} jiant/proj/simple/runscript.py:39, 166-167 (one length for all)",
            "warmup_ratio": f"{_JIANT} jiant/proj/main/scripts/configurator.py:258, 419 (10% of max_steps)",
            "weight_decay": f"{_JIANT} jiant/shared/model_setup.py:61-89 (0.01; not on bias, LayerNorm)",
            "adam_epsilon, max_grad_norm": f"{_JIANT} jiant/proj/simple/runscript.py:60-61 (1e-8, 1.0)",
        },
    ),
    "harness-v1": IntermediateRecipe(
        name="harness-v1",
        description="the harness's first defaults: XTREME's lengths, one epoch, no warmup or decay",
        learning_rate=2e-5,
        batch_size=32,
        epochs=1.0,
        max_length=128,
        qa_max_length=384,
        warmup_ratio=0.0,
        weight_decay=0.0,
        sources={"max_length, qa_max_length": "google-research/xtreme train_*.sh (128; 384 for SQuAD)"},
    ),
}


def get_recipe(name: str) -> IntermediateRecipe:
    if name not in RECIPES:
        raise unknown("intermediate recipe", name, RECIPES, where="--recipe")
    return RECIPES[name]


# What a command line or a sweep may replace in a recipe.
REPLACEABLE = ("learning_rate", "batch_size", "epochs", "max_length", "warmup_ratio", "weight_decay")


def recipe_with(name: str, **values: Any) -> tuple[IntermediateRecipe, dict[str, Any]]:
    """The named recipe with the given values replaced (None keeps the recipe's), and those values.

    `max_length` replaces both lengths (every task's and extractive QA's)."""
    recipe = get_recipe(name)
    overrides = {k: v for k, v in values.items() if v is not None}
    if "max_length" in overrides:
        overrides.setdefault("qa_max_length", overrides["max_length"])
    return recipe.with_values(**overrides), overrides
