"""`harness submit` and `harness leaderboard build|check`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import console, err_console, handle_errors
from harness.cli.options import DataDir

app = typer.Typer(
    help="Build and check LEADERBOARD.md and the web leaderboard (site/) from submissions/ and baselines/.",
    no_args_is_help=True,
)

Root = Annotated[Path, typer.Option("--root", help="The repository root (holding submissions/, baselines/).")]


@app.command("build")
@handle_errors
def build_command(root: Root = Path(".")) -> None:
    """Regenerate LEADERBOARD.md, its plots (leaderboard/*.png) and the web leaderboard (site/);
    same inputs, same bytes."""
    from harness.leaderboard.build import build

    target, plots, refused = build(root)
    for name, problems in refused.items():
        err_console.print(f"left out {name}: {problems[0]}", highlight=False, markup=False)
    console.print(
        f"wrote {target}, {len(plots)} plot(s) in {root / 'leaderboard'} and the web leaderboard in "
        f"{root / 'site'} (open site/index.html)",
        highlight=False,
    )


@app.command("check")
@handle_errors
def check_command(
    root: Root = Path("."),
    rescore: Annotated[
        bool,
        typer.Option(
            "--rescore",
            help=(
                "Also score every submission's predictions.zip against gold labels read from the suite's "
                "own sources (hub pins, or --data-dir releases) and refuse any score they do not give."
            ),
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Fail (exit 1, one line per problem) on a bad submission or a stale LEADERBOARD.md or site/.

    Checks: folder names and files (data only, bounded sizes), model.yaml and results.json schemas, the
    suite version and hash, finished non-smoke runs, languages missing from a scored task, aggregates
    that do not follow from the per-language scores, recorded recipes (hyperparameters, selection,
    splits, languages, seeds, precision, pinned data) that contradict the suite without being
    declared, absolute machine paths, predictions.zip covering every score, duplicates, and that
    LEADERBOARD.md, its plots and every file of site/ match a fresh build. --rescore also re-derives
    every score from the predictions.
    """
    from harness.leaderboard.check import check

    problems = check(root, rescore=rescore, data_dir=data_dir)
    for problem in problems:
        err_console.print(f"error: {problem}", highlight=False, markup=False)
    if problems:
        raise typer.Exit(1)
    console.print(
        "leaderboard: every submission is valid"
        + (" and its scores follow from its predictions" if rescore else "")
        + "; LEADERBOARD.md and site/ are current",
        highlight=False,
    )


@handle_errors
def submit_command(
    results: Annotated[Path, typer.Argument(help="results.json written by `harness eval`.")],
    meta: Annotated[Path, typer.Option("--meta", help="model.yaml describing the model (see README).")],
    root: Annotated[Path, typer.Option("--root", help="Folder of the submissions.")] = Path("submissions"),
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="The run's predictions folder (default: predictions/ beside results.json).",
        ),
    ] = None,
) -> None:
    """Check a results.json and model.yaml and lay them out as submissions/<org>__<model>/.

    The run's test predictions go with them, zipped, so that `harness leaderboard check --rescore`
    can score them again.
    """
    from harness.leaderboard.submissions import assemble

    folder = assemble(results, meta, root, predictions)
    console.print(f"submission ready: {folder}; now run `harness leaderboard build`", highlight=False)
