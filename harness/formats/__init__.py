"""Task formats: HOW a kind of task is featurized, headed, decoded and scored.

The registry is light (no torch import) so that `harness suites show` stays fast; the format
classes load on first use.
"""

from __future__ import annotations

import importlib

from harness.formats.base import Format
from harness.tasks.spec import FormatName

# format -> "module:Class"; a new format is one module plus one line here.
_REGISTRY: dict[FormatName, str] = {
    FormatName.classification: "harness.formats.classification:Classification",
    FormatName.multiple_choice: "harness.formats.multiple_choice:MultipleChoice",
    FormatName.tagging: "harness.formats.tagging:Tagging",
    FormatName.extractive_qa: "harness.formats.extractive_qa:ExtractiveQA",
}


def is_supported(name: FormatName) -> bool:
    # retrieval runs through its own protocols (formats/retrieval.py), not a Format class
    return name in _REGISTRY or name is FormatName.retrieval


def get_format(name: FormatName) -> Format:
    if name not in _REGISTRY:
        raise KeyError(f"format {name.value} is not implemented yet")
    module, cls = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), cls)()


__all__ = ["Format", "get_format", "is_supported"]
