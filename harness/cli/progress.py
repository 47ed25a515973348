"""Rich progress bars and messages for the runner (the CLI's Reporter)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class _RichBar:
    def __init__(self, progress: Progress, task: TaskID):
        self._progress, self._task = progress, task

    def set_total(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, amount: int = 1, status: str = "") -> None:
        self._progress.update(self._task, advance=amount, status=status)

    def close(self) -> None:
        self._progress.update(self._task, visible=True)


class RichReporter:
    def __init__(self, console: Console):
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[status]}"),
            console=console,
            transient=False,
        )

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def bar(self, description: str, total: int) -> _RichBar:
        return _RichBar(
            self.progress, self.progress.add_task(escape(description), total=total or None, status="")
        )

    def info(self, text: str) -> None:
        self.progress.console.print(text)

    def warn(self, text: str) -> None:
        self.progress.console.print(f"[yellow]warning:[/yellow] {escape(text)}")
