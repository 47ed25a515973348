"""Content hashes of the data files a run reads (recorded as the revision read)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from harness.files import sha256_file


@functools.lru_cache(maxsize=512)
def _file_hash(path: Path, size: int, mtime_ns: int) -> str:
    # keyed by size and modification time too: an edited file is hashed again
    return sha256_file(path)


def file_hash(path: Path) -> str:
    stat = path.stat()
    return _file_hash(path.resolve(), stat.st_size, stat.st_mtime_ns)


def hash_files(paths: Iterable[Path], relative_to: Path | None = None) -> str:
    """sha256 over the files' names (relative to `relative_to` when given) and contents, in order."""
    digest = hashlib.sha256()
    for path in paths:
        name = path.relative_to(relative_to) if relative_to is not None else Path(path.name)
        digest.update(str(name).encode())
        digest.update(file_hash(path).encode())
    return "sha256:" + digest.hexdigest()
