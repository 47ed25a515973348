"""The `harness` command line: parse -> call the library -> print. No logic here."""

from __future__ import annotations

import typer

import harness
from harness.cli import data, leaderboard, suites, track
from harness.cli.eval import eval_command
from harness.cli.intermediate import intermediate_command
from harness.cli.score import score_command
from harness.cli.sweep import sweep_command

app = typer.Typer(
    name="harness",
    help="Reproducible zero-shot cross-lingual evaluation (XTREME, XTREME-R) of any Hugging Face checkpoint.",
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
    """Reproducible zero-shot cross-lingual evaluation (XTREME, XTREME-R) of any Hugging Face checkpoint."""


def main() -> None:
    app()
