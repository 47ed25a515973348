"""PNG plots next to LEADERBOARD.md: a per-language heatmap and delta-vs-baseline bars.

A plot's file name carries a hash of the data it shows, so `leaderboard check` knows a plot is
current without comparing image bytes (which vary between matplotlib versions).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from harness.leaderboard.baselines import Baseline, baseline_task_score
from harness.leaderboard.submissions import Submission
from harness.suites import Suite


@dataclass(frozen=True)
class Plot:
    kind: Literal["heatmap", "deltas"]
    stem: str  # e.g. xtreme__org__model
    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...] = field(default=())

    @property
    def filename(self) -> str:
        payload = json.dumps([self.kind, self.title, self.rows, self.columns, self.values])
        return f"{self.stem}__{self.kind}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}.png"


def plots_for(sub: Submission, suite: Suite, refs: list[tuple[str, Baseline | None]]) -> list[Plot]:
    """A submission's plots: its main metric per task and language, and per task its difference from
    each reference baseline that publishes a comparable number."""
    stem = f"{suite.name}__{sub.name}"
    tasks = [t for t in suite.tasks if t in sub.results.tasks and sub.results.tasks[t].scores]
    if not tasks:
        return []
    languages = sorted({lang for t in tasks for lang in suite.tasks[t].languages})
    values = tuple(
        tuple(sub.results.tasks[t].scores.get(lang, {}).get(suite.tasks[t].metrics[0]) for lang in languages)
        for t in tasks
    )
    title = f"{sub.card.name}: main metric per language"
    plots = [Plot("heatmap", stem, title, tuple(tasks), tuple(languages), values)]
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


def draw(plot: Plot, folder: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    path = folder / plot.filename
    folder.mkdir(parents=True, exist_ok=True)
    data = np.array([[np.nan if v is None else v for v in row] for row in plot.values], dtype=float)
    if plot.kind == "heatmap":
        figure, axes = plt.subplots(
            figsize=(max(4, 0.45 * len(plot.columns) + 2), 0.5 * len(plot.rows) + 1.5)
        )
        image = axes.imshow(data, cmap="viridis", vmin=0, vmax=100, aspect="auto")
        axes.set_xticks(range(len(plot.columns)), plot.columns, rotation=90, fontsize=8)
        axes.set_yticks(range(len(plot.rows)), plot.rows, fontsize=8)
        figure.colorbar(image, ax=axes, fraction=0.03)
    else:
        figure, axes = plt.subplots(figsize=(max(4, 0.6 * len(plot.columns) + 2), 3))
        deltas = data[0]
        axes.bar(
            range(len(plot.columns)),
            np.nan_to_num(deltas),
            color=["tab:green" if d >= 0 else "tab:red" for d in np.nan_to_num(deltas)],
        )
        axes.axhline(0, color="black", linewidth=0.8)
        axes.set_xticks(range(len(plot.columns)), plot.columns, rotation=45, fontsize=8)
        axes.set_ylabel("points")
    axes.set_title(plot.title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})  # no version stamp in the file
    plt.close(figure)
    return path
