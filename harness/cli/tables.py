"""Score tables for the terminal (from a Results object; no computation beyond formatting)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

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
    _print_languages(results_tasks, categories, console)
    _print_summary(results_tasks, categories, overall, title, console)


def _print_languages(
    results_tasks: dict[str, TaskResult], categories: dict[str, GroupResult], console: Console
) -> None:
    """Per-language main scores, one table per task category (split further where a category is
    wider than the terminal): twelve task columns at 80 columns would cut every cell."""
    tasks = [t for t in results_tasks.values() if t.scores]
    if not tasks:
        return
    console.print(
        "[bold]Per-language scores[/bold] (main metric, mean over seeds ± half the 95% bootstrap CI; "
        "scores.txt has them all in one table)"
    )
    cells = {t.name: {lang: _language_cell(t, lang) for lang in t.languages} for t in tasks}
    averages = {t.name: _fmt(t.averages.get(t.metrics[0]), t.average_spread.get(t.metrics[0])) for t in tasks}
    widths = {
        t.name: max(
            len(t.name),
            len(t.metrics[0]),
            len(Text.from_markup(averages[t.name])),
            *map(_width, cells[t.name].values()),
        )
        for t in tasks
    }
    for heading, chunk in _fit(_by_category(tasks, categories), widths, console.width):
        languages = list(dict.fromkeys(lang for t in chunk for lang in t.languages))
        table = Table(title=f"[italic]{heading}[/italic]", title_justify="left")
        table.add_column("lang", overflow="fold")
        for task in chunk:
            table.add_column(
                f"{task.name}\n{task.metrics[0]}", justify="right", no_wrap=True, min_width=widths[task.name]
            )
        for lang in languages:
            table.add_row(lang, *[cells[t.name].get(lang, "") for t in chunk])
        table.add_section()
        table.add_row("[bold]avg[/bold]", *[f"[bold]{averages[t.name]}[/bold]" for t in chunk])
        console.print(table)


def _language_cell(task: TaskResult, lang: str) -> str:
    if lang not in task.scores:
        return "[dim]missing[/dim]"
    metric = task.metrics[0]
    return _fmt(task.scores[lang].get(metric), task.spread.get(lang, {}).get(metric))


def _width(markup: str) -> int:
    return len(Text.from_markup(markup))


def _by_category(
    tasks: list[TaskResult], categories: dict[str, GroupResult]
) -> list[tuple[str, list[TaskResult]]]:
    """Tasks grouped as the suite's categories group them, in suite order; the rest under "other"."""
    placed: set[str] = set()
    groups = []
    for name, group in categories.items():
        members = [t for t in tasks if t.name in group.tasks and t.name not in placed]
        placed.update(t.name for t in members)
        if members:
            groups.append((name, members))
    rest = [t for t in tasks if t.name not in placed]
    return groups + ([("other" if groups else "tasks", rest)] if rest else [])


_LANG_COLUMN = 1 + 4 + 3  # a table's left border, then the "lang" column with its padding and rule


def _fit(
    groups: list[tuple[str, list[TaskResult]]], widths: dict[str, int], width: int
) -> list[tuple[str, list[TaskResult]]]:
    """Split a group whose columns are wider than the console into parts that fit (at least one task
    each): a rich table narrower than its cells cuts them with an ellipsis."""
    fitted = []
    for heading, tasks in groups:
        parts: list[list[TaskResult]] = [[]]
        used = _LANG_COLUMN
        for task in tasks:
            need = widths[task.name] + 3
            if parts[-1] and used + need > width:
                parts.append([])
                used = _LANG_COLUMN
            parts[-1].append(task)
            used += need
        for i, part in enumerate(parts):
            fitted.append((heading if len(parts) == 1 else f"{heading} ({i + 1}/{len(parts)})", part))
    return fitted


def _print_summary(
    results_tasks: dict[str, TaskResult],
    categories: dict[str, GroupResult],
    overall: GroupResult,
    title: str,
    console: Console,
) -> None:
    """Task, category and overall scores; reasons and tasks without any score go under the table, one
    line each, where a notes column squeezed into 80 columns would wrap every word."""
    shown, unscored = [], {}
    for task in results_tasks.values():
        if task.scores or task.status in ("complete", "incomplete"):
            shown.append(task)
        else:
            unscored.setdefault((task.status, task.reason or ""), []).append(task.name)
    seeds = {tuple(t.seeds) for t in results_tasks.values() if t.seeds}
    if len(seeds) == 1:
        title += f"; seeds {','.join(map(str, next(iter(seeds))))}"
    columns = ["task", "status", "score", "averages", "languages", *(["seeds"] if len(seeds) > 1 else [])]
    summary = Table(title=title, title_justify="left")
    for column in columns:
        summary.add_column(
            column, justify="right" if column in ("score", "languages") else "left", overflow="fold"
        )
    for task in shown:
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
        summary.add_row(*cells, *([",".join(map(str, task.seeds))] if "seeds" in columns else []))
    summary.add_section()
    blanks = [""] * (len(columns) - 3)
    for name, group in categories.items():
        summary.add_row(f"[italic]{name}[/italic]", "", _fmt(group.score), *blanks)
    summary.add_row("[bold]overall[/bold]", "", f"[bold]{_fmt(overall.score)}[/bold]", *blanks)
    console.print(summary)
    for task in shown:
        if task.reason:
            console.print(f"[yellow]{task.name}:[/yellow] {escape(task.reason)}")
    for (status, reason), names in unscored.items():
        if status == "pending":  # not requested, or not reached
            console.print(f"[dim]{escape(reason or 'not run')}: {', '.join(names)}[/dim]")
        else:
            console.print(f"[red]{', '.join(names)} {status}[/red]{': ' + escape(reason) if reason else ''}")
    unfinished = [name for name, group in categories.items() if group.score is None]
    unfinished += ["overall"] if overall.score is None else []
    if unfinished:
        console.print(
            f"[dim]no score for {', '.join(unfinished)}: a task of each is missing or incomplete[/dim]"
        )


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
