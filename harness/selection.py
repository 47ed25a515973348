"""A run's selection from a suite: the command-line values (--tasks, --languages, --seeds, --set)
checked against the suite and turned into typed values, or an error naming the option."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from harness.errors import HarnessError, unknown
from harness.languages import LANGUAGES, unknown_language
from harness.suites import Hyperparameters, Seed, Suite, unique


def select_tasks(suite: Suite, names: list[str] | None) -> list[str]:
    """The requested tasks in suite order (all when None); unknown names fail with a suggestion."""
    if not names:
        return list(suite.tasks)
    for name in names:
        if name not in suite.tasks:
            raise unknown("task", name, suite.tasks, where=f"--tasks (suite {suite.name})")
    return [t for t in suite.tasks if t in names]


def check_languages(suite: Suite, tasks: list[str], codes: list[str] | None) -> list[str] | None:
    """Validate a --languages subset: known codes that at least one selected task evaluates."""
    if not codes:
        return None
    used = {lang for t in tasks for lang in suite.tasks[t].languages}
    for code in codes:
        if code not in LANGUAGES:
            raise unknown_language(code, "--languages")
        if code not in used:
            raise HarnessError(
                f'--languages: "{code}" is in none of the selected tasks\' language lists; '
                f"allowed: {', '.join(sorted(used))}"
            )
    return codes


def parse_seeds(values: list[str] | None) -> list[int] | None:
    """Validate --seeds with the same rule as a suite's seeds (distinct integers in 0..2**32-1)."""
    if not values:
        return None
    try:
        seeds = TypeAdapter(list[Seed]).validate_python([int(v) for v in values])
        return unique(seeds, "seed")
    except (ValueError, ValidationError) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        if "invalid literal" in detail:
            detail = "seeds are integers"
        raise HarnessError(f"--seeds {','.join(values)}: {detail}; e.g. --seeds 1,2,3") from None


def parse_overrides(suite: Suite, tasks: list[str], items: list[str] | None) -> dict[str, dict[str, Any]]:
    """Parse --set [TASK.]FIELD=VALUE into per-task hyperparameter overrides (typed, validated).

    Without a TASK prefix the override applies to every selected task that fine-tunes.
    """
    overrides: dict[str, dict[str, Any]] = {}
    fields = list(Hyperparameters.model_fields)
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise HarnessError(f'--set "{item}": expected [TASK.]FIELD=VALUE, e.g. xnli.learning_rate=2e-5')
        task, _, name = key.rpartition(".")
        if name not in fields:
            raise unknown("hyperparameter", name, fields, where=f'--set "{item}"')
        if task and task not in tasks:
            raise unknown("task", task, tasks, where=f'--set "{item}"')
        value: Any = None if raw.strip().lower() in ("null", "none") else raw.strip()
        targets = [task] if task else [t for t in tasks if suite.tasks[t].hyperparameters is not None]
        for target in targets:
            current = suite.tasks[target].hyperparameters
            if current is None:
                raise HarnessError(f'--set "{item}": task {target} has no fine-tuning hyperparameters')
            update = {**overrides.get(target, {}), name: value}
            try:
                # pydantic coerces the text to the field's type ("2e-5" -> 2e-05, "8" -> 8)
                typed = Hyperparameters.model_validate({**current.model_dump(), **update}, strict=False)
            except ValidationError as exc:
                first = exc.errors()[0]["msg"].removeprefix("Value error, ")
                raise HarnessError(f'--set "{item}": {first}') from None
            overrides[target] = {key: getattr(typed, key) for key in update}
    return overrides
