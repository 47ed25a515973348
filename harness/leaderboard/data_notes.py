"""Protocol notes for submissions whose data differ from the reference's (results.json divergences)."""

from __future__ import annotations

from collections import Counter

from harness.leaderboard.safe import text
from harness.leaderboard.submissions import Submission


def data_note(sub: Submission) -> str | None:
    """One line: how many (task, split, language) sets differ from the reference's data, and how."""
    notes = [(name, note) for name, task in sub.results.tasks.items() for note in task.divergences]
    if not notes:
        return None
    sets = {(name, n.split, n.language) for name, n in notes}
    tasks = sorted({name for name, _ in notes})
    # the kind of each note is the word before its first colon: rows, answers, labels, tokens, ...
    kinds = Counter(n.note.split(":", 1)[0] for _, n in notes)
    how = ", ".join(f"{kind} ({count})" for kind, count in sorted(kinds.items()))
    return (
        f"- {text(sub.card.name)}: the data read differs from the reference's in {len(sets)} "
        f"(task, split, language) sets of {', '.join(tasks)}: {text(how)}; its results.json lists each "
        "(`tasks.<task>.divergences`, docs/data.md)."
    )


def data_notes(subs: list[Submission]) -> list[str]:
    lines = [line for sub in subs if (line := data_note(sub)) is not None]
    return ["Data notes:", "", *lines, ""] if lines else []
