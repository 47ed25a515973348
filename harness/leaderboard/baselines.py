"""Published baselines (baselines/*.yaml): every number with its source; null stays null."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from harness.errors import HarnessError
from harness.leaderboard.safe import read_bounded, safe_yaml
from harness.results.aggregate import group_score, task_score
from harness.suites import Suite


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    citation: str
    url: str | None = None
    commit: str | None = None


class Alternative(_Strict):
    value: float
    source: str
    note: str = ""


class Value(_Strict):
    value: float | None
    source: str | list[str] | None = None
    note: str = ""
    alternatives: list[Alternative] = []

    @property
    def sources(self) -> list[str]:
        if self.source is None:
            return []
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @model_validator(mode="after")
    def _sourced(self) -> Value:
        if self.value is not None and not self.sources:
            raise ValueError("a published number needs its source")
        return self


class LanguageValues(_Strict):
    source: str
    values: dict[str, float]


class Baseline(_Strict):
    schema_version: Literal["1"]
    model: str
    hf_name: str | None = None
    paper: str
    suite: str
    intermediate_tasks: list[str] = []
    sources: dict[str, Source]
    notes: list[str] = []
    tasks: dict[str, dict[str, Value]]  # task -> metric -> value
    per_language: dict[str, dict[str, LanguageValues]] = {}  # task -> metric -> values by language

    @model_validator(mode="after")
    def _known_sources(self) -> Baseline:
        named = [s for metrics in self.tasks.values() for v in metrics.values() for s in v.sources]
        named += [
            a.source for metrics in self.tasks.values() for v in metrics.values() for a in v.alternatives
        ]
        named += [lv.source for metrics in self.per_language.values() for lv in metrics.values()]
        unknown = sorted(set(named) - set(self.sources))
        if unknown:
            raise ValueError(f"source {unknown[0]} is not listed under sources")
        return self

    def metric(self, task: str, metric: str) -> float | None:
        value = self.tasks.get(task, {}).get(metric)
        return value.value if value is not None else None


def load_baselines(folder: Path) -> dict[str, Baseline]:
    """Every baselines/*.yaml, by file stem; a bad file is one line naming it and the field."""
    found: dict[str, Baseline] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = safe_yaml(read_bounded(path), path)
        try:
            found[path.stem] = Baseline.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"])
            raise HarnessError(f"{path}: {field}: {error['msg'].removeprefix('Value error, ')}") from None
    return found


def baseline_task_score(baseline: Baseline, suite: Suite, task: str) -> float | None:
    """The task as the suite scores it (QA: mean of EM and F1), by the rule of results/aggregate.py:
    None unless every score metric is published."""
    if task not in suite.tasks:
        return None
    metrics = suite.tasks[task].score
    return task_score({m: baseline.metric(task, m) for m in metrics}, metrics)


def baseline_overall(baseline: Baseline, suite: Suite) -> float | None:
    """The suite score: the mean over all its tasks, None unless every task score is known."""
    tasks = list(suite.tasks)
    return group_score({t: baseline_task_score(baseline, suite, t) for t in tasks}, tasks)


def baseline_sources(baseline: Baseline, suite: Suite, task: str) -> list[str]:
    """The sources (keys of `sources`) of the numbers a task score is made of, first mention first."""
    metrics = suite.tasks[task].score if task in suite.tasks else []
    values = [baseline.tasks.get(task, {}).get(m) for m in metrics]
    return list(dict.fromkeys(s for v in values if v is not None and v.value is not None for s in v.sources))
