"""Score tables for the terminal (from a Results object; no computation beyond formatting)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.results import GroupResult, LanguageGroup, Results, ScoreReport, Spread, TaskResult
from harness.results.table import SPEED_HEADERS, speed_rows


def _fmt(value: float | None, spread: Spread | None = None) -> str:
    """A score, with half its 95% bootstrap interval when there is one: 71.3 ±1.2."""
    if value is None:
        return "—"
    if spread is not None and spread.ci95 is not None:
        return f"{value:.1f} [dim]±{(spread.ci95[1] - spread.ci95[0]) / 2:.1f}[/dim]"
    return f"{value:.1f}"


def print_scores(results: Results, console: Console) -> None:
    """The end-of-run tables of `harness eval`."""
    title = f"{results.suite.name} (suite {results.suite.version})"
    print_tables(results.tasks, results.categories, results.overall, title, console)
    print_language_groups(results.language_groups, console)
    speed = speed_rows(results)
    if speed:
        table = Table(
            title="Speed (measured; padding: share of padded positions; OOM: out-of-memory retries)",
            title_justify="left",
        )
        for header in SPEED_HEADERS:
            table.add_column(header, justify="left" if header in ("task", "stage") else "right")
        for row in speed:
            table.add_row(*row)
        console.print(table)
    if results.run.smoke:
        console.print(
            "[yellow]smoke run (--limit): these scores are not comparable to published ones[/yellow]"
        )


def print_report(report: ScoreReport, console: Console) -> None:
    """The tables of `harness score`."""
    title = f"{report.suite.name} (suite {report.suite.version}): {report.predictions}"
    print_tables(report.tasks, report.categories, report.overall, title, console)
    print_language_groups(report.language_groups, console)


def print_tables(
    results_tasks: dict[str, TaskResult],
    categories: dict[str, GroupResult],
    overall: GroupResult,
    title: str,
    console: Console,
) -> None:
    tasks = [t for t in results_tasks.values() if t.scores]
    if tasks:
        languages: list[str] = []
        for task in tasks:
            languages += [lang for lang in task.languages if lang not in languages]
        console.print(
            "[bold]Per-language scores[/bold] (main metric, mean over seeds ± half the 95% bootstrap CI)"
        )
        table = Table()
        table.add_column("lang")
        for task in tasks:
            table.add_column(f"{task.name}\n{task.metrics[0]}", justify="right")
        for lang in languages:
            cells = []
            for task in tasks:
                if lang not in task.languages:
                    cells.append("")
                elif lang in task.scores:
                    metric = task.metrics[0]
                    cells.append(_fmt(task.scores[lang].get(metric), task.spread.get(lang, {}).get(metric)))
                else:
                    cells.append("[dim]missing[/dim]")
            table.add_row(lang, *cells)
        table.add_section()
        table.add_row(
            "[bold]avg[/bold]",
            *[
                f"[bold]{_fmt(t.averages.get(t.metrics[0]), t.average_spread.get(t.metrics[0]))}[/bold]"
                for t in tasks
            ],
        )
        console.print(table)

    with_seeds = any(t.seeds for t in results_tasks.values())
    columns = ["task", "status", "score", "averages", "languages", *(["seeds"] if with_seeds else []), "note"]
    summary = Table(title=title, title_justify="left")
    for column in columns:
        summary.add_column(column, justify="right" if column in ("score", "languages") else "left")
    for task in results_tasks.values():
        done = len(task.languages) - len(task.missing_languages)
        colour = {"complete": "green", "incomplete": "yellow"}.get(task.status, "red")
        averages = "\n".join(
            f"{_SHORT.get(m, m)} {_fmt(v, task.average_spread.get(m))}"
            for m, v in task.averages.items()
            if v is not None
        )
        cells = [
            task.name,
            f"[{colour}]{task.status}[/{colour}]",
            _fmt(task.score),
            averages,
            f"{done}/{len(task.languages)}",
        ]
        cells += [",".join(map(str, task.seeds))] if with_seeds else []
        summary.add_row(*cells, escape(task.reason or ""))
    summary.add_section()
    blanks = [""] * (len(columns) - 4)
    for name, group in categories.items():
        summary.add_row(f"[italic]{name}[/italic]", "", _fmt(group.score), *blanks, _missing(group.missing))
    summary.add_row(
        "[bold]overall[/bold]", "", f"[bold]{_fmt(overall.score)}[/bold]", *blanks, _missing(overall.missing)
    )
    console.print(summary)


def print_language_groups(groups: list[LanguageGroup], console: Console) -> None:
    """Scores by language family, script and resource class; nothing when no group has a score yet."""
    if not any(g.task_scores and any(v is not None for v in g.task_scores.values()) for g in groups):
        return
    console.print(
        "[bold]By language group[/bold] (mean over tasks of each task's score on the group's languages; "
        "en, the training language, counts in its groups)"
    )
    table = Table()
    for column in ("kind", "group", "languages", "score"):
        table.add_column(column, justify="right" if column == "score" else "left")
    kind = None
    for group in groups:
        if kind is not None and group.kind != kind:
            table.add_section()
        score = _fmt(group.score)
        if not group.complete:
            score = f"— [dim]({len(group.missing)} missing)[/dim]"
        label = group.kind if group.kind != kind else ""
        table.add_row(label, escape(group.group), " ".join(group.languages), score)
        kind = group.kind
    console.print(table)


_SHORT = {"exact_match": "EM", "f1": "F1", "precision": "P", "recall": "R", "accuracy": "acc"}


def _missing(tasks: list[str]) -> str:
    return f"incomplete: {', '.join(tasks)}" if tasks else ""
