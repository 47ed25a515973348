"""The versioned results.json schema (documented field by field in docs/results-format.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1.0"

TaskStatus = Literal["complete", "incomplete", "not_supported", "failed", "pending"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StageRecord(_Model):
    split: str
    examples: int
    optimizer_steps: int
    epochs: float
    seconds: float


class SeedRun(_Model):
    seed: int
    scores: dict[str, dict[str, float]]  # language -> metric -> value (0-100)
    examples: dict[str, int]  # language -> number of test examples
    unscored: list[str] = []  # languages predicted but without labels to score against
    dev: dict[str, float] | None = None  # the selected model on the selection dev set
    selected_step: int | None = None  # optimizer step of the kept checkpoint (None: final model)
    dev_history: list[tuple[int, float]] = []  # (optimizer step, dev score) at every evaluation
    stages: list[StageRecord] = []
    train_seconds: float = 0.0
    predict_seconds: float = 0.0


class TaskResult(_Model):
    name: str
    title: str
    format: str
    status: TaskStatus
    reason: str | None = None
    languages: list[str]  # the suite's full list, in the suite's order
    metrics: list[str]
    score_metrics: list[str]
    seeds: list[int]
    hyperparameters: dict[str, Any] | None = None
    overrides: dict[str, Any] = {}  # field -> value given on the command line (differs from the suite)
    selection: dict[str, Any] | None = None
    splits: dict[str, Any] = {}
    runs: list[SeedRun] = []
    scores: dict[str, dict[str, float]] = {}  # language -> metric -> mean over seeds
    missing_languages: list[str] = []
    averages: dict[str, float | None] = {}  # metric -> mean over the full language list, or None
    score: float | None = None
    data: list[dict[str, Any]] = []


class GroupResult(_Model):
    tasks: list[str]
    score: float | None
    missing: list[str] = []


class Results(_Model):
    schema_version: str = SCHEMA_VERSION
    status: Literal["running", "complete", "incomplete", "interrupted", "failed"]
    created_at: str
    updated_at: str
    suite: dict[str, Any]
    model: dict[str, Any]
    run: dict[str, Any]
    environment: dict[str, Any]
    tasks: dict[str, TaskResult]
    categories: dict[str, GroupResult]
    overall: GroupResult
    timings: dict[str, float] = {}
