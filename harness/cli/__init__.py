"""The `harness` command line: parse -> call the library -> print. No logic here."""

from __future__ import annotations

import typer
import typer.core

import harness
from harness.cli import data, leaderboard, suites, track
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


_flags_without_type()

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
