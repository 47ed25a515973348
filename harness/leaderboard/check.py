"""`harness leaderboard check`: every problem a pull request could bring, one line each."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.leaderboard.build import PLOTS, load_board, render
from harness.leaderboard.submissions import Submission
from harness.results.aggregate import group_score, language_average, mean_over_seeds, task_score
from harness.suites import Suite


def check(root: Path) -> list[str]:
    try:
        board = load_board(root)
    except HarnessError as exc:  # a broken baseline file or suite
        return [str(exc)]
    problems = list(board.problems)
    seen: dict[tuple[str, str], str] = {}
    for sub in board.submissions:
        suite = board.suites.get(sub.results.suite.name)
        problems += _submission(sub, suite)
        key = (sub.results.model.weights_hash, sub.results.suite.hash)
        if key in seen:
            problems.append(f"{sub.folder}: duplicates {seen[key]} (same model weights, same suite)")
        seen.setdefault(key, sub.name)
    if board.problems:
        return problems  # the leaderboard cannot be rebuilt until every submission reads
    markdown, plots = render(board)
    target = root / "LEADERBOARD.md"
    if not target.is_file() or target.read_text(encoding="utf-8") != markdown:
        problems.append(f"{target}: stale; run `harness leaderboard build` and commit the result")
    for plot in plots:
        if not (root / PLOTS / plot.filename).is_file():
            problems.append(
                f"{root / PLOTS / plot.filename}: plot missing or stale; run `harness leaderboard build`"
            )
    return problems


def _submission(sub: Submission, suite: Suite | None) -> list[str]:
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
    problems += _tampering(sub, suite)
    # Against the suite, not the file's own missing_languages: a results.json can be edited.
    for name, task in results.tasks.items():
        if name not in suite.tasks:
            problems.append(f"{where}: task {name} is not in suite {suite.name}")
            continue
        missing = [lang for lang in suite.tasks[name].languages if lang not in task.scores]
        if task.runs and missing:
            problems.append(f"{where}: task {name} misses languages {', '.join(missing)}")
    absent = [name for name in suite.tasks if name not in results.tasks]
    if results.status == "complete" and absent:
        problems.append(f"{where}: status complete but tasks {', '.join(absent)} have no results")
    return problems


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
