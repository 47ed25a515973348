"""The one exception type the CLI turns into a one-line message (no traceback)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class HarnessError(Exception):
    """A problem with the user's input or environment, explained in one line.

    The message should name the file (or object), the field and what is allowed.
    """


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean "x"?)' for the closest choice, or '' if nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def unknown(kind: str, name: str, choices: Iterable[str], where: str = "") -> HarnessError:
    """Build the standard 'unknown X' error with a suggestion and the allowed values."""
    choices = sorted(choices)
    prefix = f"{where}: " if where else ""
    return HarnessError(
        f'{prefix}unknown {kind} "{name}"{did_you_mean(name, choices)}; allowed: {", ".join(choices)}'
    )
