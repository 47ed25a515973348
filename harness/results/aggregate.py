"""Aggregation, as evaluate.py does it: language -> task -> category -> overall.

Pure functions over plain dicts. Averages are unweighted means over the FULL language list in the
suite's order; a missing language leaves the task average undefined (None), never a smaller mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.results.schema import Throughput

Scores = Mapping[str, Mapping[str, float]]  # language -> metric -> value


def mean(values: Sequence[float]) -> float:
    """sum / n in the given order (the reference's arithmetic, so floats match exactly)."""
    if not values:
        raise ValueError("mean of nothing")
    return sum(values) / len(values)


def missing_languages(scores: Scores, languages: Sequence[str], metric: str) -> list[str]:
    return [lang for lang in languages if metric not in scores.get(lang, {})]


def language_average(scores: Scores, languages: Sequence[str], metric: str) -> float | None:
    """Mean of one metric over the full language list; None if any language lacks it.

    >>> language_average({"de": {"accuracy": 50.0}, "fr": {"accuracy": 70.0}}, ["de", "fr"], "accuracy")
    60.0
    >>> language_average({"de": {"accuracy": 50.0}}, ["de", "fr"], "accuracy") is None
    True
    """
    if missing_languages(scores, languages, metric):
        return None
    return mean([scores[lang][metric] for lang in languages])


def task_score(averages: Mapping[str, float | None], score_metrics: Sequence[str]) -> float | None:
    """The number a task contributes to aggregates: the mean of its score metrics' averages.

    QA tasks list [exact_match, f1], giving (avg_EM + avg_F1) / 2 as evaluate.py's avg_metric.

    >>> task_score({"exact_match": 60.0, "f1": 70.0}, ["exact_match", "f1"])
    65.0
    """
    values = [averages.get(m) for m in score_metrics]
    if any(v is None for v in values):
        return None
    return mean([v for v in values if v is not None])


def group_score(task_scores: Mapping[str, float | None], tasks: Sequence[str]) -> float | None:
    """Mean of the given tasks' scores (a category, or the overall score); None if any is missing.

    >>> group_score({"xnli": 80.0, "pawsx": 90.0}, ["pawsx", "xnli"])
    85.0
    >>> group_score({"xnli": 80.0, "pawsx": None}, ["pawsx", "xnli"]) is None
    True
    """
    values = [task_scores.get(t) for t in tasks]
    if not values or any(v is None for v in values):
        return None
    return mean([v for v in values if v is not None])


def mean_over_seeds(per_seed: Sequence[Scores]) -> dict[str, dict[str, float]]:
    """Per language and metric, the mean over the seeds that have it (all seeds score all languages).

    >>> mean_over_seeds([{"de": {"accuracy": 50.0}}, {"de": {"accuracy": 60.0}}])
    {'de': {'accuracy': 55.0}}
    """
    merged: dict[str, dict[str, list[float]]] = {}
    for scores in per_seed:
        for lang, metrics in scores.items():
            for metric, value in metrics.items():
                merged.setdefault(lang, {}).setdefault(metric, []).append(value)
    return {lang: {m: mean(v) for m, v in metrics.items()} for lang, metrics in merged.items()}


def combine_throughput(records: list[Throughput]) -> Throughput | None:
    """Several stages' speed as one: totals over summed time; peak memory is the largest peak."""
    if not records:
        return None
    seconds = sum(r.seconds for r in records)
    examples, tokens = sum(r.examples for r in records), sum(r.tokens for r in records)

    def weighted(values: list[tuple[float | None, float]]) -> float | None:
        known = [(v, s) for v, s in values if v is not None]
        if not known or len(known) < len(values):
            return None  # a rate over part of the time would overstate or understate the whole
        return round(sum(v * s for v, s in known) / seconds, 4) if seconds else None

    return Throughput(
        examples=examples,
        tokens=tokens,
        padded_tokens=sum(r.padded_tokens for r in records),
        seconds=round(seconds, 6),
        examples_per_second=round(examples / seconds, 3) if seconds and examples else None,
        tokens_per_second=round(tokens / seconds, 3) if seconds and tokens else None,
        peak_memory_mib=max(
            (r.peak_memory_mib for r in records if r.peak_memory_mib is not None), default=None
        ),
        model_tflops=weighted([(r.model_tflops, r.seconds) for r in records]),
        mfu=weighted([(r.mfu, r.seconds) for r in records]),
        oom_retries=sum(r.oom_retries for r in records),
        processes=max(r.processes for r in records),
    )
