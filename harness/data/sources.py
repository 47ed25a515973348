"""Which source a (task, split, language) is read from, and what it is.

A split lists its sources in order of preference (`harness.tasks.spec.Split`). A hub source is a
candidate when the suite pins its dataset (it is then readable from the hub or the datasets cache); a
file source when its files are in the data folder (`--data-dir`, then the suite's own folder). The
first candidate present is read; when none is, the preferred one is named so that the user knows
what to fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.data.layouts import LAYOUTS
from harness.languages import get_language
from harness.suites import Suite
from harness.tasks.releases import HUB_LICENCES, RELEASES
from harness.tasks.spec import FileSource, HubSource, Source, Split, TaskSpec


@dataclass(frozen=True)
class Resolved:
    """A source for one language, with where its files are when it is a file source."""

    source: Source
    present: bool
    files: tuple[Path, ...] = ()  # the files a file source reads (empty when absent)
    folder: Path | None = None  # the release folder they were found in


def kind_of(resolved: Resolved, suite: Suite) -> str:
    """hub, local (a suite's hub-layout folder), download (XTREME's download/ layout) or release."""
    source = resolved.source
    if isinstance(source, HubSource):
        return "local" if suite.datasets[source.dataset].path is not None else "hub"
    return "download" if source.release == "xtreme-download" else "release"


def licence_of(resolved: Resolved) -> str:
    source = resolved.source
    if isinstance(source, HubSource):
        return HUB_LICENCES.get(source.dataset, f"see https://huggingface.co/datasets/{source.dataset}")
    return RELEASES[source.release].licence


def known_divergences(resolved: Resolved, lang: str, suite: Suite) -> list[str]:
    """The source's documented divergences; a hub source's only at the pinned revision (a local
    copy given by `path:` is whatever the user put there, and is checked as it is read)."""
    if kind_of(resolved, suite) == "local":
        return []
    return [d.text for d in resolved.source.divergences if d.applies(lang)]


def fill(template: str | None, spec: TaskSpec, lang: str) -> str | None:
    """A source template with `{lang}`, `{name}` (English name) and `{code}` (the task's code)."""
    if template is None:
        return None
    return template.format(lang=lang, name=get_language(lang).name, code=spec.codes.get(lang, lang))


def fill_options(options: Mapping[str, str], spec: TaskSpec, lang: str) -> dict[str, str]:
    return {key: fill(value, spec, lang) or "" for key, value in options.items()}


def _locate(source: FileSource, spec: TaskSpec, lang: str, folders: list[Path]) -> Resolved:
    layout = LAYOUTS[source.layout]
    relative = fill(source.path, spec, lang) or ""
    options = fill_options(source.options, spec, lang)
    for base in folders:
        for name in RELEASES[source.release].folders:
            folder = base / name if name else base
            files = layout.files(folder / relative if relative else folder, options)
            if files:
                return Resolved(source=source, present=True, files=tuple(files), folder=folder)
    return Resolved(source=source, present=False)


def candidates(spec: TaskSpec, split: Split, lang: str, suite: Suite, folders: list[Path]) -> list[Resolved]:
    """Every source of the split that holds `lang` and this run may read, in order of preference."""
    found = []
    for source in split.sources:
        if not source.covers(lang):
            continue
        if isinstance(source, HubSource):
            if source.dataset in suite.datasets:
                found.append(Resolved(source=source, present=True))
        else:
            found.append(_locate(source, spec, lang, folders))
    return found


def resolve(spec: TaskSpec, split: Split, lang: str, suite: Suite, folders: list[Path]) -> Resolved | None:
    """The source to read: the first present candidate, else the preferred absent one, else None."""
    found = candidates(spec, split, lang, suite, folders)
    return next((c for c in found if c.present), found[0] if found else None)


def describe(resolved: Resolved, spec: TaskSpec, lang: str, suite: Suite) -> str:
    """One line naming the source: `google/xtreme@ec5f1f4 PAWS-X.ko/test`, `paws-x: x-final/...`."""
    source = resolved.source
    if isinstance(source, HubSource):
        pin = suite.datasets[source.dataset]
        at = f"@{pin.revision[:7]}" if pin.revision else f" (local {pin.path})"
        where = "/".join(
            x
            for x in (
                fill(source.config, spec, lang),
                fill(source.data_dir, spec, lang),
                fill(source.split, spec, lang),
            )
            if x
        )
        if source.filter_column:
            op = "^=" if source.filter_prefix else "=="
            where += f" [{source.filter_column}{op}{fill(source.filter_value, spec, lang)}]"
        return f"{source.dataset}{at} {where}"
    release = RELEASES[source.release]
    folder = release.folders[0]
    relative = "/".join(x for x in (folder, fill(source.path, spec, lang)) if x)
    options = fill_options(source.options, spec, lang)
    extra = f" [{', '.join(f'{k}={v}' for k, v in options.items())}]" if options else ""
    return f"{release.name}: {relative or '.'}{extra}"


def fetch_hint(resolved: Resolved, folders: list[Path]) -> str:
    """What to fetch and where to put it, for an absent file source (the same for every language)."""
    source = resolved.source
    assert isinstance(source, FileSource)
    release = RELEASES[source.release]
    where = f"not in {', '.join(str(f) for f in folders)}" if folders else "no data folder given (--data-dir)"
    return f"{where}; {release.title}: {release.obtain} (docs/data.md)"


def missing_hint(resolved: Resolved, spec: TaskSpec, lang: str, folders: list[Path]) -> str:
    """The file that is missing, what to fetch and where to put it."""
    source = resolved.source
    assert isinstance(source, FileSource)
    expected = "/".join(x for x in (RELEASES[source.release].folders[0], fill(source.path, spec, lang)) if x)
    return f"{expected or '.'} is missing: {fetch_hint(resolved, folders)}"
