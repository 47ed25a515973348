"""`harness data check`: where every split of a suite comes from, and how it compares with the reference."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from harness.cli.common import (
    console,
    err_console,
    handle_errors,
    is_interactive,
    quiet_libraries,
    split_list,
)
from harness.cli.options import DataDir, SuiteName, Tasks

if TYPE_CHECKING:
    from harness.evaluation.data_check import DataRow

app = typer.Typer(
    help="Check the data a suite reads: sources, revisions, row counts, divergences.", no_args_is_help=True
)


@app.command("check")
@handle_errors
def check_command(
    suite: SuiteName,
    data_dir: DataDir = None,
    tasks: Tasks = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help=(
                "Print a JSON list, one object per (task, language, split): task, language, split, role, "
                "source (null: none), kind, licence, revision, present, labelled, expected_rows, "
                "expected_source, rows (null: not here), divergences, problem."
            ),
        ),
    ] = False,
    read: Annotated[
        bool,
        typer.Option(
            "--read/--no-read",
            help="Read the data that is here to count its rows and check it (--no-read: sources only).",
        ),
    ] = True,
    download: Annotated[
        bool,
        typer.Option(
            "--download",
            help="Let hub sources download what the datasets cache lacks (default: read the cache only).",
        ),
    ] = False,
) -> None:
    """List, for every (task, language, split) of a suite, the source a run reads, its licence and
    revision or checksum, the rows the reference's data has (with the count's source), the rows read
    where the data is here, and every known or found divergence from the reference's data.

    Exits 1 when some (task, language) of the suite has no source at all.
    """
    if not download:
        # read before `datasets` is imported: only the local cache, never the network
        os.environ["HF_HUB_OFFLINE"] = os.environ["HF_DATASETS_OFFLINE"] = "1"
    quiet_libraries()
    from harness.data import DataOptions
    from harness.evaluation.data_check import check, plan
    from harness.selection import select_tasks
    from harness.suites import load_suite

    loaded = load_suite(suite)
    names = select_tasks(loaded, split_list(tasks, "--tasks"))
    options = DataOptions(suite=loaded, data_dir=data_dir)
    total = len(plan(loaded, names))
    if is_interactive() and not as_json:
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as progress:
            bar = progress.add_task("checking", total=total)
            rows = check(
                loaded, options, names, read, lambda what: progress.update(bar, advance=1, description=what)
            )
    else:
        rows = check(loaded, options, names, read)
    if as_json:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
    else:
        _print(rows)
    if any(row.source is None for row in rows):
        raise typer.Exit(1)


def _print(rows: list[DataRow]) -> None:
    by_task: dict[str, list[DataRow]] = {}
    for row in rows:
        by_task.setdefault(row.task, []).append(row)
    for task, items in by_task.items():
        table = Table(
            "split", "lang", "source", "rows", "expected", "notes", title=task, title_justify="left"
        )
        table.columns[2].overflow = "fold"
        for row in items:
            rows_read = f"{row.rows:,}" if row.rows is not None else ("absent" if not row.present else "—")
            expected = f"{row.expected_rows:,}" if row.expected_rows is not None else "—"
            notes = str(len(row.divergences)) if row.divergences else ""
            source = row.source or "[red]none[/red]"
            table.add_row(row.split, row.language, source, rows_read, expected, notes)
        console.print(table)
    divergent = [row for row in rows if row.divergences]
    if divergent:
        console.print("\n[bold]Divergences from the reference's data[/bold]")
        for row in divergent:
            for note in row.divergences:
                console.print(f"  {row.task} {row.split} {row.language}: {note}", highlight=False)
    # one line per (task, split) and problem, its languages together
    problems: dict[tuple[str, str, str], list[str]] = {}
    for row in rows:
        if row.problem:
            key = (row.task, row.split, row.problem)
            problems.setdefault(key, []).append(row.language)
    if problems:
        console.print("\n[bold]Not read here[/bold]")
        for (task, split, problem), languages in problems.items():
            console.print(f"  {task} {split} ({' '.join(languages)}): {problem}", highlight=False)
    present = sum(row.rows is not None for row in rows)
    missing = sum(row.source is None for row in rows)
    console.print(
        f"\n{len(rows)} (task, language, split): {present} read here, {len(divergent)} with divergences, "
        f"{missing} without a source",
        highlight=False,
    )
