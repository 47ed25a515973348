"""`harness leaderboard build`: LEADERBOARD.md, its plots and the web site, from one Board."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.leaderboard.board import load_board
from harness.leaderboard.markdown import PLOTS, render
from harness.leaderboard.plots import draw
from harness.leaderboard.site import render_site, write_site


def build(root: Path) -> tuple[Path, list[Path], dict[str, list[str]]]:
    """Write LEADERBOARD.md, its plots and the web site (site/), removing plots and site files no
    longer made. Submissions that `harness leaderboard check` refuses are left out; they are returned
    with their reasons."""
    board = load_board(root)
    if board.problems:
        raise HarnessError(board.problems[0])
    markdown, plots = render(board)
    target = root / "LEADERBOARD.md"
    target.write_text(markdown, encoding="utf-8")
    folder = root / PLOTS
    written = [draw(plot, folder) for plot in plots]
    keep = {p.filename for p in plots}
    for old in folder.glob("*.png") if folder.is_dir() else []:
        if old.name not in keep:
            old.unlink()
    write_site(root, render_site(board))
    return target, written, board.refused
