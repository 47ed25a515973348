"""Submissions (submissions/<org>__<model>/): results.json from `harness eval` plus model.yaml."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError
from harness.leaderboard.predictions import ARCHIVE, pack
from harness.leaderboard.safe import FOLDER, MAX_BYTES, read_bounded, safe_yaml, slug
from harness.results import Results
from harness.results.io import write_results

ALLOWED_FILES = {*MAX_BYTES, ARCHIVE}


class IntermediateTask(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, Field(min_length=1, max_length=100)]
    data: Annotated[str, Field(min_length=1, max_length=300)]  # which data, e.g. "MNLI train (English)"


class ModelCard(BaseModel):
    """model.yaml: who made the model, how, and under which terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, Field(min_length=1, max_length=100)]
    organisation: Annotated[str, Field(min_length=1, max_length=100)]
    link: Annotated[str, Field(pattern=r"^https?://\S+$", max_length=500)]
    parameters: Annotated[int, Field(gt=0)]
    base_model: Annotated[str, Field(min_length=1, max_length=200)]
    intermediate_tasks: list[IntermediateTask] = []
    finetuning: Literal["full", "peft"]
    translate_train: bool
    licence: Annotated[str, Field(min_length=1, max_length=100)]
    contact: Annotated[str, Field(min_length=3, max_length=200)]


@dataclass
class Submission:
    folder: Path
    card: ModelCard
    results: Results

    @property
    def name(self) -> str:
        return self.folder.name


def read_card(path: Path) -> ModelCard:
    data = safe_yaml(read_bounded(path), path)
    try:
        return ModelCard.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "(top level)"
        allowed = ", ".join(ModelCard.model_fields)
        message = error["msg"] if error["type"] != "extra_forbidden" else f"unknown field; allowed: {allowed}"
        raise HarnessError(f"{path}: {field}: {message}") from None


def read_results_file(path: Path) -> Results:
    try:
        data = json.loads(read_bounded(path))
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        return Results.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"])
        raise HarnessError(
            f"{path}: {field}: {error['msg']} (not a results.json of this harness version)"
        ) from None


def load_submission(folder: Path) -> Submission:
    """Read and check one submission folder (name, files, card, results); one line per problem found first."""
    if folder.is_symlink() or not FOLDER.match(folder.name):
        raise HarnessError(
            f"{folder}: folder name must be ORG__MODEL in lowercase letters, digits, dots and dashes"
        )
    extra = sorted(p.name for p in folder.iterdir() if p.name not in ALLOWED_FILES)
    if extra:
        raise HarnessError(
            f"{folder}: unexpected file {extra[0]}; a submission holds only "
            f"{', '.join(sorted(ALLOWED_FILES))} (data, never code)"
        )
    card, results = read_card(folder / "model.yaml"), read_results_file(folder / "results.json")
    card_agrees(card, results, folder / "model.yaml")
    return Submission(folder, card, results)


def card_agrees(card: ModelCard, results: Results, where: Path) -> None:
    """What results.json records about training must not contradict the model card."""
    recipe = results.model.recipe
    if recipe is not None and recipe.limit:
        raise HarnessError(
            f"{where}: the checkpoint's intermediate training used --limit {recipe.limit} (a smoke run)"
        )
    recorded = [t.name.lower() for t in recipe.tasks] if recipe is not None else []
    listed = {t.name.lower().replace("-", "").replace(" ", "") for t in card.intermediate_tasks}
    missing = [name for name in recorded if name not in listed]
    if missing:
        raise HarnessError(
            f"{where}: intermediate_tasks: results.json records intermediate training on "
            f"{', '.join(recorded)} (harness-recipe.json); the card does not list {', '.join(missing)}"
        )
    trained = "peft" if results.model.peft else "full"
    if card.finetuning != trained:
        raise HarnessError(
            f"{where}: finetuning: the card says {card.finetuning}, results.json shows {trained}"
        )


def _redact(value: Any) -> Any:
    """Every absolute path in the results (model folder, data files read) reduced to its last part."""
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if isinstance(value, str) and PurePath(value).is_absolute() and "\n" not in value:
        return PurePath(value).name
    return value


def assemble(results_path: Path, card_path: Path, root: Path, predictions: Path | None = None) -> Path:
    """`harness submit`: check the pieces and lay them out as submissions/<org>__<model>/, with the
    run's test predictions (default: the predictions/ folder beside results.json) zipped."""
    card = read_card(card_path)
    results = read_results_file(results_path)
    card_agrees(card, results, card_path)
    if results.run.smoke:
        raise HarnessError(f"{results_path}: a --limit (smoke) run cannot be submitted")
    if results.status in ("running", "failed", "interrupted"):
        raise HarnessError(f"{results_path}: status {results.status}; only finished runs can be submitted")
    predictions = predictions or results_path.parent / "predictions"
    if not predictions.is_dir():
        raise HarnessError(
            f"{predictions}: no test predictions; a submission carries them so that its scores can be "
            "checked: run `harness eval` with --save-predictions (or pass --predictions DIR)"
        )
    folder = root / f"{slug(card.organisation)}__{slug(card.name)}"
    if folder.exists():
        raise HarnessError(f"{folder}: a submission of that name exists; remove it first to replace it")
    folder.mkdir(parents=True)
    try:
        pack(predictions, folder / ARCHIVE)
    except HarnessError:
        shutil.rmtree(folder)
        raise
    # Machine-specific paths say nothing about the model and may reveal a user's home folder.
    redacted = Results.model_validate(_redact(results.model_dump(mode="json")))
    redacted.suite.path = None
    redacted.run.command = " ".join(
        Path(part).name if part.startswith("/") else part for part in results.run.command.split()
    )
    write_results(redacted, folder / "results.json")
    shutil.copyfile(card_path, folder / "model.yaml")
    load_submission(folder)  # what CI will read: check it the same way
    return folder
