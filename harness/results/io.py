"""Read and write results.json atomically (a crash never leaves a half-written file)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.files import atomic_write
from harness.results.schema import READABLE_VERSIONS, Results


def write_results(results: Results, path: Path) -> None:
    text = json.dumps(results.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text)


def read_results(path: Path) -> Results:
    data = json.loads(path.read_text(encoding="utf-8"))
    version = data.get("schema_version")
    if version not in READABLE_VERSIONS:
        raise ValueError(
            f"{path}: schema_version {version!r}; this harness reads {', '.join(READABLE_VERSIONS)}"
        )
    return Results.model_validate(data)
