"""Shared CLI plumbing: one-line errors, a quiet terminal, comma lists."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import typer
from rich.console import Console

from harness.errors import HarnessError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def print_error(message: str) -> None:
    """`error: MESSAGE`, one red line on stderr, the message as typed (no markup, no highlighting)."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    print_error(message)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn HarnessError into one red line on stderr and exit code 2 (no traceback).

    Anything else is a bug or an environment failure: one line and exit code 1, with the traceback
    when HARNESS_DEBUG=1.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HarnessError as exc:
            raise fail(str(exc)) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("HARNESS_DEBUG"):
                raise
            if isinstance(exc, OSError) and exc.filename:
                # a full disk, a lost mount, a file gone: name the path it happened to
                raise fail(f"{exc.filename}: {exc.strerror or exc}", code=1) from None
            first = (str(exc).strip().splitlines() or [""])[0]
            raise fail(
                f"unexpected {type(exc).__name__}: {first} (run with HARNESS_DEBUG=1 for the traceback)",
                code=1,
            ) from None

    return wrapper  # type: ignore[return-value]


def split_list(values: list[str] | None, option: str) -> list[str] | None:
    """Accept both `--tasks a,b` and `--tasks a --tasks b`. None when the option is not given; given
    empty (`--seeds ""`, often an unset shell variable) it is an error, not the default."""
    if not values:
        return None
    items = [item.strip() for value in values for item in value.split(",")]
    items = [item for item in items if item]
    if not items:
        raise HarnessError(
            f'{option} "{",".join(values)}": no value given; leave {option} out for the default'
        )
    return items


def quiet_libraries() -> None:
    """transformers and datasets print load reports and progress bars of their own: silence them."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    # Deprecation notices between libraries (peft calling transformers' renamed methods) are for
    # their developers, not for someone reading evaluation progress.
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft)(\.|$)")


def is_interactive() -> bool:
    return sys.stderr.isatty()


class Terminated(KeyboardInterrupt):
    """SIGTERM, which `timeout`, Slurm and Kubernetes send: handled as Ctrl-C (exit 143)."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM interrupts the run as Ctrl-C does: finished work is kept, the
    results say `interrupted`. Only the main thread can set a handler; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
