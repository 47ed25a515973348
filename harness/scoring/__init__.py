"""Score a folder of predictions in the XTREME leaderboard layout against a folder of labels."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.formats import is_supported, prediction_file, score_files
from harness.languages import groups_of
from harness.results import ScoreReport, SuiteInfo, TaskResult
from harness.results.aggregate import language_average, missing_languages, task_score
from harness.results.groups import groups
from harness.results.language_groups import language_groups
from harness.suites import Suite
from harness.tasks import TASKS

__all__ = ["score_folders"]


def score_folders(suite: Suite, predictions: Path, labels: Path) -> ScoreReport:
    """Score every task of the suite whose folder exists in both `predictions` and `labels`.

    A task with some language files missing is incomplete (the missing languages are named) and
    gets no average; its other languages are still scored. Tasks absent from either folder are
    reported absent, as evaluate.py skips them.
    """
    for folder, what in ((predictions, "--predictions"), (labels, "--labels")):
        if not folder.is_dir():
            raise HarnessError(f"{folder}: {what} folder not found")
    tasks = {name: _score_task(suite, name, predictions, labels) for name in suite.tasks}
    if not any(task.scores for task in tasks.values()):
        # Every task absent would print a table of dashes and exit 0: say plainly nothing matched.
        scored = [n for n in suite.tasks if is_supported(TASKS[n].format)]
        example = (
            f"{scored[0]}/{prediction_file(TASKS[scored[0]], suite.tasks[scored[0]].languages[0])}"
            if scored
            else "TASK/test-LANG.EXT"
        )
        raise HarnessError(
            f"{predictions}: no predictions file matches a gold file of suite {suite.name} "
            f"(expected paths such as {example} in both --predictions and --labels)"
        )
    categories, overall = groups({n: t.score for n, t in tasks.items()}, suite.categories, list(suite.tasks))
    return ScoreReport(
        suite=SuiteInfo(
            name=suite.name,
            version=suite.version,
            hash=suite.content_hash(),
            path=str(suite.source) if suite.source else None,
        ),
        predictions=str(predictions),
        labels=str(labels),
        tasks=tasks,
        categories=categories,
        overall=overall,
        language_groups=language_groups([tasks[name] for name in suite.tasks], groups_of),
    )


def _score_task(suite: Suite, name: str, predictions: Path, labels: Path) -> TaskResult:
    spec, entry = TASKS[name], suite.tasks[name]
    result = TaskResult(
        name=name,
        title=spec.title,
        format=spec.format.value,
        status="absent",
        languages=entry.languages,
        metrics=entry.metrics,
        score_metrics=entry.score,
        seeds=[],
        missing_languages=list(entry.languages),
        averages={m: None for m in entry.metrics},
    )
    if not is_supported(spec.format):
        return result.model_copy(update={"status": "not_supported", "reason": "no leaderboard file format"})
    if not (predictions / name).is_dir() or not (labels / name).is_dir():
        return result.model_copy(update={"reason": "not in both folders"})
    scores: dict[str, dict[str, float]] = {}
    absent: dict[str, list[str]] = {"predictions": [], "labels": []}
    for lang in entry.languages:
        predicted = predictions / name / prediction_file(spec, lang)
        gold = labels / name / prediction_file(spec, lang)
        if not predicted.is_file():
            absent["predictions"].append(lang)
        elif not gold.is_file():
            absent["labels"].append(lang)
        else:
            scores[lang] = score_files(spec, entry.metrics, predicted, gold, lang)
    reason = "; ".join(
        f"no {side} file {prediction_file(spec, 'LANG')} for {', '.join(langs)}"
        for side, langs in absent.items()
        if langs
    )
    averages = {m: language_average(scores, entry.languages, m) for m in entry.metrics}
    missing = missing_languages(scores, entry.languages, entry.metrics[0])
    return result.model_copy(
        update={
            "status": "incomplete" if missing else "complete",
            "reason": reason or None,
            "scores": scores,
            "missing_languages": missing,
            "averages": averages,
            "score": task_score(averages, entry.score),
        }
    )
