"""The numbers the web leaderboard's script recomputes averages from, embedded in the index page.

Per suite: its tasks (languages in the suite's order, score metrics), categories, each language's
groups (harness/languages.py) and, per published entry, the per-language values of the score metrics
as results.json holds them. The script averages them by the rule of harness/results/aggregate.py
and language_groups.py, so that with no filter it shows exactly the scores of results.json.
"""

from __future__ import annotations

from typing import Any

from harness.languages import groups_of
from harness.leaderboard.board import Board
from harness.leaderboard.submissions import Submission
from harness.suites import Suite


def suite_payload(suite: Suite, entries: list[Submission]) -> dict[str, Any]:
    languages = dict.fromkeys(lang for entry in suite.tasks.values() for lang in entry.languages)
    return {
        "tasks": [
            {"name": name, "languages": list(entry.languages), "score": list(entry.score)}
            for name, entry in suite.tasks.items()
        ],
        "categories": {name: list(tasks) for name, tasks in suite.categories.items()},
        "groups": {lang: groups_of(lang) for lang in languages},
        "entries": {sub.name: _scores(sub, suite) for sub in entries},
    }


def _scores(sub: Submission, suite: Suite) -> dict[str, dict[str, dict[str, float]]]:
    """task -> language -> score metric -> value; a language or metric without a value is absent."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, entry in suite.tasks.items():
        result = sub.results.tasks.get(name)
        if result is None:
            continue
        out[name] = {
            lang: {m: result.scores[lang][m] for m in entry.score if m in result.scores[lang]}
            for lang in entry.languages
            if lang in result.scores
        }
    return out


def payload(board: Board) -> dict[str, Any]:
    """Every suite with at least one published entry."""
    return {
        "suites": {
            name: suite_payload(suite, board.published(name))
            for name, suite in board.suites.items()
            if board.published(name)
        }
    }
