"""The web leaderboard: a static site (site/ at the repository root) rendered from the same Board as
LEADERBOARD.md, with the same deterministic bytes for the same inputs. Plain files only: it opens from
file:// and from any static host (GitHub Pages), loads nothing from elsewhere, and needs no server."""

from __future__ import annotations

from pathlib import Path

from harness.leaderboard.board import Board
from harness.leaderboard.site.entry import render_entry
from harness.leaderboard.site.index import entry_page, render_index

SITE = "site"  # the folder at the repository root
STATIC = Path(__file__).parent / "static"  # the stylesheet and the script, copied as they are
FIX = "run `harness leaderboard build` and commit the result"


def render_site(board: Board) -> dict[str, str]:
    """Every file of the site: its path inside site/ and its text."""
    files = {"index.html": render_index(board)}
    for name in board.suites:
        for sub in board.published(name):
            files[entry_page(sub)] = render_entry(board, sub)
    for asset in sorted(STATIC.iterdir()):
        if asset.suffix in (".js", ".css"):
            files[f"assets/{asset.name}"] = asset.read_text(encoding="utf-8")
    return files


def write_site(root: Path, files: dict[str, str]) -> list[Path]:
    """Write the files under root/site and remove any file there that the build no longer makes."""
    folder = root / SITE
    written = []
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))  # bytes: the same "\n" on every platform
        written.append(path)
    for old in sorted(folder.rglob("*"), reverse=True):  # files before the folders that hold them
        if old.is_file() and old.relative_to(folder).as_posix() not in files:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
    return written


def stale_files(root: Path, files: dict[str, str]) -> list[str]:
    """One line per file of root/site that differs from a fresh build, is missing, or is left over."""
    folder = root / SITE
    problems = []
    for relative, content in files.items():
        path = folder / relative
        if not path.is_file() or path.read_bytes() != content.encode("utf-8"):
            problems.append(f"{path}: stale or missing; {FIX}")
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.relative_to(folder).as_posix() not in files:
                problems.append(f"{path}: not made by the build; {FIX}")
    return problems
