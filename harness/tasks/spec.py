"""Declarative task specs: where each split's data lives and how a raw row maps to a canonical example.

A task is data: this module holds only the types. Behaviour (featurizing, heads, decoding) lives in
`harness.formats`; loading lives in `harness.data`. Nothing here imports the rest of the harness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal


class FormatName(str, Enum):
    """How a kind of task is featurized, headed and decoded (one module per value in `formats/`)."""

    classification = "classification"
    multiple_choice = "multiple_choice"
    tagging = "tagging"
    extractive_qa = "extractive_qa"
    retrieval = "retrieval"


# A field template is a str.format pattern over the raw row ("{premise} What was the {question}?"),
# or a tuple of them (multiple choice: one per choice). A template that is exactly one "{column}"
# passes the raw value through unchanged (token lists, answer dicts, integer labels).
FieldTemplate = str | tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class HubSource:
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
    fields: Mapping[str, FieldTemplate]
    label_map: Mapping[str, str] | None = None  # raw label text -> task label


@dataclass(frozen=True, kw_only=True)
class DownloadSource:
    """A file in the layout `scripts/download_data.sh` of google-research/xtreme produces.

    `path` is relative to the download directory and may contain `{lang}`. `tsv` files hold one
    example per line, have no header and are split on tabs without quote handling, as the reference
    reads them; `columns` names their columns. `jsonl` holds one JSON object per line; `conll`
    one `token[\ttag]` per line with blank lines between sentences; `json` a SQuAD-style file;
    `mentions` Mewsli-X's JSON lines of a context with its mentions (one row per mention).
    """

    path: str
    layout: Literal["tsv", "jsonl", "conll", "json", "mentions"] = "tsv"
    columns: tuple[str, ...] = ()
    # False where the reference strips the test labels (XNLI) or overwrites them (XCOPA sets 0):
    # such labels must never be scored.
    labelled: bool = True
    fields: Mapping[str, FieldTemplate]
    label_map: Mapping[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class Split:
    """One named split of a task, loadable from the hub or from a download/ directory."""

    hub: HubSource | None = None
    download: DownloadSource | None = None
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
    # Retrieval tasks: which protocol of harness.formats.retrieval runs them.
    protocol: Literal["", "bitext_mining", "translation_search", "entity_linking", "answer_retrieval"] = ""

    @property
    def main_metric(self) -> str:
        return self.metrics[0]
