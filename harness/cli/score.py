"""`harness score`: score a folder of predictions in the XTREME leaderboard layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from harness.cli.common import console, handle_errors
from harness.cli.options import ScoreOutput, SuiteName
from harness.errors import HarnessError


@handle_errors
def score_command(
    suite: SuiteName,
    predictions: Annotated[
        Path,
        typer.Option("--predictions", "-p", help="Folder with TASK/test-LANG.{tsv,json,jsonl} predictions."),
    ],
    labels: Annotated[
        Path, typer.Option("--labels", "-g", help="Folder with the gold files in the same layout.")
    ],
    output: ScoreOutput = None,
) -> None:
    """Score predictions against labels exactly as the reference scorer (evaluate.py) does.

    The suite's tasks, languages and aggregation apply: every task of the suite present in both
    folders is scored per language; a task missing some language files is reported incomplete (the
    languages are named) and gets no average. Prints per-language, per-task, per-category and
    overall scores.
    """
    from harness.cli.tables import print_report
    from harness.scoring import score_folders
    from harness.suites import load_suite

    report = score_folders(load_suite(suite), predictions, labels)
    print_report(report, console)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise HarnessError(f"{output}: cannot write the scores ({exc.strerror or exc})") from None
        console.print(f"scores: {output}", highlight=False)
