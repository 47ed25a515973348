"""LEADERBOARD.md from submissions/ and baselines/: deterministic (same inputs, same bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.languages import groups_of
from harness.leaderboard.baselines import Baseline, load_baselines
from harness.leaderboard.plots import Plot, draw
from harness.leaderboard.safe import link, text
from harness.leaderboard.submissions import Submission, load_submission
from harness.leaderboard.verify import protocol_notes, refusals
from harness.results.language_groups import by_kind, language_groups
from harness.results.schema import GroupKind
from harness.suites import Suite, builtin_suites, load_suite

PLOTS = "leaderboard"  # folder of the plots, next to LEADERBOARD.md
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


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def baseline_task_score(baseline: Baseline, suite: Suite, task: str) -> float | None:
    """As the suite scores the task (QA: mean of EM and F1), only when every needed number is published."""
    if task not in suite.tasks or task not in baseline.tasks:
        return None
    values = [baseline.metric(task, m) for m in suite.tasks[task].score]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None) / len(values)


def baseline_overall(baseline: Baseline, suite: Suite) -> float | None:
    scores = [baseline_task_score(baseline, suite, t) for t in suite.tasks]
    return None if any(s is None for s in scores) else sum(s for s in scores if s is not None) / len(scores)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "l") -> list[str]:
    marks = [":--" if i == 0 or align == "l" else "--:" for i in range(len(header))]
    return [_row(header), _row(marks), *(_row(r) for r in rows)]


def _protocol(sub: Submission) -> str:
    card = sub.card
    steps = [f"{card.finetuning} fine-tuning"]
    if card.intermediate_tasks:
        steps.append("intermediate: " + ", ".join(text(t.name) for t in card.intermediate_tasks))
    steps.append("translate-train" if card.translate_train else "zero-shot")
    steps.append(sub.results.run.precision)  # fp32 as the reference, or bf16 autocast
    return "; ".join(steps)


def _complete(sub: Submission) -> bool:
    return sub.results.status == "complete" and sub.results.overall.score is not None


def render(board: Board) -> tuple[str, list[Plot]]:
    lines = [
        "# Leaderboard",
        "",
        "Zero-shot cross-lingual transfer: fine-tuned on English, selected on English dev, tested in",
        "every language. Generated by `harness leaderboard build` from `submissions/` and `baselines/`;",
        "do not edit by hand (`harness leaderboard check` fails on a stale file). Published numbers are",
        "as their sources give them (see `baselines/`); — means not published or not found, never a guess.",
        "",
    ]
    plots: list[Plot] = []
    for name, suite in board.suites.items():
        section, suite_plots = _suite_section(board, name, suite)
        lines += section
        plots += suite_plots
    lines += _how_to_submit()
    return "\n".join(lines) + "\n", plots


def _suite_section(board: Board, name: str, suite: Suite) -> tuple[list[str], list[Plot]]:
    subs = board.published(name)
    bases = {k: b for k, b in board.baselines.items() if b.suite == name}
    if not subs and not bases:
        return [], []
    tasks = list(suite.tasks)
    refs = [(label, board.baselines.get(key)) for label, key in REFERENCES.get(name, ())]
    # XGLUE scores its QA task by F1 alone: name the (EM + F1) / 2 rule only where a suite uses it
    em_f1 = any(sorted(e.score) == ["exact_match", "f1"] for e in suite.tasks.values())
    lines = [
        f"## {text(suite.title)}",
        "",
        f"Suite `{name}` {text(suite.version)}, `{suite.content_hash()[:19]}`. "
        f"{len(tasks)} tasks; task score = mean over the task's full language list"
        f"{' (QA: (EM + F1) / 2)' if em_f1 else ''}; "
        "suite score = mean of the task scores.",
        "",
    ]
    ranked = sorted(
        (s for s in subs if _complete(s)), key=lambda s: (-(s.results.overall.score or 0), s.name)
    )
    complete = [s for s in ranked if not board.notes.get(s.name)]
    nonstandard = [s for s in ranked if board.notes.get(s.name)]
    lines += ["### Ranking (complete submissions, the suite's protocol)", ""]
    if complete:
        header = [
            "#",
            "model",
            "score",
            *suite.categories,
            *(label for label, _ in refs),
            "seeds",
            "protocol",
        ]
        rows = []
        for rank, sub in enumerate(complete, start=1):
            score = sub.results.overall.score
            deltas = [
                _num(
                    None
                    if base is None or (o := baseline_overall(base, suite)) is None or score is None
                    else score - o,
                    signed=True,
                )
                for _, base in refs
            ]
            seeds = sorted({seed for t in sub.results.tasks.values() for seed in t.seeds})
            rows.append(
                [
                    str(rank),
                    link(sub.card.name, sub.card.link),
                    f"**{_num(score)}**",
                    *(
                        _num(sub.results.categories[c].score) if c in sub.results.categories else "—"
                        for c in suite.categories
                    ),
                    *deltas,
                    ",".join(map(str, seeds)),
                    _protocol(sub),
                ]
            )
        lines += _table(header, rows, align="r")
    elif nonstandard:
        lines.append("No complete submission on the suite's protocol yet.")
    else:
        lines.append("No complete submission yet.")
    lines.append("")
    if nonstandard:
        lines += [
            "### Non-standard protocol (complete, not ranked with the entries above)",
            "",
            *(
                f"- {link(s.card.name, s.card.link)}: **{_num(s.results.overall.score)}**; "
                + "; ".join(text(n) for n in board.notes[s.name])
                for s in nonstandard
            ),
            "",
        ]
    if ranked:
        lines += _by_group(ranked, suite)  # every complete entry, standard or not

    if bases:
        lines += ["### Published baselines", ""]
        header = ["model", *tasks, "score", "sources"]
        rows = []
        for key, base in sorted(bases.items()):
            rows.append(
                [
                    text(base.model),
                    *(_num(baseline_task_score(base, suite, t)) for t in tasks),
                    _num(baseline_overall(base, suite)),
                    f"`baselines/{key}.yaml`",
                ]
            )
        lines += _table(header, rows, align="r")
        notes = [
            f"- {text(base.model)}: {text(note)}" for _, base in sorted(bases.items()) for note in base.notes
        ]
        lines += ["", *notes, ""] if notes else [""]

    if subs:
        lines += ["### Task scores", ""]
        header = ["model", *tasks, "status"]
        rows = [
            [
                link(s.card.name, s.card.link),
                *(_num(s.results.tasks[t].score) if t in s.results.tasks else "—" for t in tasks),
                s.results.status,
            ]
            for s in subs
        ]
        for label, base in refs:
            if base is None:
                continue
            for sub in subs:
                rows.append(
                    [
                        f"{link(sub.card.name, sub.card.link)} {label}",
                        *(_delta(sub, base, suite, t) for t in tasks),
                        "",
                    ]
                )
        lines += _table(header, rows, align="r")
        lines.append("")
        lines += _languages(subs, bases, suite)
        incomplete = [s for s in subs if not _complete(s)]
        if incomplete:
            lines += ["### Incomplete submissions (not ranked)", ""]
            for sub in incomplete:
                missing = [
                    t for t in tasks if sub.results.tasks.get(t) is None or sub.results.tasks[t].score is None
                ]
                lines.append(
                    f"- {link(sub.card.name, sub.card.link)}: {sub.results.status}; "
                    f"no score for {', '.join(missing) or 'the suite'}"
                )
            lines.append("")

    plots = []
    for sub in subs:
        plots += _plots(sub, suite, refs)
    if plots:
        lines += ["### Plots", ""]
        lines += [f"![{text(p.title)}]({PLOTS}/{p.filename})" for p in plots]
        lines.append("")
    return lines, plots


_GROUP_TABLES: tuple[tuple[GroupKind, str], ...] = (
    ("resource", "Resource class (Joshi et al. 2020: 0 the Left-Behinds ... 5 the Winners)"),
    ("family", "Language family (Glottolog 5.1)"),
)


def _by_group(complete: list[Submission], suite: Suite) -> list[str]:
    """Complete submissions by resource class and by family: the mean over tasks of each task's score
    on the group's languages (harness/results/language_groups.py), recomputed from the task scores so
    that results.json files written before the field existed are shown too."""
    languages = list(dict.fromkeys(lang for entry in suite.tasks.values() for lang in entry.languages))
    unclassed = [lang for lang in languages if "resource" not in groups_of(lang)]
    lines = [
        "### By language group (complete submissions)",
        "",
        "Mean over the suite's tasks of each task's score on the group's languages (n: languages of the "
        "suite in the group); English, the training language, counts in its groups. Groups as in "
        "`harness/languages.py`"
        + (f"; in no class column (no unambiguous class): {', '.join(unclassed)}." if unclassed else "."),
        "",
    ]
    scored = {
        sub.name: language_groups(
            list(sub.results.tasks.values()), groups_of, [kind for kind, _ in _GROUP_TABLES]
        )
        for sub in complete
    }
    for kind, title in _GROUP_TABLES:
        sizes: dict[str, int] = {}
        for lang in languages:
            group = groups_of(lang).get(kind)
            if group is not None:
                sizes[group] = sizes.get(group, 0) + 1
        if kind == "resource":
            columns = sorted(sizes, reverse=True)  # 5 (most resources) first
        else:
            columns = sorted(sizes, key=lambda g: (-sizes[g], g))  # largest family first
        rows = []
        for sub in complete:
            mine = by_kind(scored[sub.name], kind)
            rows.append(
                [
                    link(sub.card.name, sub.card.link),
                    *(_num(mine[g].score) if g in mine else "—" for g in columns),
                ]
            )
        header = ["model", *(f"{text(g)} (n={sizes[g]})" for g in columns)]
        lines += [f"**{title}**", "", *_table(header, rows, align="r"), ""]
    return lines[:-1]  # the caller ends the section with its blank line


def _delta(sub: Submission, base: Baseline, suite: Suite, task: str) -> str:
    mine = sub.results.tasks[task].score if task in sub.results.tasks else None
    theirs = baseline_task_score(base, suite, task)
    return _num(None if mine is None or theirs is None else mine - theirs, signed=True)


def _languages(subs: list[Submission], bases: dict[str, Baseline], suite: Suite) -> list[str]:
    lines = ["### Per language", ""]
    for task, entry in suite.tasks.items():
        metric = entry.metrics[0]
        rows = []
        for sub in subs:
            result = sub.results.tasks.get(task)
            if result is None or not result.scores:
                continue
            cells = []
            for lang in entry.languages:
                value = result.scores.get(lang, {}).get(metric)
                spread = result.spread.get(lang, {}).get(metric)
                ci = f" ±{(spread.ci95[1] - spread.ci95[0]) / 2:.1f}" if spread and spread.ci95 else ""
                cells.append(_num(value) + ci if value is not None else "—")
            rows.append([link(sub.card.name, sub.card.link), *cells])
        for _, base in sorted(bases.items()):
            known = base.per_language.get(task, {}).get(metric)
            if known is not None:
                rows.append(
                    [
                        f"{text(base.model)} (published)",
                        *(_num(known.values.get(lang)) for lang in entry.languages),
                    ]
                )
        if rows:
            lines += [
                f"#### {task} ({metric})",
                "",
                *_table(["model", *entry.languages], rows, align="r"),
                "",
            ]
    return lines


def _plots(sub: Submission, suite: Suite, refs: list[tuple[str, Baseline | None]]) -> list[Plot]:
    stem = f"{suite.name}__{sub.name}"
    tasks = [t for t in suite.tasks if t in sub.results.tasks and sub.results.tasks[t].scores]
    if not tasks:
        return []
    languages = sorted({lang for t in tasks for lang in suite.tasks[t].languages})
    values = tuple(
        tuple(sub.results.tasks[t].scores.get(lang, {}).get(suite.tasks[t].metrics[0]) for lang in languages)
        for t in tasks
    )
    plots = [
        Plot(
            "heatmap",
            stem,
            f"{sub.card.name}: main metric per language",
            tuple(tasks),
            tuple(languages),
            values,
        )
    ]
    for label, base in refs:
        if base is None:
            continue
        deltas = []
        for t in tasks:
            theirs = baseline_task_score(base, suite, t)
            mine = sub.results.tasks[t].score
            deltas.append(None if theirs is None or mine is None else round(mine - theirs, 6))
        if any(d is not None for d in deltas):
            plots.append(
                Plot(
                    "deltas",
                    f"{stem}__{label.split()[-1].lower()}",
                    f"{sub.card.name}: {label} per task",
                    ("delta",),
                    tuple(tasks),
                    (tuple(deltas),),
                )
            )
    return plots


def _how_to_submit() -> list[str]:
    return [
        "## How to submit",
        "",
        "1. Evaluate: `harness eval --suite xtreme-r --model YOUR_CHECKPOINT --seeds 1,2,3` (no `--limit`).",
        "2. Describe the model in a `model.yaml` (name, organisation, link, parameters, base_model,",
        "   intermediate_tasks with their data, finetuning full or peft, translate_train, licence, contact).",
        "3. `harness submit harness-results/.../results.json --meta model.yaml` lays out",
        "   `submissions/<org>__<model>/`; then `harness leaderboard build` and `harness leaderboard check`.",
        "4. Open a pull request with the new folder, LEADERBOARD.md and `leaderboard/`; CI runs the same",
        "   check.",
        "",
    ]


def build(root: Path) -> tuple[Path, list[Path], dict[str, list[str]]]:
    """Write LEADERBOARD.md and its plots (removing plots no longer referenced). Submissions that
    `harness leaderboard check` refuses are left out; they are returned with their reasons."""
    board = load_board(root)
    if board.problems:
        raise HarnessError(board.problems[0])
    markdown, plots = render(board)
    target = root / "LEADERBOARD.md"
    target.write_text(markdown, encoding="utf-8")
    folder = root / PLOTS
    written = [draw(plot, folder) for plot in plots]
    keep = {p.filename for p in plots}
    for old in folder.glob("*.png") if folder.is_dir() else []:
        if old.name not in keep:
            old.unlink()
    return target, written, board.refused
