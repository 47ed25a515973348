"""A plain-text score table (tabulate), for the score-table artifact and any non-terminal use."""

from __future__ import annotations

from tabulate import tabulate

from harness.results.schema import Results, Spread


def num(value: float | None, spec: str = ".1f") -> str:
    """A number as every table of the harness shows it; — for a missing one (never 0 or blank).

    >>> num(60.0), num(None), num(2.5, "+.1f"), num(1234567, ",d")
    ('60.0', '—', '+2.5', '1,234,567')
    """
    return "—" if value is None else format(value, spec)


def _cell(value: float | None, spread: Spread | None = None) -> str:
    if value is not None and spread is not None and spread.ci95 is not None:
        low, high = spread.ci95
        return f"{num(value)} ± {num((high - low) / 2)}"
    return num(value)


def score_table(results: Results) -> str:
    """Per-task and per-language main-metric scores (mean ± half the 95% interval), then the groups."""
    rows = []
    for task in results.tasks.values():
        metric = task.metrics[0]
        languages = " ".join(
            f"{lang}:{_cell(task.scores[lang].get(metric), task.spread.get(lang, {}).get(metric))}"
            for lang in task.languages
            if lang in task.scores
        )
        rows.append(
            [
                task.name,
                task.status,
                metric,
                _cell(task.averages.get(metric), task.average_spread.get(metric)),
                _cell(task.score),
                languages,
            ]
        )
    # disable_numparse: scores as printed ("60.0", not "60"), aligned as text
    headers = ["task", "status", "metric", "average", "score", "per language"]
    table = tabulate(rows, headers=headers, disable_numparse=True)
    groups = [[name, _cell(group.score)] for name, group in results.categories.items()]
    groups.append(["overall", _cell(results.overall.score)])
    title = f"{results.suite.name} {results.suite.version} / {results.model.id} ({results.status})"
    group_table = tabulate(groups, headers=["group", "score"], disable_numparse=True)
    text = f"{title}\n\n{table}\n\n{group_table}\n"
    by_language = [
        [
            g.kind,
            g.group,
            " ".join(g.languages),
            _cell(g.score) if g.complete else f"— ({len(g.missing)} missing)",
        ]
        for g in results.language_groups
    ]
    if by_language:
        text += "\nBy language group (en, the training language, counts in its groups)\n"
        # disable_numparse: keep "17.0" and the class names "5" as written, not as numbers
        headers = ["kind", "group", "languages", "score"]
        text += f"{tabulate(by_language, headers=headers, disable_numparse=True)}\n"
    speed = speed_rows(results)
    if speed:
        text += f"\n{tabulate(speed, headers=SPEED_HEADERS)}\n"
    return text


SPEED_HEADERS = ["task", "stage", "ex/s", "tokens/s", "padding", "peak MiB", "MFU", "OOM"]


def speed_rows(results: Results) -> list[list[str]]:
    """Measured fine-tuning and prediction speed per task (harness/training/throughput.py)."""
    rows = []
    for task in results.tasks.values():
        for stage, record in task.throughput.items():
            padding = 1 - record.tokens / record.padded_tokens if record.padded_tokens else None
            rows.append(
                [
                    task.name,
                    {"fine_tune": "train"}.get(stage, stage),
                    _rate(record.examples_per_second),
                    _rate(record.tokens_per_second),
                    "—" if padding is None else f"{padding:.0%}",
                    "—" if record.peak_memory_mib is None else f"{record.peak_memory_mib:.0f}",
                    "—" if record.mfu is None else f"{record.mfu:.1%}",
                    str(record.oom_retries),
                ]
            )
    return rows


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"
