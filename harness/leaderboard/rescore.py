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

from harness.data import DataOptions, SplitReader
from harness.errors import HarnessError
from harness.formats import get_format, is_supported, prediction_file, score_files
from harness.leaderboard.predictions import ARCHIVE, extract
from harness.leaderboard.submissions import Submission
from harness.suites import Suite
from harness.tasks import TASKS


def _gold(
    name: str, suite: Suite, data: DataOptions, languages: list[str], folder: Path
) -> dict[str, list[str]]:
    """Write the gold files of a task; return the divergences of each language's test split."""
    spec, entry = TASKS[name], suite.tasks[name]
    folder.mkdir(parents=True, exist_ok=True)
    reader = SplitReader(spec, data)
    for lang, text in get_format(spec.format).gold_files(reader, entry, languages).items():
        (folder / prediction_file(spec, lang)).write_text(text, encoding="utf-8")
    return {lang: reader.load(entry.splits.test, lang).divergences for lang in languages}


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
            if not task.runs or name not in suite.tasks or not is_supported(TASKS[name].format):
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
    spec, problems = TASKS[name], []
    for run in runs:
        for lang, recorded in run.scores.items():
            label = labels / prediction_file(spec, lang)
            prediction = predictions / f"seed-{run.seed}" / name / prediction_file(spec, lang)
            if not label.is_file() or not prediction.is_file():
                missing = "gold labels" if not label.is_file() else "predictions"
                problems.append(f"{sub.folder}: task {name} seed {run.seed} {lang}: no {missing} to rescore")
                continue
            try:
                scored = score_files(spec, list(recorded), prediction, label, lang)
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
