"""Turn raw rows into canonical examples with a source's field templates and label map."""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from typing import Any

from harness.errors import HarnessError
from harness.tasks.spec import FieldTemplate

_FORMATTER = string.Formatter()
TARGETS = ("label", "tags", "answers")  # the gold fields of the formats


def template_columns(templates: Iterable[FieldTemplate]) -> list[str]:
    """The raw columns that a set of field templates reads, in first-use order."""
    columns: list[str] = []
    for template in templates:
        for part in (template,) if isinstance(template, str) else template:
            for _, name, _, _ in _FORMATTER.parse(part):
                # "{endings[0]}" and "{choices[text][0]}" read the columns endings and choices
                column = name.split("[", 1)[0].split(".", 1)[0] if name else name
                if column and column not in columns:
                    columns.append(column)
    return columns


@functools.lru_cache(maxsize=256)
def _bare_column(template: str) -> str | None:
    """The column name when the template is exactly "{column}", else None (parsed once per template)."""
    parsed = list(_FORMATTER.parse(template))
    if len(parsed) == 1 and parsed[0][0] == "" and parsed[0][1] and not parsed[0][2] and not parsed[0][3]:
        name = parsed[0][1]
        return None if "[" in name or "." in name else name  # an index is rendered by format()
    return None


def _render(template: str, row: Mapping[str, Any]) -> Any:
    column = _bare_column(template)
    # Exactly "{column}": pass the raw value (token lists, answer dicts, ints) through unchanged.
    return row[column] if column is not None else template.format_map(row)


def map_row(
    row: Mapping[str, Any],
    fields: Mapping[str, FieldTemplate],
    label_map: Mapping[str, str] | None,
    labelled: bool,
    where: str,
) -> dict[str, Any]:
    """Render one raw row into canonical fields; labels become strings (mapped when a map is given).

    Gold fields (label, tags, answers) are None when the source is unlabelled, whatever it holds.
    """
    try:
        example = {
            name: _render(t, row) if isinstance(t, str) else [_render(x, row) for x in t]
            for name, t in fields.items()
            if name != "label" and (labelled or name not in TARGETS)
        }
    except KeyError as exc:
        raise HarnessError(f"{where}: row has no field {exc}; fields present: {', '.join(row)}") from None
    example.update({name: None for name in TARGETS if name in fields and not labelled})
    example["label"] = None
    if labelled and "label" in fields:
        raw = str(_render(fields["label"], row)).strip()
        if label_map is not None:
            if raw not in label_map:
                raise HarnessError(f'{where}: label "{raw}" is not one of {", ".join(label_map)}')
            raw = label_map[raw]
        example["label"] = raw
    return example
