"""What the leaderboard shows: the built-in suites, the readable submissions and the baselines, with
what `harness leaderboard check` says of each submission. Every output (LEADERBOARD.md, the plots,
the web site) is rendered from one Board, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.languages import groups_of
from harness.leaderboard.baselines import Baseline, load_baselines
from harness.leaderboard.submissions import Submission, load_submission
from harness.leaderboard.verify import protocol_notes, refusals
from harness.results.schema import GroupKind
from harness.suites import Suite, builtin_suites, load_suite

# The published baselines every submission is compared with, per suite.
REFERENCES = {
    "xtreme": (("Δ XLM-R Large", "xtreme__xlm-r-large"), ("Δ X-STILTs", "xtreme__x-stilts")),
    "xtreme-r": (("Δ XLM-R Large", "xtreme-r__xlm-r-large"),),
    "xglue": (("Δ Unicoder", "xglue__unicoder"),),
}


@dataclass
class Board:
    root: Path
    suites: dict[str, Suite]
    submissions: list[Submission]
    baselines: dict[str, Baseline]
    problems: list[str] = field(default_factory=list)  # submissions that could not be read
    refused: dict[str, list[str]] = field(default_factory=dict)  # submission -> why it is not published
    notes: dict[str, list[str]] = field(default_factory=dict)  # submission -> its non-standard protocol

    def published(self, suite: str) -> list[Submission]:
        """The submissions of a suite that `harness leaderboard check` accepts: nothing else is shown."""
        return [s for s in self.submissions if s.results.suite.name == suite and s.name not in self.refused]

    def suite_baselines(self, suite: str) -> dict[str, Baseline]:
        """The suite's baselines by file stem, in file-name order."""
        return {k: b for k, b in sorted(self.baselines.items()) if b.suite == suite}

    def references(self, suite: str) -> list[tuple[str, Baseline | None]]:
        """(column label, baseline) of the published results each entry is compared with."""
        return [(label, self.baselines.get(key)) for label, key in REFERENCES.get(suite, ())]

    def ranked(self, suite: str) -> list[Submission]:
        """The complete entries, best score first (then by name), on the suite's protocol or not."""
        return sorted(
            (s for s in self.published(suite) if complete(s)),
            key=lambda s: (-(s.results.overall.score or 0), s.name),
        )

    def standard(self, sub: Submission) -> bool:
        """On the suite's protocol: no declared override, the suite's precision, the reference's data."""
        return not self.notes.get(sub.name)


def complete(sub: Submission) -> bool:
    return sub.results.status == "complete" and sub.results.overall.score is not None


def load_board(root: Path) -> Board:
    suites = {name: load_suite(str(path)) for name, path in builtin_suites().items()}
    order = ["xtreme", "xtreme-r", *sorted(s for s in suites if s not in ("xtreme", "xtreme-r"))]
    suites = {name: suites[name] for name in order if name in suites}
    board = Board(
        root, suites, [], load_baselines(root / "baselines") if (root / "baselines").is_dir() else {}
    )
    folder = root / "submissions"
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file() and path.name in ("README.md", ".gitkeep"):
            continue  # a hidden folder is not skipped: it would be a submission nobody sees
        try:
            sub = load_submission(path)
        except HarnessError as exc:
            board.problems.append(str(exc))
            continue
        board.submissions.append(sub)
        suite = suites.get(sub.results.suite.name)
        problems = refusals(sub, suite)
        if problems:
            board.refused[sub.name] = problems
        elif suite is not None:
            board.notes[sub.name] = protocol_notes(sub, suite)
    return board


def group_columns(suite: Suite, kind: GroupKind) -> dict[str, int]:
    """The groups of one kind among the suite's languages, with their number of languages: resource
    classes from 5 (most resources) down, other kinds largest first, then by name."""
    sizes: dict[str, int] = {}
    for lang in dict.fromkeys(lang for entry in suite.tasks.values() for lang in entry.languages):
        group = groups_of(lang).get(kind)
        if group is not None:
            sizes[group] = sizes.get(group, 0) + 1
    by_size = sorted(sizes, key=lambda g: (-sizes[g], g))
    return {g: sizes[g] for g in (sorted(sizes, reverse=True) if kind == "resource" else by_size)}
