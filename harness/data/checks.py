"""Checks of the examples a split yields against the reference's data: never a silent divergence.

Each check returns notes (recorded in the split's provenance, results.json and the leaderboard) and
corrects what has a known cause: an `answer_start` that no longer points at its answer (the hub's
loading script stripped contexts and kept the offsets) is moved to the nearest occurrence of the
answer text.
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.tasks.manifest import expected_rows
from harness.tasks.spec import FormatName, TaskSpec

Example = dict[str, Any]


def row_count(spec: TaskSpec, split: str, lang: str, rows: int) -> list[str]:
    expected = expected_rows(spec.name, split, lang)
    if expected is None or expected[0] == rows:
        return []
    return [f"rows: {rows:,} read, the reference's data has {expected[0]:,} ({expected[1]})"]


def _aligned(context: str, text: str, start: int) -> int | None:
    """`start` if the answer is there, else the start of its nearest occurrence, else None."""
    if context[start : start + len(text)] == text:
        return start
    found, at = [], context.find(text)
    while at != -1 and text:
        found.append(at)
        at = context.find(text, at + 1)
    return min(found, key=lambda s: abs(s - start)) if found else None


def answers(examples: list[Example], where: str) -> list[str]:
    """Re-point answer offsets that miss their text; report those whose text is not in the context.

    A labelled QA split whose answers are all empty is an error: download_data.sh blanks the test
    answers of XQuAD, MLQA and TyDiQA, and such a file must never be scored.
    """
    moved = lost = 0
    blank = bool(examples)
    for example in examples:
        gold = example.get("answers")
        if not gold:
            continue
        texts, starts = list(gold["text"]), list(gold["answer_start"])
        blank = blank and not any(t.strip() for t in texts)
        for i, (text, start) in enumerate(zip(texts, starts, strict=True)):
            if not text:
                continue
            aligned = _aligned(example["context"], text, start)
            if aligned is None:
                lost += 1
            elif aligned != start:
                starts[i] = aligned
                moved += 1
        example["answers"] = {**gold, "text": texts, "answer_start": starts}
    if blank:
        raise HarnessError(
            f"{where}: every answer is empty (download_data.sh blanks test answers); put the original "
            "release in the data folder (docs/data.md)"
        )
    notes = []
    if moved:
        notes.append(
            f"answers: {moved:,} answer_start offsets did not point at their text and were moved to it"
        )
    if lost:
        notes.append(f"answers: {lost:,} answers whose text is not in their context")
    return notes


def labels(spec: TaskSpec, examples: list[Example]) -> list[str]:
    """Count gold labels outside the task's label list (they can never be predicted)."""
    if spec.format is FormatName.tagging:
        bad = sum(
            any(not (0 <= t < len(spec.labels)) if isinstance(t, int) else t not in spec.labels for t in tags)
            for e in examples
            if (tags := e.get("tags")) is not None
        )
    elif spec.format is FormatName.classification and spec.labels:
        bad = sum(e["label"] is not None and e["label"] not in spec.labels for e in examples)
    elif spec.format is FormatName.multiple_choice:
        bad = sum(
            e["label"] is not None and (not e["label"].isdigit() or int(e["label"]) >= len(e["choices"]))
            for e in examples
        )
    else:
        return []
    allowed = ", ".join(spec.labels) if spec.labels else "a choice index"
    return [f"labels: {bad:,} examples with a gold label outside {allowed}"] if bad else []
