"""nDCG as XGLUE scores Web Page Ranking (WPR).

microsoft/XGLUE evaluation/xglue_evaluate.py (`simple_ndcg`, commit dc5bf71) groups the rows of a
language file into queries (a new query starts wherever the query text differs from the previous
row's), skips queries with fewer than two pages, scores each query with scikit-learn's
`ndcg_score(y_true=[labels], y_score=[predictions])` and averages over queries. scikit-learn's
defaults make that: no cutoff (every page of the query counts), linear gain (the 0-4 relevance
grade itself, not 2^grade - 1), discount 1 / log2(rank + 1), and tied scores share the mean gain of
their tie group; a query whose pages are all graded 0 scores 0. The predictions XGLUE scores are
the predicted grades (0-4), so ties are common and their treatment matters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def dcg(gains: Sequence[float], scores: Sequence[float]) -> float:
    """Discounted cumulative gain of the ranking by `scores`, tied scores averaged.

    Pages are ranked by score, highest first; a run of equal scores occupies consecutive ranks and
    each page in it earns the run's mean gain (scikit-learn's `_tie_averaged_dcg`).

    >>> dcg([0, 1], [1, 0])  # the relevant page is second: 1 / log2(3)
    0.6309297535714575
    >>> dcg([2, 0], [1, 1])  # tied: mean gain 1 at ranks 1 and 2
    1.6309297535714575
    """
    if len(gains) != len(scores):
        raise ValueError(f"{len(scores)} scores for {len(gains)} gains")
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    total, rank = 0.0, 0
    while rank < len(order):
        end = rank
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[rank]]:
            end += 1
        tied = order[rank : end + 1]
        mean_gain = sum(gains[i] for i in tied) / len(tied)
        total += mean_gain * sum(1 / math.log2(r + 2) for r in range(rank, end + 1))
        rank = end + 1
    return total


def query_ndcg(gains: Sequence[float], scores: Sequence[float]) -> float:
    """nDCG of one query (0-1): DCG over the DCG of the pages sorted by gain; 0 if no page is relevant.

    >>> query_ndcg([3, 2, 0], [0.9, 0.5, 0.1])
    1.0
    >>> query_ndcg([0, 0], [1, 0])
    0.0
    """
    ideal = dcg(gains, gains)
    return dcg(gains, scores) / ideal if ideal > 0 else 0.0


def query_runs(queries: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) of each run of consecutive equal queries, as xglue_evaluate.py's `load_data` groups.

    >>> query_runs(["a", "a", "b", "a"])
    [(0, 2), (2, 3), (3, 4)]
    """
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(queries) + 1):
        if i == len(queries) or queries[i] != queries[start]:
            runs.append((start, i))
            start = i
    return runs


def query_ndcgs(gains: Sequence[float], scores: Sequence[float], queries: Sequence[str]) -> list[float]:
    """nDCG (0-1) of every query with at least two pages, in order of appearance."""
    if not len(gains) == len(scores) == len(queries):
        raise ValueError(f"{len(gains)} gains, {len(scores)} scores and {len(queries)} query keys")
    return [
        query_ndcg(gains[start:end], scores[start:end])
        for start, end in query_runs(queries)
        if end - start >= 2  # xglue_evaluate.py skips single-page queries
    ]


def ndcg(gains: Sequence[float], scores: Sequence[float], queries: Sequence[str]) -> float:
    """Mean nDCG over the queries with at least two pages (0-100).

    >>> ndcg([0, 1, 2, 1, 0, 3], [1, 0, 0, 1, 2, 0], ["q1", "q1", "q2", "q2", "q2", "q3"])
    62.54179934277616
    """
    values = query_ndcgs(gains, scores, queries)
    if not values:
        raise ValueError("nDCG needs at least one query with two or more pages")
    return sum(values) / len(values) * 100
