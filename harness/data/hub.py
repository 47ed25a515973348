"""Load a split of a Hugging Face hub dataset (pinned revision) or of a local folder in hub layout."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness.data.hashing import hash_files
from harness.errors import HarnessError

_SHA = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")
_SCRIPT = re.compile(r"Dataset scripts are no longer supported, but found (\S+)")


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
    """Return (rows, row count, the revision read).

    The revision read is the commit the datasets cache was built from (when its path shows it) or,
    for a local folder, the sha256 of the data files of the config.
    """
    import datasets

    target = str(local_path) if local_path is not None else dataset
    described = f"{dataset} (config {config or 'default'}, split {split}, revision {revision or 'local'})"
    extra: dict[str, Any] = {}
    fingerprint = None
    if local_path is not None:
        # datasets keys its cache of a local folder by the folder's name, not its content: a second
        # folder of the same name, or an edited file, would read the first copy's rows. A cache
        # directory per content hash reads the data as it is.
        fingerprint = local_fingerprint(local_path, config, data_dir, described)
        extra["cache_dir"] = str(
            Path(datasets.config.HF_DATASETS_CACHE) / "harness-local" / fingerprint[7:23]
        )
    try:
        ds = datasets.load_dataset(
            target,
            name=config,
            split=split,
            revision=None if local_path is not None else revision,
            data_dir=data_dir,
            **extra,
        )
    except Exception as exc:  # datasets raises many types (offline, missing config, bad files)
        raise _load_error(exc, dataset, revision, described, local_path) from None
    missing = [c for c in columns if c not in ds.column_names]
    if missing:
        raise HarnessError(
            f"{described}: no column {', '.join(missing)}; columns present: {', '.join(ds.column_names)}"
        )
    ds = ds.select_columns(list(columns))
    return iter(ds), len(ds), fingerprint or _cached_revision(ds)


def local_fingerprint(folder: Path, config: str | None, data_dir: str | None, described: str = "") -> str:
    """sha256 of the data files (and the card) a config of a local hub-layout folder reads."""
    import datasets

    try:
        builder = datasets.load_dataset_builder(str(folder), name=config, data_dir=data_dir)
    except Exception as exc:
        raise _load_error(exc, None, None, described or str(folder), folder) from None
    files = sorted(
        {Path(f) for split_files in (builder.config.data_files or {}).values() for f in split_files}
    )
    card = folder / "README.md"
    return hash_files([*files, *([card] if card.is_file() else [])], relative_to=folder)


def _load_error(
    exc: Exception, dataset: str | None, revision: str | None, described: str, local_path: Path | None
) -> HarnessError:
    import datasets

    text = str(exc).strip()
    script = _SCRIPT.search(text)
    if script is not None:
        where = f"{dataset}@{revision}" if local_path is None else str(local_path)
        return HarnessError(
            f"{where}: this revision holds a loading script ({script.group(1)}), which datasets "
            f"{datasets.__version__} cannot run; pin a commit of its parquet conversion under datasets: in "
            "the suite, or give a local copy with path:"
        )
    first = text.splitlines()[0] if text else ""
    hint = ""
    if local_path is None:
        hint = " (offline? fetch it once with network access, or put the release in --data-dir: docs/data.md)"
    return HarnessError(f"cannot load {described}: {type(exc).__name__}: {first}{hint}")


def _cached_revision(ds: Any) -> str | None:
    """The commit the datasets cache was built from (its cache path names it), if visible."""
    for entry in getattr(ds, "cache_files", []) or []:
        found = _SHA.findall(str(entry.get("filename", "")))
        if found:
            return found[-1]
    return None
