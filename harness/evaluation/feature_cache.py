"""Tokenized features, cached on disk per (tokenizer, data revision, max length, format), so that
repeated runs (other seeds, other models with the same tokenizer, a resumed run) skip tokenization.

The cache lives in $HARNESS_CACHE (default ~/.cache/harness) under features/; entries are plain
lists and dicts saved with torch.save and read back with weights_only=True (no code is unpickled).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

import harness
from harness.evaluation.store import key_of
from harness.files import atomic_write, sha256_file, update_with_file


def cache_dir() -> Path:
    return Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness")) / "features"


def tokenizer_hash(folder: Path) -> str:
    """sha256 over the tokenizer's files (any change to vocabulary or settings changes it)."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and (
            path.name.startswith(("tokenizer", "special_tokens", "vocab", "merges", "added_tokens"))
            or path.suffix == ".model"
        ):
            digest.update(path.name.encode())
            update_with_file(digest, path)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _source_hash(module: str) -> str:
    path = inspect.getsourcefile(importlib.import_module(module))
    return sha256_file(Path(path)) if path else ""


def featurization_code(fmt: object) -> str:
    """The harness version and the source of the format's module and of the code all formats share
    (field mapping, padding): what turns examples into features."""
    modules = (type(fmt).__module__, "harness.formats.fine_tuned", "harness.batching", "harness.data.fields")
    return key_of(harness=harness.__version__, sources=[_source_hash(m) for m in modules])


def cached_features(build: Callable[[], list[dict[str, Any]]], **identity: Any) -> list[dict[str, Any]]:
    """The features `build` makes, read from the cache when the same identity was built before."""
    path = cache_dir() / f"{key_of(**identity)}.pt"
    if path.is_file():
        try:
            return torch.load(path, weights_only=True)
        except Exception:  # a damaged entry is rebuilt (and overwritten), never trusted
            path.unlink(missing_ok=True)
    features = build()
    with contextlib.suppress(OSError, RuntimeError):  # an unwritable cache only costs time
        atomic_write(path, lambda tmp: torch.save(features, tmp))
    return features
