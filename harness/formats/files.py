"""Readers for the XTREME leaderboard layout: {folder}/{task}/test-{lang}.{tsv,json,jsonl} (spec 4).

Each reader behaves as evaluate.py's reader of the same name, so a folder scores the same here as
with the reference script.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError


def read_label(path: Path) -> list[str]:
    """One value per line, surrounding whitespace stripped (XNLI, PAWS-X, Tatoeba, BUCC pairs)."""
    with path.open(encoding="utf-8") as handle:
        return [line.strip() for line in handle]


def read_tag(path: Path) -> list[list[str]]:
    """One tag per line; every blank line closes the current (possibly empty) sentence."""
    sentences: list[list[str]] = []
    current: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                current.append(line)
            else:
                sentences.append(current)
                current = []
    if current:
        sentences.append(current)
    return sentences


def read_json(path: Path) -> Any:
    """A JSON file; SQuAD-format files are reduced to their "data" list (evaluate.py's read_squad)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    return data["data"] if isinstance(data, dict) and "data" in data else data


def read_jsonl_labels(path: Path) -> list[int]:
    """The "label" of every JSON line (XCOPA)."""
    labels = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                labels.append(json.loads(line)["label"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise HarnessError(f'{path}:{number}: expected a JSON object with a "label"') from None
    return labels
