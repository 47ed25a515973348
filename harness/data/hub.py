"""Load a split of a Hugging Face hub dataset (pinned revision) or of a local folder in hub layout."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

_SHA = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")


def load_rows(
    dataset: str,
    *,
    config: str | None,
    split: str,
    data_dir: str | None,
    revision: str | None,
    local_path: Path | None,
    columns: Sequence[str],
) -> tuple[Iterator[dict[str, Any]], int, str | None]:
    """Return (rows, row count, revision read from the datasets cache when it shows one)."""
    import datasets

    target = str(local_path) if local_path is not None else dataset
    described = f"{dataset} (config {config or 'default'}, split {split}, revision {revision or 'local'})"
    try:
        ds = datasets.load_dataset(
            target,
            name=config,
            split=split,
            revision=None if local_path is not None else revision,
            data_dir=data_dir,
        )
    except Exception as exc:  # datasets raises many types (offline, missing config, bad files)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        hint = ""
        if local_path is None:
            hint = (
                " (offline? fetch it once with network access, or read the download/ layout with --data-dir)"
            )
        raise HarnessError(f"cannot load {described}: {type(exc).__name__}: {first}{hint}") from None
    missing = [c for c in columns if c not in ds.column_names]
    if missing:
        raise HarnessError(
            f"{described}: no column {', '.join(missing)}; columns present: {', '.join(ds.column_names)}"
        )
    ds = ds.select_columns(list(columns))
    return iter(ds), len(ds), _cached_revision(ds)


def _cached_revision(ds: Any) -> str | None:
    """The commit the datasets cache was built from (its cache path names it), if visible."""
    for entry in getattr(ds, "cache_files", []) or []:
        found = _SHA.findall(str(entry.get("filename", "")))
        if found:
            return found[-1]
    return None
