"""Readers of the file layouts that sources name: one registry, one reader per layout.

A layout knows two things: which files it reads for a language (`files`; none means the data is not
there) and the raw rows in them (`rows`). Files are read as the reference reads them: Python's text
mode (universal newlines), UTF-8, and TSV without quote handling where the reference's processors
use transformers' `_read_tsv`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.data import panx, ud
from harness.errors import HarnessError
from harness.tasks.spec import FileSource

Row = dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """`files(path, options)` lists what a source reads (empty: not present); `rows` yields raw rows.

    `path` is the source's path inside the release folder with `{lang}`, `{name}` and `{code}` filled
    in, and `options` its reader options, filled in the same way. A reader appends to `notes` what it
    did that the data's user should know (a file skipped as the reference skips it).
    """

    files: Callable[[Path, Mapping[str, str]], list[Path]]
    rows: Callable[[list[Path], FileSource, Mapping[str, str], list[str]], Iterator[Row]]


def _one_file(path: Path, options: Mapping[str, str]) -> list[Path]:
    return [path] if path.is_file() else []


def _lines(path: Path) -> list[str]:
    """The file's lines as Python's text mode gives them (universal newlines), without line ends."""
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


# --- the XTREME download/ layout ---------------------------------------------------------------------


def _tsv(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    # transformers' DataProcessor._read_tsv, which the reference processors use: utf-8-sig,
    # tab-separated, quotechar=None (a literal '"' stays part of the text).
    path, columns = files[0], source.columns
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle, delimiter="\t", quotechar=None), start=1):
            if len(cells) < len(columns):
                raise HarnessError(
                    f"{path}:{number}: expected {len(columns)} tab-separated columns "
                    f"({', '.join(columns)}), found {len(cells)}"
                )
            yield dict(zip(columns, cells, strict=False))


def _jsonl(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    path = files[0]
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


def _mentions(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """Mewsli-X: one JSON line per context with its mentions; one row per mention.

    With the option `language`, only contexts in that language (the release's single
    wikinews_mentions-{split}.jsonl holds all languages; download_data.sh shards it per language).
    """
    language = options.get("language")
    for row in _jsonl(files, source, options, notes):
        if language is not None and row.get("context", {}).get("language") != language:
            continue
        for mention in row.get("mentions", []):
            yield {"mention": {"context": row["context"], "mention": mention}}


def _conll(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """`token[\\ttag]` per line, a blank line after each sentence (udpos/, panx/ of download/).

    Rows are {"tokens": [...], "tags": [...]}; test files carry no tag column, so no "tags".
    """
    path = files[0]
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


def _squad(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """SQuAD v1.1 JSON flattened to one row per question, in the hub's field layout.

    With the option `id_prefix`, only questions whose id starts with it (TyDi QA's training file
    mixes languages and names each id after its language, as the reference splits it).
    """
    path = files[0]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise HarnessError(f'{path}: expected SQuAD format, a JSON object with a "data" list')
    prefix = options.get("id_prefix", "")
    number = 0
    for article in articles:
        for paragraph in article.get("paragraphs", []):
            number += 1  # paragraphs counted across the file, as LAReQA's candidate ids do
            for qa in paragraph.get("qas", []):
                if not qa["id"].startswith(prefix):
                    continue
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


# --- original releases --------------------------------------------------------------------------------


def reference_tsv_cells(cells: list[str]) -> list[str]:
    """Cells as the reference's model sees them after utils_preprocess.py wrote them with
    csv.writer (tab-delimited, minimal quoting) and its processors read them back without quote
    handling: a cell holding a double quote comes back wrapped in quotes, its quotes doubled
    (spec 9.10).

    >>> reference_tsv_cells(['He said "hi".', "plain"])
    ['"He said ""hi""."', 'plain']
    """
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerow(cells)
    return next(csv.reader(io.StringIO(buffer.getvalue()), delimiter="\t", quotechar=None))


def _pawsx(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """A PAWS-X release TSV (id, sentence1, sentence2, label; a header line), read as
    utils_preprocess.pawsx_preprocess reads it: split on tabs, no quote handling, so every row is
    kept whatever quotes it holds."""
    path = files[0]
    for number, line in enumerate(_lines(path)[1:], start=2):
        items = line.strip().split("\t")
        if len(items) < 4:
            raise HarnessError(f"{path}:{number}: expected id, sentence1, sentence2, label separated by tabs")
        first, second = reference_tsv_cells([items[1].strip(), items[2].strip()])
        yield {"sentence1": first, "sentence2": second, "label": items[3]}


@functools.lru_cache(maxsize=4)
def _xnli_by_language(path: Path, stamp: tuple[int, int]) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for number, line in enumerate(_lines(path)[1:], start=2):
        items = line.strip().split("\t")
        if len(items) < 8:
            raise HarnessError(f"{path}:{number}: expected the XNLI-1.0 columns (language, gold_label, ...)")
        label = items[1].strip()
        first, second = reference_tsv_cells([items[6].strip(), items[7].strip()])
        rows.setdefault(items[0].strip(), []).append(
            {
                "sentence1": first,
                "sentence2": second,
                # utils_preprocess.xnli_preprocess renames the MultiNLI spelling
                "gold_label": "contradiction" if label == "contradictory" else label,
            }
        )
    return rows


def _xnli(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """XNLI-1.0's xnli.{dev,test}.tsv (all languages, a header line) filtered to one language, as
    utils_preprocess.xnli_preprocess splits it: columns 0 (language), 1 (label), 6 and 7 (sentences)."""
    path = files[0]
    stat = path.stat()
    yield from _xnli_by_language(path, (stat.st_size, stat.st_mtime_ns)).get(options["language"], [])


def _laser_files(path: Path, options: Mapping[str, str]) -> list[Path]:
    # tatoeba.{xxx}-eng.{xxx} and its English side tatoeba.{xxx}-eng.eng
    english = path.with_name(path.name.rsplit(".", 1)[0] + ".eng")
    return [path, english] if path.is_file() and english.is_file() else []


def _laser(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    """LASER's Tatoeba test files as published: line i of one translates line i of the other."""
    other, english = (_lines(path) for path in files)
    if len(other) != len(english):
        raise HarnessError(
            f"{files[0]}: {len(other)} lines but {files[1].name} has {len(english)}; "
            "the two files of a LASER Tatoeba pair are aligned line by line"
        )
    for source_sentence, target_sentence in zip(other, english, strict=True):
        yield {"source_sentence": source_sentence, "target_sentence": target_sentence}


def _ud_files(path: Path, options: Mapping[str, str]) -> list[Path]:
    return ud.treebank_files(path, options["language"], options["split"])


def _ud(files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]) -> Iterator[Row]:
    for path in files:
        try:
            found = ud.reference_sentences(path, options["language"])
        except ud.ConverterFails as exc:
            notes.append(f"{path.name} skipped: the reference's conllu_to_conll.py fails on it ({exc})")
            continue
        for tokens, tags in found:
            yield {"tokens": tokens, "tags": tags}


def _panx_files(path: Path, options: Mapping[str, str]) -> list[Path]:
    return panx.archive_files(path, options["language"])


def _panx(
    files: list[Path], source: FileSource, options: Mapping[str, str], notes: list[str]
) -> Iterator[Row]:
    for tokens, tags in panx.sentences(files[0], options["language"], options["split"]):
        yield {"tokens": tokens, "tags": tags}


LAYOUTS: dict[str, Layout] = {
    "tsv": Layout(_one_file, _tsv),
    "jsonl": Layout(_one_file, _jsonl),
    "conll": Layout(_one_file, _conll),
    "json": Layout(_one_file, _squad),
    "mentions": Layout(_one_file, _mentions),
    "pawsx": Layout(_one_file, _pawsx),
    "xnli": Layout(_one_file, _xnli),
    "laser": Layout(_laser_files, _laser),
    "ud": Layout(_ud_files, _ud),
    "panx": Layout(_panx_files, _panx),
}
