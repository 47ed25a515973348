"""`harness leaderboard check`: every problem a pull request could bring, one line each."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

from harness.errors import HarnessError
from harness.leaderboard.board import load_board
from harness.leaderboard.markdown import PLOTS, render
from harness.leaderboard.site import render_site, stale_files


def check(root: Path, rescore: bool = False, data_dir: Path | None = None) -> list[str]:
    try:
        board = load_board(root)
    except HarnessError as exc:  # a broken baseline file or suite
        return [str(exc)]
    problems = list(board.problems)
    seen: dict[tuple[str, str], Path] = {}
    for sub in board.submissions:
        problems += board.refused.get(sub.name, [])
        suite = board.suites.get(sub.results.suite.name)
        if rescore and suite is not None and sub.name not in board.refused:
            # models and data are read only here: a plain check stays light
            from harness.data import DataOptions
            from harness.leaderboard.rescore import rescore as scores_follow

            problems += scores_follow(sub, suite, DataOptions(suite=suite, data_dir=data_dir))
        key = (sub.results.model.weights_hash, sub.results.suite.hash)
        if key in seen:
            first, then = sorted((seen[key], sub.folder), key=lambda f: (_added(f), f.name))
            problems.append(f"{then}: duplicates {first.name} (same model weights, same suite)")
        seen.setdefault(key, sub.folder)
    if board.problems:
        return problems  # the leaderboard cannot be rebuilt until every submission reads
    markdown, plots = render(board)
    target = root / "LEADERBOARD.md"
    if not target.is_file() or target.read_text(encoding="utf-8") != markdown:
        problems.append(f"{target}: stale; run `harness leaderboard build` and commit the result")
    for plot in plots:
        if not (root / PLOTS / plot.filename).is_file():
            problems.append(
                f"{root / PLOTS / plot.filename}: plot missing or stale; run `harness leaderboard build`"
            )
    problems += stale_files(root, render_site(board))
    return problems


def _added(folder: Path) -> float:
    """When the folder's first file entered git history: a duplicate is reported on the newer entry,
    which is the one a pull request brings. Not committed yet (or no git): newest of all."""
    try:
        log = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%ct", "--", folder.name],
            cwd=folder.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return math.inf
    stamps = [int(line) for line in log.stdout.split()] if log.returncode == 0 else []
    return min(stamps) if stamps else math.inf
