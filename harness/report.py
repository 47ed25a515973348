"""How long work tells the user what it is doing (a leaf: evaluation, intermediate training and
sweeps report through it). The CLI plugs in a Rich implementation."""

from __future__ import annotations

from typing import Protocol


class Bar(Protocol):
    def set_total(self, total: int) -> None: ...
    def advance(self, amount: int = 1, status: str = "") -> None: ...
    def close(self) -> None: ...


class Reporter(Protocol):
    def bar(self, description: str, total: int, transient: bool = False) -> Bar:
        """A progress bar; a transient one disappears when closed (many small steps)."""
        ...

    def info(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...


class _NullBar:
    def set_total(self, total: int) -> None:
        pass

    def advance(self, amount: int = 1, status: str = "") -> None:
        pass

    def close(self) -> None:
        pass


class NullReporter:
    """Reports nothing (library use and tests)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def bar(self, description: str, total: int, transient: bool = False) -> Bar:
        return _NullBar()

    def info(self, text: str) -> None:
        self.messages.append(text)

    def warn(self, text: str) -> None:
        self.messages.append(text)
