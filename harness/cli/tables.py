"""Score tables for the terminal (from a Results object; no computation beyond formatting)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harness.results import Results


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_scores(results: Results, console: Console) -> None:
    tasks = [t for t in results.tasks.values() if t.runs]
    if tasks:
        languages: list[str] = []
        for task in tasks:
            languages += [lang for lang in task.languages if lang not in languages]
        console.print("[bold]Per-language scores[/bold] (main metric, mean over seeds)")
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
                    cells.append(_fmt(task.scores[lang].get(task.metrics[0])))
                else:
                    cells.append("[dim]missing[/dim]")
            table.add_row(lang, *cells)
        table.add_section()
        table.add_row(
            "[bold]avg[/bold]", *[f"[bold]{_fmt(t.averages.get(t.metrics[0]))}[/bold]" for t in tasks]
        )
        console.print(table)

    summary = Table(title=f"{results.suite.name} (suite {results.suite.version})", title_justify="left")
    for column in ("task", "status", "score", "languages", "seeds", "note"):
        summary.add_column(column, justify="right" if column in ("score", "languages") else "left")
    for task in results.tasks.values():
        done = len(task.languages) - len(task.missing_languages)
        colour = {"complete": "green", "incomplete": "yellow"}.get(task.status, "red")
        summary.add_row(
            task.name,
            f"[{colour}]{task.status}[/{colour}]",
            _fmt(task.score),
            f"{done}/{len(task.languages)}",
            ",".join(map(str, task.seeds)),
            task.reason or "",
        )
    summary.add_section()
    for name, group in results.categories.items():
        summary.add_row(f"[italic]{name}[/italic]", "", _fmt(group.score), "", "", _missing(group.missing))
    summary.add_row(
        "[bold]overall[/bold]",
        "",
        f"[bold]{_fmt(results.overall.score)}[/bold]",
        "",
        "",
        _missing(results.overall.missing),
    )
    console.print(summary)
    if results.run.smoke:
        console.print(
            "[yellow]smoke run (--limit): these scores are not comparable to published ones[/yellow]"
        )


def _missing(tasks: list[str]) -> str:
    return f"incomplete: {', '.join(tasks)}" if tasks else ""
