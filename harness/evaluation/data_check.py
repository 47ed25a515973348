"""`harness data check`: for every (task, language, split) a suite reads, the source a run would use,
its revision or checksum, the rows the reference's data has and, where the data is here, the rows
read and every divergence from the reference's data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.data import DataOptions, load_split, locate
from harness.data.sources import describe, fetch_hint, kind_of, known_divergences, licence_of
from harness.errors import HarnessError
from harness.formats import get_format, is_supported
from harness.suites import Suite, TaskEntry
from harness.tasks import TASKS, HubSource
from harness.tasks.manifest import expected_rows


@dataclass
class DataRow:
    task: str
    language: str
    split: str  # the task's split name
    role: str  # train, dev, test, or "protocol" for the other splits a retrieval protocol reads
    source: str | None  # the source a run reads (or, when absent, should read); None: no source at all
    kind: str | None = None  # hub, local (a suite's local hub-layout folder), download or release
    licence: str | None = None
    revision: str | None = None  # the pinned commit, or the sha256 of the files read
    present: bool = False
    labelled: bool = True
    expected_rows: int | None = None
    expected_source: str | None = None
    rows: int | None = None  # rows read; None when the data is not here (or was not read)
    divergences: list[str] = field(default_factory=list)
    problem: str | None = None  # why the rows are not there: what to fetch, or the reading error

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _roles(name: str, entry: TaskEntry) -> list[tuple[str, str]]:
    roles = [("train", s) for s in entry.splits.train]
    if entry.splits.dev is not None:
        roles.append(("dev", entry.splits.dev))
    roles.append(("test", entry.splits.test))
    spec = TASKS[name]
    if is_supported(spec.format):
        roles += [("protocol", s) for s in get_format(spec.format).other_splits]
    return roles


def _languages(entry: TaskEntry, role: str, per_language: bool) -> list[str]:
    if not per_language:
        return ["en"]
    if role == "dev":
        return [entry.selection.language if entry.selection else "en"]
    return entry.languages if role in ("test", "protocol") else ["en"]


def plan(suite: Suite, tasks: list[str]) -> list[tuple[str, str, str, str]]:
    """(task, role, split, language) for everything the tasks read, in suite order."""
    rows = []
    for name in tasks:
        entry = suite.tasks[name]
        for role, split in _roles(name, entry):
            for lang in _languages(entry, role, TASKS[name].splits[split].per_language):
                rows.append((name, role, split, lang))
    return rows


def check(
    suite: Suite,
    options: DataOptions,
    tasks: list[str],
    read: bool = True,
    advance: Callable[[str], None] | None = None,
) -> list[DataRow]:
    """One row per (task, role, split, language); with `read`, the data present are read and checked."""
    found = []
    for name, role, split, lang in plan(suite, tasks):
        if advance is not None:
            advance(f"{name} {split} {lang}")
        found.append(_row(suite, options, name, role, split, lang, read))
    return found


def _row(
    suite: Suite, options: DataOptions, name: str, role: str, split: str, lang: str, read: bool
) -> DataRow:
    spec = TASKS[name]
    resolved = locate(spec, split, lang, options)
    expected = expected_rows(name, split, lang)
    row = DataRow(
        task=name,
        language=lang,
        split=split,
        role=role,
        source=None,
        expected_rows=expected[0] if expected else None,
        expected_source=expected[1] if expected else None,
    )
    if resolved is None:
        row.problem = "no source holds this language"
        return row
    source = resolved.source
    row.source = describe(resolved, spec, lang, suite)
    row.present = resolved.present
    row.kind = kind_of(resolved, suite)
    row.licence = licence_of(resolved)
    row.divergences = known_divergences(resolved, lang, suite)
    if isinstance(source, HubSource):
        row.revision = suite.datasets[source.dataset].revision
    else:
        row.labelled = source.labelled
        if not resolved.present:
            row.problem = fetch_hint(resolved, options.folders)
    if not (read and resolved.present):
        return row
    try:
        loaded = load_split(spec, split, lang, options)
    except HarnessError as exc:
        offline = "OfflineModeIsEnabled" in str(exc) or "Couldn't reach" in str(exc)
        row.problem = "not in the local datasets cache (--download fetches it)" if offline else str(exc)
        return row
    row.rows = loaded.provenance["examples"]
    row.revision = loaded.provenance.get("revision_used") or row.revision
    row.divergences = loaded.divergences
    return row
