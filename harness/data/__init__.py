"""Where examples come from: the pinned hub copy, or a published release in the user's data folder.

`load_split` reads a split from the source `harness.data.sources` resolves, checks the examples
against the reference's data (`harness.data.checks`) and returns them with a provenance record
(`harness.results.Provenance`) that goes into results.json unchanged: the source, its licence, the
revision or checksum read, and every divergence from the reference's data, known or found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.data import checks, hub
from harness.data.fields import map_row, template_columns
from harness.data.hashing import hash_files
from harness.data.layouts import LAYOUTS
from harness.data.sources import (
    Resolved,
    describe,
    fill,
    fill_options,
    known_divergences,
    licence_of,
    missing_hint,
    resolve,
)
from harness.errors import HarnessError
from harness.results.schema import Provenance
from harness.suites import Suite
from harness.tasks.spec import FileSource, FormatName, HubSource, TaskSpec


@dataclass(frozen=True)
class DataOptions:
    """Run-wide data settings: the suite (pins, local folders), the data folder and --limit."""

    suite: Suite
    data_dir: Path | None = None
    limit: int | None = None  # keep the first N examples of every split (smoke runs only)

    @property
    def folders(self) -> list[Path]:
        """Where file sources are looked for: --data-dir, then the suite's own data folder."""
        return [f for f in (self.data_dir, self.suite.download_path()) if f is not None]


@dataclass
class LoadedSplit:
    examples: list[dict[str, Any]]
    labelled: bool
    record: Provenance

    @property
    def provenance(self) -> dict[str, Any]:
        """The record's JSON form, for the code that still takes a dict (the run store, the runner)."""
        return self.record.model_dump(mode="json")

    @property
    def divergences(self) -> list[str]:
        return list(self.record.divergences)


def locate(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> Resolved | None:
    """The source `load_split` would read (present or not), or None when no source holds `lang`."""
    split = spec.splits[split_name]
    lang = lang if split.per_language else "en"
    return resolve(spec, split, lang, options.suite, options.folders)


def identity(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> dict[str, Any]:
    """What a split's data is, without parsing it: its source and the pinned commit, or the sha256
    of the files (a local hub-layout folder's data files included). Part of every key of finished
    work, so that changed data is never answered from work done on other data."""
    resolved = locate(spec, split_name, lang, options)
    if resolved is None or not resolved.present:
        return {"source": None}
    source = resolved.source
    found: dict[str, Any] = {"source": describe(resolved, spec, lang, options.suite)}
    if isinstance(source, HubSource):
        local = options.suite.dataset_path(source.dataset)
        found["revision"] = (
            options.suite.datasets[source.dataset].revision
            if local is None
            else hub.local_fingerprint(
                local, fill(source.config, spec, lang), fill(source.data_dir, spec, lang)
            )
        )
    else:
        found["revision"] = hash_files(list(resolved.files), relative_to=resolved.folder)
    return found


def split_present(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> bool:
    """Whether a split that is optional for a task is there (BUCC's test gold: the reference deletes it)."""
    found = locate(spec, split_name, lang, options)
    return found is not None and found.present


def load_split(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> LoadedSplit:
    """Load one split of a task for one language (English-only splits ignore `lang`)."""
    split = spec.splits[split_name]
    lang = lang if split.per_language else "en"
    where = f"{spec.name}/{split_name}/{lang}"
    resolved = resolve(spec, split, lang, options.suite, options.folders)
    if resolved is None:
        hubs = sorted({s.dataset for s in split.sources if isinstance(s, HubSource) and s.covers(lang)})
        why = (
            f"it is only in {', '.join(hubs)}, which the suite does not pin" if hubs else "no source holds it"
        )
        raise HarnessError(f"{where}: {why} (docs/data.md lists the sources of every task)")
    if not resolved.present:
        raise HarnessError(f"{where}: {missing_hint(resolved, spec, lang, options.folders)}")
    notes: list[str] = []
    if isinstance(resolved.source, HubSource):
        examples, labelled, origin = _from_hub(spec, resolved.source, lang, options.suite, where)
    else:
        examples, labelled, origin = _from_files(spec, resolved, lang, notes, where)
    description = describe(resolved, spec, lang, options.suite)
    notes += known_divergences(resolved, lang, options.suite)
    notes += checks.row_count(spec, split_name, lang, len(examples))
    if labelled:
        if spec.format is FormatName.extractive_qa:
            notes += checks.answers(examples, where)
        notes += checks.labels(spec, examples)
    if options.limit is not None:
        examples = examples[: options.limit]
    if not examples:
        raise HarnessError(f"{where}: no examples ({description})")
    record = Provenance(
        **origin,
        description=description,
        task=spec.name,
        split=split_name,
        language=lang,
        examples=len(examples),
        divergences=notes,
    )
    return LoadedSplit(examples=examples, labelled=labelled, record=record)


# A split as read: its examples, whether they are labelled, and its source's own provenance fields.
_Read = tuple[list[dict[str, Any]], bool, dict[str, Any]]


def _from_hub(spec: TaskSpec, source: HubSource, lang: str, suite: Suite, where: str) -> _Read:
    pin = suite.datasets[source.dataset]
    local = suite.dataset_path(source.dataset)
    config = fill(source.config, spec, lang)
    data_dir = fill(source.data_dir, spec, lang)
    split_name = fill(source.split, spec, lang)  # XGLUE names its splits per language (test.de)
    assert split_name is not None
    wanted = fill(source.filter_value, spec, lang)
    columns = template_columns(source.fields.values())
    if source.filter_column and source.filter_column not in columns:
        columns.append(source.filter_column)
    rows, _, used = hub.load_rows(
        source.dataset,
        config=config,
        split=split_name,
        data_dir=data_dir,
        revision=pin.revision,
        local_path=local,
        columns=columns,
    )
    if local is None and pin.revision is not None and used is not None and used != pin.revision:
        # Offline, datasets falls back to whatever version it has cached: never score that silently.
        raise HarnessError(
            f"{where}: the datasets cache holds {source.dataset} at {used}, but the suite pins "
            f"{pin.revision}; fetch the pinned revision (with network access) or remove the stale cache"
        )
    examples = []
    for row in rows:
        if source.filter_column:
            value = str(row[source.filter_column])
            if not (value.startswith(wanted) if source.filter_prefix else value == wanted):
                continue
        examples.append(map_row(row, source.fields, source.label_map, True, where))
    origin = {
        "source": "local" if local is not None else "hub",
        "dataset": source.dataset,
        "config": config,
        "hub_split": split_name,
        "data_dir": data_dir,
        "filter": f"{source.filter_column}{'^=' if source.filter_prefix else '=='}{wanted}"
        if source.filter_column
        else None,
        "licence": licence_of(Resolved(source=source, present=True)),
        "revision_requested": pin.revision,
        # The commit the datasets cache was built from (None when the cache path does not show it);
        # for a local folder, the sha256 of the config's data files.
        "revision_used": used,
    }
    return examples, True, origin


def _from_files(spec: TaskSpec, resolved: Resolved, lang: str, notes: list[str], where: str) -> _Read:
    source = resolved.source
    assert isinstance(source, FileSource) and resolved.folder is not None
    files = list(resolved.files)
    options = fill_options(source.options, spec, lang)
    try:
        rows = list(LAYOUTS[source.layout].rows(files, source, options, notes))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise HarnessError(f"{files[0]}: cannot read ({where}): {exc}") from None
    examples = [
        map_row(row, source.fields, source.label_map, source.labelled, f"{files[0]}:{i + 1}")
        for i, row in enumerate(rows)
    ]
    origin = {
        "source": "download" if source.release == "xtreme-download" else "release",
        "release": source.release,
        "licence": licence_of(resolved),
        "path": str(files[0]),
        "files": [str(f.relative_to(resolved.folder)) for f in files],
        "revision_used": hash_files(files, relative_to=resolved.folder),
    }
    return examples, source.labelled, origin


class SplitReader:
    """The splits one task reads, each loaded once, with the provenance of every split it loaded.

    What a format reads its data through, in `harness eval` and when `harness leaderboard check
    --rescore` rebuilds a task's gold files.
    """

    def __init__(self, spec: TaskSpec, options: DataOptions):
        self.spec, self.options = spec, options
        self._loaded: dict[tuple[str, str], LoadedSplit] = {}

    def load(self, split_name: str, lang: str = "en") -> LoadedSplit:
        key = (split_name, lang)
        if key not in self._loaded:
            self._loaded[key] = load_split(self.spec, split_name, lang, self.options)
        return self._loaded[key]

    def present(self, split_name: str, lang: str) -> bool:
        """Whether an optional split is there (BUCC's test gold: the reference deletes it)."""
        return split_present(self.spec, split_name, lang, self.options)

    @property
    def provenance(self) -> list[dict[str, Any]]:
        """Each split read, in the order first read (the same record once)."""
        found: list[dict[str, Any]] = []
        for split in self._loaded.values():
            if split.provenance not in found:
                found.append(split.provenance)
        return found
