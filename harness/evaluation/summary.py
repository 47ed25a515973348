"""A task's scores from its seed runs: means over seeds, averages over languages, and their spread."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from harness.evaluation.store import Stats
from harness.results import SeedRun, Spread
from harness.results.aggregate import language_average, mean_over_seeds, missing_languages, task_score
from harness.results.stats import interval, replicates, seed_std
from harness.suites import TaskEntry


@dataclass
class Summary:
    scores: dict[str, dict[str, float]]
    averages: dict[str, float | None]
    missing: list[str]
    score: float | None
    spread: dict[str, dict[str, Spread]]
    average_spread: dict[str, Spread]


def bootstrap_rng(task: str, lang: str, metric: str) -> np.random.Generator:
    """One fixed stream per (task, language, metric): the same results give the same interval,
    whichever other languages or tasks ran."""
    digest = hashlib.sha256(f"{task}|{lang}|{metric}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def summarize(task: str, entry: TaskEntry, runs: list[SeedRun], stats: list[Stats]) -> Summary:
    """Aggregate seed runs; `stats[i]` holds run i's per-example statistics for the bootstrap."""
    scores = mean_over_seeds([run.scores for run in runs])
    averages = {m: language_average(scores, entry.languages, m) for m in entry.metrics}
    spread: dict[str, dict[str, Spread]] = {}
    samples: dict[str, dict[str, np.ndarray]] = {}  # metric -> language -> bootstrap replicates
    for lang, metrics in scores.items():
        spread[lang] = {}
        for metric, mean in metrics.items():
            per_seed = [run.scores[lang][metric] for run in runs if metric in run.scores.get(lang, {})]
            found = [s[lang][metric] for s in stats if metric in s.get(lang, {})]
            ci = None
            if len(found) == len(runs) and len({kind for kind, _ in found}) == 1:
                rng = bootstrap_rng(task, lang, metric)
                replicated = replicates(found[0][0], [values for _, values in found], rng)
                samples.setdefault(metric, {})[lang] = replicated
                ci = interval(replicated)
            spread[lang][metric] = Spread(mean=mean, std=seed_std(per_seed), ci95=ci)
    average_spread: dict[str, Spread] = {}
    for metric, average in averages.items():
        if average is None:
            continue
        per_seed = [language_average(run.scores, entry.languages, metric) for run in runs]
        by_lang = samples.get(metric, {})
        ci = None
        if all(lang in by_lang for lang in entry.languages):
            ci = interval(np.mean([by_lang[lang] for lang in entry.languages], axis=0))
        average_spread[metric] = Spread(
            mean=average, std=seed_std([v for v in per_seed if v is not None]), ci95=ci
        )
    return Summary(
        scores=scores,
        averages=averages,
        missing=missing_languages(scores, entry.languages, entry.metrics[0]),
        score=task_score(averages, entry.score),
        spread=spread,
        average_spread=average_spread,
    )
