"""Task formats: HOW a kind of task runs, scores and writes its files. One registry for all of them.

The registry is light (no torch import) so that `harness suites show` stays fast; the format
classes load on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from harness.formats.base import Format
from harness.tasks.spec import FormatName, TaskSpec

# format -> "module:Class"; a new format is one module plus one line here.
_REGISTRY: dict[FormatName, str] = {
    FormatName.classification: "harness.formats.classification:Classification",
    FormatName.multiple_choice: "harness.formats.multiple_choice:MultipleChoice",
    FormatName.tagging: "harness.formats.tagging:Tagging",
    FormatName.extractive_qa: "harness.formats.extractive_qa:ExtractiveQA",
    FormatName.translation_search: "harness.formats.bitext:TranslationSearch",
    FormatName.bitext_mining: "harness.formats.bitext:BitextMining",
    FormatName.entity_linking: "harness.formats.dual_encoders:EntityLinking",
    FormatName.answer_retrieval: "harness.formats.dual_encoders:AnswerRetrieval",
}


def is_supported(name: FormatName) -> bool:
    """Whether this version implements the format (a task of another format is reported, not run)."""
    return name in _REGISTRY


def get_format(name: FormatName) -> Format:
    if name not in _REGISTRY:
        raise KeyError(f"format {name.value} is not implemented yet")
    module, cls = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def prediction_file(spec: TaskSpec, lang: str) -> str:
    """The leaderboard file of one language's predictions (and gold): test-{lang}.{suffix} (spec 4)."""
    return f"test-{lang}.{get_format(spec.format).prediction_suffix}"


def score_files(
    spec: TaskSpec, metrics: Sequence[str], prediction_file: Path, label_file: Path, lang: str
) -> dict[str, float]:
    """Score one language's prediction file against its gold file, with the format's own scorer (the
    one `harness eval` scores with in memory). A file that cannot be right is an error, never a 0."""
    fmt = get_format(spec.format)
    predictions = fmt.read_predictions(prediction_file, spec)
    gold = fmt.read_labels(label_file, spec)
    fmt.check_pairs(predictions, gold, prediction_file, label_file)
    return fmt.score(predictions, gold, metrics, spec, lang)


__all__ = ["Format", "get_format", "is_supported", "prediction_file", "score_files"]
