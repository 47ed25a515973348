"""What the leaderboard checks in a submission against its suite.

`refusals`: what makes an entry unacceptable (check fails, build leaves it out): another suite, an
unfinished or smoke run, aggregates that do not follow from the per-seed scores, a recorded recipe
that contradicts the suite without being declared, an absolute machine path.
`protocol_notes`: what makes an accepted entry non-standard (shown apart, never ranked with the
standard ones): declared hyperparameter overrides, another precision than the suite's, data that
differ from the reference's.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from harness.errors import HarnessError
from harness.formats import is_supported, prediction_file
from harness.leaderboard.predictions import ARCHIVE, members
from harness.leaderboard.submissions import Submission
from harness.results.aggregate import group_score, language_average, mean_over_seeds, task_score
from harness.suites import Hyperparameters, Suite
from harness.tasks import TASKS

_ABSOLUTE = re.compile(r"^(/|[A-Za-z]:[\\/]|\\\\)")  # POSIX, Windows drive, UNC


def refusals(sub: Submission, suite: Suite | None) -> list[str]:
    where, results = sub.folder, sub.results
    if suite is None:
        return [f"{where}: suite {results.suite.name} is not a built-in suite"]
    problems = []
    if (results.suite.version, results.suite.hash) != (suite.version, suite.content_hash()):
        problems.append(
            f"{where}: made with suite {results.suite.name} {results.suite.version} "
            f"{results.suite.hash[:19]}, "
            f"the current one is {suite.version} {suite.content_hash()[:19]}; re-run `harness eval`"
        )
    if results.run.smoke:
        problems.append(f"{where}: a --limit (smoke) run is not a leaderboard entry")
    if results.status in ("running", "failed", "interrupted"):
        problems.append(f"{where}: results status {results.status}; only finished runs are accepted")
    problems += _paths(sub)
    problems += _predictions(sub, suite)
    problems += _tampering(sub, suite)
    problems += _recipe(sub, suite)
    # Against the suite, not the file's own missing_languages: a results.json can be edited.
    for name, task in results.tasks.items():
        if name not in suite.tasks:
            continue  # reported by _tampering
        missing = [lang for lang in suite.tasks[name].languages if lang not in task.scores]
        if task.runs and missing:
            problems.append(f"{where}: task {name} misses languages {', '.join(missing)}")
    absent = [name for name in suite.tasks if name not in results.tasks]
    if results.status == "complete" and absent:
        problems.append(f"{where}: status complete but tasks {', '.join(absent)} have no results")
    return problems


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _paths(sub: Submission) -> list[str]:
    """A published results.json holds no machine path (a home folder names its user)."""
    found = [s for s in _strings(sub.results.model_dump(mode="json")) if _ABSOLUTE.match(s)]
    if not found:
        return []
    return [
        f"{sub.folder}: results.json holds {len(found)} absolute path(s), e.g. {found[0][:60]!r}; "
        "submit with `harness submit`, which removes them"
    ]


def _predictions(sub: Submission, suite: Suite) -> list[str]:
    """Every recorded (seed, task, language) score has its prediction file in predictions.zip."""
    try:
        names = members(sub.folder / ARCHIVE)
    except HarnessError as exc:
        return [str(exc)]
    missing = [
        f"seed-{run.seed}/{name}/{prediction_file(TASKS[name], lang)}"
        for name, task in sub.results.tasks.items()
        if name in TASKS and is_supported(TASKS[name].format)
        for run in task.runs
        for lang in run.scores
        if f"seed-{run.seed}/{name}/{prediction_file(TASKS[name], lang)}" not in names
    ]
    if missing:
        return [f"{sub.folder / ARCHIVE}: no predictions for {len(missing)} scored sets, e.g. {missing[0]}"]
    return []


def _tampering(sub: Submission, suite: Suite) -> list[str]:
    """Every aggregate must follow from the per-seed, per-language scores (recomputed here)."""
    where, results = sub.folder, sub.results
    problems = []
    task_scores: dict[str, float | None] = {}
    for name, task in results.tasks.items():
        if task.runs:
            expected = mean_over_seeds([run.scores for run in task.runs])
            if expected != task.scores:
                problems.append(f"{where}: task {name}: per-language scores do not match its seed runs")
        entry = suite.tasks.get(name)
        if entry is None:
            problems.append(f"{where}: task {name} is not in suite {suite.name}")
            continue
        averages = {m: language_average(task.scores, entry.languages, m) for m in entry.metrics}
        if averages != task.averages or task_score(averages, entry.score) != task.score:
            problems.append(
                f"{where}: task {name}: averages or score do not follow from its per-language scores"
            )
        task_scores[name] = task.score
    if group_score(task_scores, list(suite.tasks)) != results.overall.score:
        problems.append(f"{where}: overall score does not follow from the task scores")
    for category, tasks in suite.categories.items():
        group = results.categories.get(category)
        if group is None or group.score != group_score(task_scores, tasks):
            problems.append(f"{where}: category {category} does not follow from the task scores")
    return problems


def _recipe(sub: Submission, suite: Suite) -> list[str]:
    """What each task records of its protocol must be the suite's, or the suite's with declared
    overrides (which `protocol_notes` then reports)."""
    where, results = sub.folder, sub.results
    problems = []
    for name, task in results.tasks.items():
        entry = suite.tasks.get(name)
        if entry is None or not task.runs:
            continue
        recorded = {
            "languages": (task.languages, entry.languages),
            "metrics": (task.metrics, entry.metrics),
            "score_metrics": (task.score_metrics, entry.score),
            "selection": (task.selection, entry.selection.model_dump() if entry.selection else None),
            "splits": (task.splits, entry.splits.model_dump()),
            "seeds": (task.seeds, results.run.seeds or suite.seeds_for(name)),
        }
        if entry.hyperparameters is not None:
            unknown = sorted(set(task.overrides) - set(Hyperparameters.model_fields))
            if unknown:
                problems.append(f"{where}: task {name}: overrides of unknown fields {', '.join(unknown)}")
                continue
            declared = {**entry.hyperparameters.model_dump(), **task.overrides}
            expected = Hyperparameters.model_validate(declared).model_dump()
            recorded["hyperparameters"] = (task.hyperparameters, expected)
        for field, (value, wanted) in recorded.items():
            if value != wanted:
                problems.append(
                    f"{where}: task {name}: recorded {field} differ from the suite's and are not "
                    "declared as overrides"
                )
        for item in task.data:
            dataset, requested = item.dataset, item.revision_requested
            pin = suite.datasets.get(dataset) if dataset else None
            if item.source == "hub" and (pin is None or pin.revision != requested):
                problems.append(
                    f"{where}: task {name}: read {dataset} at {requested}, which is not the suite's pin"
                )
    if results.run.precision not in ("fp32", "bf16"):
        problems.append(f"{where}: run.precision {results.run.precision!r}: allowed fp32, bf16")
    return problems


def protocol_notes(sub: Submission, suite: Suite) -> list[str]:
    """Declared ways in which an accepted entry departs from the suite's protocol."""
    results, notes = sub.results, []
    overrides = [
        f"{name}.{field}={value}"
        for name, task in results.tasks.items()
        for field, value in task.overrides.items()
    ]
    if overrides:
        notes.append(f"hyperparameters overridden: {', '.join(overrides)}")
    if results.run.precision != suite.precision:
        notes.append(f"precision {results.run.precision} (the suite's: {suite.precision})")
    divergent = [(name, n) for name, task in results.tasks.items() for n in task.divergences]
    if divergent:
        sets = {(name, n.split, n.language) for name, n in divergent}
        kinds = Counter(n.note.split(":", 1)[0] for _, n in divergent)
        how = ", ".join(f"{kind} ({count})" for kind, count in sorted(kinds.items()))
        tasks = sorted({name for name, _ in divergent})
        notes.append(
            f"data differs from the reference's in {len(sets)} (task, split, language) sets of "
            f"{', '.join(tasks)}: {how} (its results.json lists each; docs/data.md)"
        )
    return notes
