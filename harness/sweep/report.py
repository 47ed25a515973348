"""The sweep's report, sweep.md: a comparison table (markdown) and plots (score vs steps;
sequential vs multi-task)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from harness.results.table import num

HEADERS = [
    "model",
    "intermediate",
    "mode",
    "steps",
    "peft",
    "score",
    "status",
    "trainable",
    "adapter",
    "train ex/s",
    "predict ex/s",
]


@dataclass(frozen=True)
class SweepReport:
    rows: list[dict[str, Any]]  # one per cell, as in sweep.json
    note: str  # what the score and the efficiency columns are
    table: str  # markdown
    plots: list[Path]
    path: Path  # sweep.md


def write_report(name: str, tasks: list[str], rows: list[dict[str, Any]], folder: Path) -> SweepReport:
    """sweep.md in `folder`: the note, the table and links to the plots written beside it.

    `tasks` are the target tasks the cells were evaluated on (their mean is a cell's score)."""
    text = table(rows)
    written = plots(rows, folder)
    links = "\n".join(f"![{p.stem}]({p.name})" for p in written)
    note = (
        f"score: mean of the task scores over {', '.join(tasks)} (none when a task is incomplete); "
        "trainable: parameters updated in target fine-tuning; ex/s: measured throughput."
    )
    path = folder / "sweep.md"
    path.write_text(f"# Sweep {name}\n\n{note}\n\n{text}\n\n{links}\n", encoding="utf-8")
    return SweepReport(rows, note, text, written, path)


def table(rows: list[dict[str, Any]]) -> str:
    """Accuracy next to efficiency, one line per cell; an incomplete cell shows no score."""
    lines = []
    for row in rows:
        complete = row["status"] == "complete" or row["status"] == "smoke"
        lines.append(
            [
                row["model"],
                row["intermediate"],
                row["mode"],
                "—" if row["steps"] is None else str(row["steps"]),
                row["peft"],
                num(row["score"]) if complete else "—",
                row["status"],
                num(row["trainable_parameters"], ",d"),
                "—" if row["adapter_bytes"] is None else f"{row['adapter_bytes'] / 2**20:.2f} MiB",
                num(row["train_examples_per_second"]),
                num(row["predict_examples_per_second"]),
            ]
        )
    return tabulate(lines, headers=HEADERS, tablefmt="github")


def plots(rows: list[dict[str, Any]], folder: Path) -> list[Path]:
    """score_vs_steps.png (one line per model, intermediate tasks, mode and PEFT) and, when the
    sweep has both modes, modes.png (sequential vs multi-task, side by side)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    written = []
    usable = [r for r in rows if r["score"] is not None and r["status"] in ("complete", "smoke")]
    lines: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for r in usable:
        if r["steps"] is not None:
            lines[f"{r['model']} {r['intermediate']} {r['mode']} {r['peft']}"].append(
                (r["steps"], r["score"])
            )
    if lines:
        figure, axes = plt.subplots(figsize=(7, 4))
        for label, points in sorted(lines.items()):
            points.sort()
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        baselines = [r for r in usable if r["intermediate"] == "—"]
        for r in baselines:
            axes.axhline(
                r["score"], linestyle="--", linewidth=1, label=f"{r['model']} {r['peft']}, no intermediate"
            )
        axes.set_xlabel("intermediate training steps")
        axes.set_ylabel("score (the sweep's tasks)")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(fontsize=7)
        figure.tight_layout()
        path = folder / "score_vs_steps.png"
        figure.savefig(path, dpi=120, metadata={"Software": None})
        plt.close(figure)
        written.append(path)
    pairs: dict[str, dict[str, float]] = defaultdict(dict)
    for r in usable:
        if r["mode"] in ("sequential", "multitask") and "+" in r["intermediate"]:
            key = f"{r['model']} {r['intermediate']} {r['steps'] or ''} {r['peft']}".strip()
            pairs[key][r["mode"]] = r["score"]
    pairs = {k: v for k, v in pairs.items() if len(v) == 2}
    if pairs:
        figure, axes = plt.subplots(figsize=(7, 4))
        labels = sorted(pairs)
        xs = range(len(labels))
        axes.bar(
            [x - 0.2 for x in xs], [pairs[k]["sequential"] for k in labels], width=0.4, label="sequential"
        )
        axes.bar(
            [x + 0.2 for x in xs], [pairs[k]["multitask"] for k in labels], width=0.4, label="multi-task"
        )
        axes.set_xticks(list(xs), labels, rotation=20, ha="right", fontsize=7)
        axes.set_ylabel("score (the sweep's tasks)")
        axes.legend()
        figure.tight_layout()
        path = folder / "modes.png"
        figure.savefig(path, dpi=120, metadata={"Software": None})
        plt.close(figure)
        written.append(path)
    return written
