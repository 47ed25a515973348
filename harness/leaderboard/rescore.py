"""`harness leaderboard check --rescore`: a submission's scores must follow from its predictions.

The gold labels come from the suite's own sources (pinned hub commits, or the releases in the data
folder), never from the submission; each seed's predictions are scored with `harness score`'s
scorers and every recorded per-language score must be what they give. A test split whose data
differ from the reference's must carry those divergences in results.json.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from harness.data import DataOptions, load_split
from harness.errors import HarnessError
from harness.formats import get_format
from harness.formats.retrieval import GOLD
from harness.leaderboard.predictions import ARCHIVE, extract
from harness.leaderboard.submissions import Submission
from harness.scoring import SCORERS
from harness.suites import Suite
from harness.tasks import TASKS, FormatName


def _gold(
    name: str, suite: Suite, data: DataOptions, languages: list[str], folder: Path
) -> dict[str, list[str]]:
    """Write the gold files of a task; return the divergences of each language's test split."""
    spec, entry = TASKS[name], suite.tasks[name]
    folder.mkdir(parents=True, exist_ok=True)
    suffix = SCORERS[name].suffix
    divergences: dict[str, list[str]] = {}

    def load(split: str, lang: str = "en") -> list[dict]:
        loaded = load_split(spec, split, lang, data)
        if split == entry.splits.test:
            divergences[lang] = loaded.divergences
        return loaded.examples

    if spec.format is FormatName.retrieval:
        texts = GOLD[spec.protocol](load, spec, entry, languages, data)
    else:
        fmt, texts = get_format(spec.format), {}
        for lang in languages:
            loaded = load_split(spec, entry.splits.test, lang, data)
            divergences[lang] = loaded.divergences
            if loaded.labelled:
                texts[lang] = fmt.write_labels(loaded.examples, spec)
    for lang, text in texts.items():
        (folder / f"test-{lang}.{suffix}").write_text(text, encoding="utf-8")
    return divergences


def rescore(sub: Submission, suite: Suite, data: DataOptions) -> list[str]:
    """One line per recorded score that the predictions do not give (or that cannot be checked)."""
    where, results, problems = sub.folder, sub.results, []
    with tempfile.TemporaryDirectory(prefix="harness-rescore-") as tmp:
        predictions, labels = Path(tmp) / "predictions", Path(tmp) / "labels"
        try:
            extract(sub.folder / ARCHIVE, predictions)
        except HarnessError as exc:
            return [str(exc)]
        for name, task in results.tasks.items():
            if not task.runs or name not in suite.tasks or name not in SCORERS:
                continue
            languages = sorted({lang for run in task.runs for lang in run.scores})
            try:
                divergences = _gold(name, suite, data, languages, labels / name)
            except HarnessError as exc:
                problems.append(f"{where}: task {name}: cannot read its gold labels to rescore: {exc}")
                continue
            recorded = {(n.split, n.language, n.note) for n in task.divergences}
            for lang, notes in divergences.items():
                missing = [n for n in notes if (suite.tasks[name].splits.test, lang, n) not in recorded]
                if missing:
                    problems.append(f"{where}: task {name} {lang}: divergence not recorded: {missing[0]}")
            problems += _compare(sub, name, task.runs, predictions, labels / name)
    return problems


def _compare(sub: Submission, name: str, runs: list, predictions: Path, labels: Path) -> list[str]:
    scorer, problems = SCORERS[name], []
    for run in runs:
        for lang, recorded in run.scores.items():
            label = labels / f"test-{lang}.{scorer.suffix}"
            prediction = predictions / f"seed-{run.seed}" / name / f"test-{lang}.{scorer.suffix}"
            if not label.is_file() or not prediction.is_file():
                missing = "gold labels" if not label.is_file() else "predictions"
                problems.append(f"{sub.folder}: task {name} seed {run.seed} {lang}: no {missing} to rescore")
                continue
            try:
                scored = scorer.score(prediction, label, lang)
            except HarnessError as exc:
                problems.append(f"{sub.folder}: task {name} seed {run.seed} {lang}: {exc}")
                continue
            for metric, value in recorded.items():
                if metric in scored and not math.isclose(scored[metric], value, rel_tol=0, abs_tol=1e-9):
                    problems.append(
                        f"{sub.folder}: task {name} seed {run.seed} {lang}: {metric} {value!r} is recorded, "
                        f"its predictions score {scored[metric]!r}"
                    )
    return problems
