"""Where examples come from: the Hugging Face hub (pinned revision) or an XTREME download/ directory.

`load_split` returns canonical examples (see `harness.data.fields`) plus a provenance record that
goes into results.json unchanged.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.data import download, hub
from harness.data.fields import map_row, template_columns
from harness.errors import HarnessError
from harness.languages import get_language
from harness.suites import Suite
from harness.tasks.spec import Split, TaskSpec


@dataclass(frozen=True)
class DataOptions:
    """Run-wide data settings: the suite (pins, local folders) and an optional download/ dir."""

    suite: Suite
    data_dir: Path | None = None
    limit: int | None = None  # keep the first N examples of every split (smoke runs only)

    @property
    def download_dir(self) -> Path | None:
        """--data-dir, else the suite's own download/ folder (for splits only found there)."""
        return self.data_dir or self.suite.download_path()


@dataclass
class LoadedSplit:
    examples: list[dict[str, Any]]
    labelled: bool
    provenance: dict[str, Any] = field(default_factory=dict)


def _fill(template: str | None, spec: TaskSpec, lang: str) -> str | None:
    if template is None:
        return None
    return template.format(lang=lang, name=get_language(lang).name, code=spec.codes.get(lang, lang))


def load_split(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> LoadedSplit:
    """Load one split of a task for one language (English-only splits ignore `lang`)."""
    split: Split = spec.splits[split_name]
    lang = lang if split.per_language else "en"
    where = f"{spec.name}/{split_name}/{lang}"
    if options.data_dir is not None and split.download is not None:
        loaded = _from_download(spec, split, lang, options.data_dir, where)
    elif split.hub is not None:
        loaded = _from_hub(spec, split, lang, options.suite, where)
    elif split.download is not None and options.download_dir is not None:
        loaded = _from_download(spec, split, lang, options.download_dir, where)
    else:
        raise HarnessError(
            f"{where}: this split is only available in the XTREME download/ layout; pass --data-dir"
        )
    if options.limit is not None:
        loaded.examples = loaded.examples[: options.limit]
    loaded.provenance.update(task=spec.name, split=split_name, language=lang, examples=len(loaded.examples))
    if not loaded.examples:
        raise HarnessError(f"{where}: no examples ({_describe(loaded.provenance)})")
    return loaded


def download_file_exists(spec: TaskSpec, split_name: str, lang: str, options: DataOptions) -> bool:
    """Whether an optional download-layout file is there (BUCC test gold: the reference deletes it)."""
    source = spec.splits[split_name].download
    folder = options.download_dir
    return source is not None and folder is not None and (folder / _fill(source.path, spec, lang)).is_file()


def _from_hub(spec: TaskSpec, split: Split, lang: str, suite: Suite, where: str) -> LoadedSplit:
    source = split.hub
    assert source is not None
    pin = suite.datasets[source.dataset]
    local = suite.dataset_path(source.dataset)
    config = _fill(source.config, spec, lang)
    data_dir = _fill(source.data_dir, spec, lang)
    split_name = _fill(source.split, spec, lang)  # XGLUE names its splits per language (test.de)
    assert split_name is not None
    wanted = _fill(source.filter_value, spec, lang)
    columns = template_columns(source.fields.values())
    if source.filter_column and source.filter_column not in columns:
        columns.append(source.filter_column)
    rows, _, cached = hub.load_rows(
        source.dataset,
        config=config,
        split=split_name,
        data_dir=data_dir,
        revision=pin.revision,
        local_path=local,
        columns=columns,
    )
    if local is None and pin.revision is not None and cached is not None and cached != pin.revision:
        # Offline, datasets falls back to whatever version it has cached: never score that silently.
        raise HarnessError(
            f"{where}: the datasets cache holds {source.dataset} at {cached}, but the suite pins "
            f"{pin.revision}; fetch the pinned revision (with network access) or remove the stale cache"
        )
    examples = []
    for row in rows:
        if source.filter_column:
            value = str(row[source.filter_column])
            if not (value.startswith(wanted) if source.filter_prefix else value == wanted):
                continue
        examples.append(map_row(row, source.fields, source.label_map, True, where))
    provenance: dict[str, Any] = {
        "source": "local" if local is not None else "hub",
        "dataset": source.dataset,
        "config": config,
        "hub_split": split_name,
        "data_dir": data_dir,
        "filter": f"{source.filter_column}{'^=' if source.filter_prefix else '=='}{wanted}"
        if source.filter_column
        else None,
        "revision_requested": pin.revision,
        # The commit the datasets cache was built from (None when the cache path does not show it);
        # for a local folder, a hash of its data files.
        "revision_used": _folder_hash(local) if local is not None else cached,
    }
    return LoadedSplit(examples, labelled=True, provenance=provenance)


def _from_download(spec: TaskSpec, split: Split, lang: str, data_dir: Path, where: str) -> LoadedSplit:
    source = split.download
    assert source is not None
    relative = _fill(source.path, spec, lang)
    assert relative is not None
    path = data_dir / relative
    if not path.is_file():
        raise HarnessError(
            f"{path}: data file not found ({where}); --data-dir expects the layout of "
            "google-research/xtreme scripts/download_data.sh"
        )
    examples = [
        map_row(row, source.fields, source.label_map, source.labelled, f"{path}:{i + 1}")
        for i, row in enumerate(download.read_rows(path, source))
    ]
    provenance = {"source": "download", "path": str(path), "revision_used": "sha256:" + _file_hash(path)}
    return LoadedSplit(examples, labelled=source.labelled, provenance=provenance)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=64)
def _folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(_file_hash(path).encode())
    return "sha256:" + digest.hexdigest()


def _describe(provenance: dict[str, Any]) -> str:
    keys = ("dataset", "config", "hub_split", "filter", "path")
    return ", ".join(f"{k}={provenance[k]}" for k in keys if provenance.get(k))
