"""Declarative task specs: where each split's data lives and how a raw row maps to a canonical example.

A task is data: this module holds only the types. Behaviour (featurizing, heads, decoding) lives in
`harness.formats`; loading lives in `harness.data`. Nothing here imports the rest of the harness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Protocol, TypeVar


class FormatName(str, Enum):
    """How a kind of task runs and scores (one module per value in `formats/`)."""

    classification = "classification"
    multiple_choice = "multiple_choice"
    tagging = "tagging"
    extractive_qa = "extractive_qa"
    # retrieval (spec 3.9-3.12): embeddings of the checkpoint or of a dual encoder trained on English
    bitext_mining = "bitext_mining"  # BUCC 2018
    translation_search = "translation_search"  # Tatoeba
    entity_linking = "entity_linking"  # Mewsli-X
    answer_retrieval = "answer_retrieval"  # LAReQA

    @property
    def retrieval(self) -> bool:
        """Whether tasks of this format retrieve by embedding (and take a suite's retrieval options)."""
        return self in _RETRIEVAL


_RETRIEVAL = {
    FormatName.bitext_mining,
    FormatName.translation_search,
    FormatName.entity_linking,
    FormatName.answer_retrieval,
}


# A field template is a str.format pattern over the raw row ("{premise} What was the {question}?"),
# or a tuple of them (multiple choice: one per choice). A template that is exactly one "{column}"
# passes the raw value through unchanged (token lists, answer dicts, integer labels).
FieldTemplate = str | tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Divergence:
    """A known difference between a source and the reference's data (docs/data.md).

    Recorded with every split read from the source, for the languages it names (None: all). Hub
    divergences describe the pinned hub revision; a local copy given by `path:` in a suite is
    checked as it is read instead.
    """

    text: str
    languages: frozenset[str] | None = None

    def applies(self, lang: str) -> bool:
        return self.languages is None or lang in self.languages


@dataclass(frozen=True, kw_only=True)
class _Source:
    """What every source has: how raw rows become canonical fields, and which languages it holds."""

    fields: Mapping[str, FieldTemplate]
    label_map: Mapping[str, str] | None = None  # raw label text -> task label
    languages: frozenset[str] | None = None  # the languages it holds; None: every language
    divergences: tuple[Divergence, ...] = ()

    def covers(self, lang: str) -> bool:
        return self.languages is None or lang in self.languages


@dataclass(frozen=True, kw_only=True)
class HubSource(_Source):
    """A split of a Hugging Face hub dataset. The suite pins the revision of `dataset`.

    `config`, `split`, `data_dir` and `filter_value` may contain `{lang}` (ISO 639-1), `{name}` (English
    language name) or `{code}` (the task's own code for the language, from `TaskSpec.codes`).
    """

    dataset: str
    config: str | None = None
    split: str
    data_dir: str | None = None
    filter_column: str | None = None  # keep rows whose column equals (or starts with) filter_value
    filter_value: str | None = None
    filter_prefix: bool = False


@dataclass(frozen=True, kw_only=True)
class FileSource(_Source):
    """Files of a published release, read from the user's data folder (`--data-dir`).

    `release` names an entry of `harness.tasks.releases.RELEASES` (where to get it, its licence and
    the folder names it is looked for under); `xtreme-download` is the layout that
    `scripts/download_data.sh` of google-research/xtreme writes. `path` is relative to the release's
    folder and may contain `{lang}`, `{name}` and `{code}` as for hub sources; `layout` names the
    reader (`harness.data.layouts.LAYOUTS`), `columns` the columns of headerless TSV files and
    `options` the reader's settings (templated like `path`).
    """

    release: str
    path: str
    layout: str
    columns: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)
    # False where the files hold no usable gold (the reference strips XNLI test labels, blanks
    # XQuAD answers, sets every XCOPA test label to 0): such splits are predicted, never scored.
    labelled: bool = True


Source = HubSource | FileSource


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Named = TypeVar("Named", bound=_Named)


def registry(kind: str, *items: Named) -> dict[str, Named]:
    """A name -> item table that refuses a name given twice (tasks, releases)."""
    table: dict[str, Named] = {}
    for item in items:
        if item.name in table:
            raise ValueError(f"duplicate {kind} name in the registry: {item.name}")
        table[item.name] = item
    return table


def codes(text: str) -> frozenset[str]:
    """A set of language codes written as one space-separated string: `codes("lt pl uk")`."""
    return frozenset(text.split())


def download(path: str, *, layout: str = "tsv", **kw: Any) -> FileSource:
    """A file of the XTREME download/ layout (google-research/xtreme scripts/download_data.sh)."""
    return FileSource(release="xtreme-download", path=path, layout=layout, **kw)


@dataclass(frozen=True, kw_only=True)
class Split:
    """One named split of a task and the sources that hold it, in order of preference.

    The order follows one rule (docs/data.md): the reference's own files (its download/ layout, or
    the original release read as its scripts read it) first, the pinned hub copy next, files without
    gold labels last. A run reads the first source that holds the language and is present.
    """

    sources: tuple[Source, ...]
    per_language: bool = True  # False for English-only splits (training data, English dev)
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    """Everything intrinsic to a task: format, metrics, labels and where its splits live.

    Which splits play which role, the languages, hyperparameters and seeds are the suite's business.
    """

    name: str
    title: str
    citation: str
    format: FormatName
    metrics: tuple[str, ...]  # the first is the main metric
    splits: Mapping[str, Split]
    labels: tuple[str, ...] = ()  # classification and multiple-choice label vocabulary, in head order
    codes: Mapping[str, str] = field(default_factory=dict)  # language -> the dataset's own code
    # QA answer normalisation before EM/F1: SQuAD v1.1's (English rules for every language) or
    # MLQA's language-aware one (spec sections 5.3, 5.4).
    answer_normalization: Literal["squad", "mlqa"] = "squad"
