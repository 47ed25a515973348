"""The `harness` command line: parse -> call the library -> print. No logic here."""

from __future__ import annotations

from typing import Any

import typer
import typer.core

import harness
from harness.cli import data, leaderboard, suites, track
from harness.cli.common import print_error
from harness.cli.eval import eval_command
from harness.cli.intermediate import intermediate_command
from harness.cli.score import score_command
from harness.cli.sweep import sweep_command


def _flags_without_type() -> None:
    """Typer 0.2x labels every on/off flag `<bool>` in --help, which reads as if it took a value:
    a flag shows no type, as click and earlier typer versions show it."""
    option = getattr(typer.core, "TyperOption", None)
    original = getattr(option, "display_type_rich", None)
    if original is None or getattr(original, "_harness", False):
        return

    def display_type_rich(self: typer.core.TyperOption, ctx: typer.Context) -> str | None:
        return None if self.is_flag and self.metavar is None else original(self, ctx)

    display_type_rich._harness = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich


def _usage_errors_in_one_line() -> None:
    """Bad usage (an unknown option, a value outside an option's choices, a missing option) stops as
    every other bad input does: one `error:` line on stderr and exit code 2. Typer draws a usage
    line, a hint and a box instead."""
    import typer.rich_utils

    original = getattr(typer.rich_utils, "rich_format_error", None)
    if original is None or getattr(original, "_harness", False):
        return

    def rich_format_error(self: Any) -> None:
        if type(self).__name__ == "NoArgsIsHelpError":  # the help has been printed: nothing is wrong
            return
        # typer 0.2x passes pydantic's wording on: "Invalid value for '--dtype': Value error, ..."
        message = self.format_message().replace(": Value error, ", ": ")
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            end = "" if message.endswith((".", "?")) else "."
            message += f"{end} See '{ctx.command_path} --help'."
        print_error(message)

    rich_format_error._harness = True  # type: ignore[attr-defined]
    typer.rich_utils.rich_format_error = rich_format_error


_flags_without_type()
_usage_errors_in_one_line()

ABOUT = (
    "Reproducible zero-shot cross-lingual transfer evaluation (XTREME, XTREME-R, XGLUE) of any "
    "Hugging Face checkpoint: fine-tune on English, predict every language, score as the reference."
)
app = typer.Typer(
    name="harness",
    help=ABOUT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(suites.app, name="suites")
app.add_typer(data.app, name="data")
app.add_typer(track.app, name="track")
app.add_typer(leaderboard.app, name="leaderboard")
app.command("submit")(leaderboard.submit_command)
app.command("eval")(eval_command)
app.command("intermediate")(intermediate_command)
app.command("sweep")(sweep_command)
app.command("score")(score_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"harness {harness.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Reproducible zero-shot cross-lingual transfer evaluation (XTREME, XTREME-R, XGLUE)."""


def main() -> None:
    app()
