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
    elif source.layout == "conll":
        yield from _read_conll(path)
    elif source.layout == "json":
        yield from _read_squad(path)
    elif source.layout == "mentions":
        for row in _read_jsonl(path):
            for mention in row.get("mentions", []):
                yield {"mention": {"context": row["context"], "mention": mention}}
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


def _read_conll(path: Path) -> Iterator[dict[str, Any]]:
    """`token[\ttag]` per line, a blank line after each sentence (udpos/, panx/ of download/).

    Rows are {"tokens": [...], "tags": [...]}; test files carry no tag column, so no "tags".
    """
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if tokens:
                    yield {"tokens": tokens, **({"tags": tags} if tags else {})}
                tokens, tags = [], []
                continue
            cells = line.split("\t")
            if len(cells) > 2 or (tags and len(cells) != 2) or (tokens and not tags and len(cells) == 2):
                raise HarnessError(f"{path}:{number}: expected token<TAB>tag or a bare token on every line")
            tokens.append(cells[0])
            if len(cells) == 2:
                tags.append(cells[1].strip())
    if tokens:
        yield {"tokens": tokens, **({"tags": tags} if tags else {})}


def _read_squad(path: Path) -> Iterator[dict[str, Any]]:
    """SQuAD v1.1 JSON flattened to one row per question, in the hub's field layout."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise HarnessError(f'{path}: expected SQuAD format, a JSON object with a "data" list')
    number = 0
    for article in articles:
        for paragraph in article.get("paragraphs", []):
            number += 1  # paragraphs counted across the file, as LAReQA's candidate ids do
            for qa in paragraph.get("qas", []):
                answers = qa.get("answers", [])
                yield {
                    "paragraph": number,
                    "sentence_breaks": paragraph.get("sentence_breaks"),
                    "id": qa["id"],
                    "title": article.get("title", ""),
                    "context": paragraph["context"],
                    "question": qa["question"],
                    "answers": {
                        "text": [a["text"] for a in answers],
                        "answer_start": [a["answer_start"] for a in answers],
                    },
                }
