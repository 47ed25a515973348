"""Read files in the layout google-research/xtreme's scripts/download_data.sh produces."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.tasks.spec import DownloadSource


def read_rows(path: Path, source: DownloadSource) -> Iterator[dict[str, Any]]:
    """Yield raw rows of one file. TSV is read as the reference reads it (no quote handling)."""
    if source.layout == "tsv":
        yield from _read_tsv(path, source.columns)
    elif source.layout == "jsonl":
        yield from _read_jsonl(path)
    else:
        raise HarnessError(f"{path}: reading the {source.layout!r} download layout is not implemented yet")


def _read_tsv(path: Path, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    # transformers' DataProcessor._read_tsv, which the reference processors use: utf-8-sig,
    # tab-separated, quotechar=None (a literal '"' stays part of the text).
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle, delimiter="\t", quotechar=None), start=1):
            if len(cells) < len(columns):
                raise HarnessError(
                    f"{path}:{number}: expected {len(columns)} tab-separated columns "
                    f"({', '.join(columns)}), found {len(cells)}"
                )
            yield dict(zip(columns, cells, strict=False))


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HarnessError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
            if not isinstance(row, dict):
                raise HarnessError(f"{path}:{number}: expected a JSON object per line")
            yield row
