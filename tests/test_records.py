"""Typed contracts between commands: provenance records, validated when read and written back byte
for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from harness.results import Provenance, TaskResult, read_results, write_results

ROOT = Path(__file__).resolve().parent.parent

_TAIL = {"task": "xnli", "split": "test", "language": "de", "examples": 24}
HUB = {
    "source": "local", "dataset": "google/xtreme", "config": "XNLI", "hub_split": "test", "data_dir": None,
    "filter": "language==de", "licence": "cc-by-4.0", "revision_requested": None,
    "revision_used": "sha256:70f3", "description": "google/xtreme (local) XNLI/test [language==de]",
    **_TAIL, "divergences": ["rows: 24 read"],
}  # fmt: skip
FILES = {
    "source": "release", "release": "xnli-1.0", "licence": "cc-by-nc-4.0", "path": "/data/xnli/test.tsv",
    "files": ["xnli/test.tsv"], "revision_used": "sha256:81d0", "description": "xnli-1.0: xnli/test.tsv",
    **_TAIL, "divergences": [],
}  # fmt: skip
# schema 1.0 (still readable): no licence, description or divergences
OLD_HUB = {
    "source": "hub", "dataset": "google/xtreme", "config": "XNLI", "hub_split": "test", "data_dir": None,
    "filter": "language==de", "revision_requested": "a" * 40, "revision_used": None, **_TAIL,
}  # fmt: skip
OLD_DOWNLOAD = {"source": "download", "path": "/d/xnli/test-de.tsv", "revision_used": "sha256:1", **_TAIL}


@pytest.mark.parametrize(
    "record", [HUB, FILES, OLD_HUB, OLD_DOWNLOAD], ids=["hub", "files", "1.0", "1.0-file"]
)
def test_a_provenance_record_is_written_back_with_the_same_keys_in_the_same_order(
    record: dict[str, Any],
) -> None:
    typed = Provenance.model_validate(record)
    assert json.dumps(typed.model_dump(mode="json")) == json.dumps(record)
    assert typed.task == "xnli" and typed.examples == 24


def test_a_provenance_record_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="revison_used"):
        Provenance.model_validate({**FILES, "revison_used": "sha256:0"})


def test_the_runners_dicts_are_validated_and_written_the_same_way() -> None:
    # the runner updates a TaskResult with the loaded splits' JSON form (model_copy does not validate)
    base = TaskResult(
        name="xnli", title="XNLI", format="classification", status="pending", languages=["de"],
        metrics=["accuracy"], score_metrics=["accuracy"], seeds=[1],
    )  # fmt: skip
    updated = base.model_copy(update={"data": [HUB, Provenance.model_validate(FILES)]})
    assert json.dumps(updated.model_dump(mode="json")["data"]) == json.dumps([HUB, FILES])
    unknown = base.model_copy(update={"data": [{**HUB, "extra": 1}]})
    with pytest.raises(ValueError, match="extra"):  # refused on the way out, never written
        unknown.model_dump(mode="json")


def test_the_sample_submissions_results_are_written_back_byte_for_byte(tmp_path: Path) -> None:
    original = ROOT / "submissions" / "harness__all-minilm-l6-v2" / "results.json"
    write_results(read_results(original), tmp_path / "results.json")
    assert (tmp_path / "results.json").read_bytes() == original.read_bytes()
