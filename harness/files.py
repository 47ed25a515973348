"""Writing a file all at once, and hashing files: the one copy of each (imports nothing of the harness).

Named `files`, not `io`, so that it never shadows the standard library's `io`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20  # bytes read at a time: a multi-gigabyte weights file never sits in memory


def atomic_write(path: Path, content: str | bytes | Callable[[Path], Any]) -> None:
    """Write `path` in one step: into a temporary file beside it, renamed over it once complete, so
    that a crash or an error never leaves a half-written file (an existing one stays as it was).

    `content` is text (written as UTF-8), bytes, or a function that writes the file at the path it is
    given (`torch.save`, safetensors' `save_model`). Like the temporary file, the result is readable
    by its owner only (mode 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # hidden while partial; the suffix keeps torch.save's archive name (the file name up to its last
    # dot) from being empty
    fd, name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".partial", dir=path.parent)
    tmp = Path(name)
    try:
        if isinstance(content, str):
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
        elif isinstance(content, bytes):
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        else:
            os.close(fd)
            content(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def update_with_file(digest: Any, path: Path) -> None:
    """Feed the file's bytes into `digest` (a hashlib object), in chunks."""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)


def sha256_file(path: Path) -> str:
    """The sha256 of the file's bytes, in hex (read in chunks; `hashlib.file_digest` needs 3.11)."""
    digest = hashlib.sha256()
    update_with_file(digest, path)
    return digest.hexdigest()
