"""A plain-text score table (tabulate), for the score-table artifact and any non-terminal use."""

from __future__ import annotations

from tabulate import tabulate

from harness.results.schema import Results, Spread


def _cell(value: float | None, spread: Spread | None = None) -> str:
    if value is None:
        return "—"
    if spread is not None and spread.ci95 is not None:
        low, high = spread.ci95
        return f"{value:.1f} ± {(high - low) / 2:.1f}"
    return f"{value:.1f}"


def score_table(results: Results) -> str:
    """Per-task and per-language main-metric scores (mean ± half the 95% interval), then the groups."""
    rows = []
    for task in results.tasks.values():
        metric = task.metrics[0]
        languages = " ".join(
            f"{lang}:{_cell(task.scores[lang].get(metric), task.spread.get(lang, {}).get(metric))}"
            for lang in task.languages
            if lang in task.scores
        )
        rows.append(
            [
                task.name,
                task.status,
                metric,
                _cell(task.averages.get(metric), task.average_spread.get(metric)),
                _cell(task.score),
                languages,
            ]
        )
    table = tabulate(rows, headers=["task", "status", "metric", "average", "score", "per language"])
    groups = [[name, _cell(group.score)] for name, group in results.categories.items()]
    groups.append(["overall", _cell(results.overall.score)])
    title = f"{results.suite.name} {results.suite.version} / {results.model.id} ({results.status})"
    return f"{title}\n\n{table}\n\n{tabulate(groups, headers=['group', 'score'])}\n"
