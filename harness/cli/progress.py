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
    def __init__(self, progress: Progress, task: TaskID, transient: bool):
        self._progress, self._task, self._transient = progress, task, transient

    def set_total(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, amount: int = 1, status: str = "") -> None:
        self._progress.update(self._task, advance=amount, status=status)

    def close(self) -> None:
        if self._transient:
            self._progress.remove_task(self._task)


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

    def bar(self, description: str, total: int, transient: bool = False) -> _RichBar:
        task = self.progress.add_task(escape(description), total=total or None, status="")
        return _RichBar(self.progress, task, transient)

    def info(self, text: str) -> None:
        self.progress.console.print(text)

    def warn(self, text: str) -> None:
        self.progress.console.print(f"[yellow]warning:[/yellow] {escape(text)}")
