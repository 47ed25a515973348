"""Retrieval metrics as the reference scores them: BUCC F1 over pairs, Mewsli-X MRR@k."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def bucc_f1(gold: Iterable[str], predicted: Iterable[str]) -> dict[str, float]:
    """Precision, recall and F1 (0-100) of predicted `src_id<TAB>en_id` pairs against the gold pairs.

    Pairs are compared as sets (duplicates count once); no correct pair gives 0 for all three.

    >>> bucc_f1(["de-1\\ten-7", "de-2\\ten-9"], ["de-1\\ten-7", "de-3\\ten-4"])
    {'f1': 50.0, 'precision': 50.0, 'recall': 50.0}
    """
    gold_pairs = {tuple(line.split("\t")) for line in gold}
    predicted_pairs = {tuple(line.split("\t")) for line in predicted}
    correct = len(gold_pairs & predicted_pairs)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision = correct / len(predicted_pairs)
    recall = correct / len(gold_pairs)
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


def mrr_at_k(gold: Mapping[str, Sequence[str]], predicted: Mapping[str, Sequence[str]], k: int = 20) -> float:
    """Mean reciprocal rank (0-100) of each example's single gold id within its first k predictions.

    The mean runs over the GOLD examples: a missing prediction scores 0, extra ones are ignored
    (utils_mewslix.evaluate; evaluate.py reports it as map@20, which equals MRR with one gold id).

    >>> mrr_at_k({"a": ["Q1"], "b": ["Q2"], "c": ["Q3"]}, {"a": ["Q1", "Q5"], "b": ["Q9", "Q2"]})
    50.0
    """
    ranks = reciprocal_ranks(gold, predicted, k)
    return (sum(ranks) / len(ranks) if ranks else 0.0) * 100


def reciprocal_ranks(
    gold: Mapping[str, Sequence[str]], predicted: Mapping[str, Sequence[str]], k: int = 20
) -> list[float]:
    """1 / rank of each gold example's id within its first k predictions (0 when absent), gold order."""
    ranks = []
    for example, labels in gold.items():
        target = labels[0].strip()
        candidates = list(predicted.get(example, []))[:k]
        ranks.append(next((1.0 / rank for rank, c in enumerate(candidates, start=1) if c == target), 0.0))
    return ranks


def average_precision_at_k(relevant: set[str], ranked: Sequence[str], k: int = 20) -> float:
    """AP@k of one query (0-1): precision at each relevant hit in the first k, over min(|relevant|, k).

    >>> average_precision_at_k({"a", "c"}, ["a", "b", "c", "d"], k=20)  # (1/1 + 2/3) / 2
    0.8333333333333333
    """
    score, hits = 0.0, 0.0
    top = list(ranked[:k])
    for i, candidate in enumerate(top):
        if candidate in relevant and candidate not in top[:i]:
            hits += 1.0
            score += hits / (i + 1.0)
    return score / min(len(relevant), k)


def map_at_k(
    relevant: Mapping[str, Sequence[str]], ranked: Mapping[str, Sequence[str]], k: int = 20
) -> float:
    """mAP@k (0-100) over the queries of `relevant`; a query without a ranking scores 0.

    LAReQA (utils_lareqa.mean_avg_prec_at_k): every query has one or more relevant candidates,
    one per language whose paragraph holds the answer.

    >>> map_at_k({"q1": ["a", "c"], "q2": ["z"]}, {"q1": ["a", "b", "c"]})
    41.666666666666664
    """
    scores = average_precisions(relevant, ranked, k)
    return (sum(scores) / len(scores) if scores else 0.0) * 100


def average_precisions(
    relevant: Mapping[str, Sequence[str]], ranked: Mapping[str, Sequence[str]], k: int = 20
) -> list[float]:
    """AP@k of each query of `relevant`, in its order (0 for a query without a ranking)."""
    return [
        average_precision_at_k(set(targets), ranked.get(query, []), k) for query, targets in relevant.items()
    ]


def best_threshold(scored: Sequence[tuple[str, float]], gold: set[str]) -> float:
    """The mining threshold that maximises F1 on gold pairs (LASER's bucc_optimize, as XTREME uses).

    Candidates are taken best score first; where F1 peaks, the threshold is the midpoint between
    that score and the next one (or that score itself when it is the last candidate). Pairs with
    score >= threshold are kept.

    >>> best_threshold([("p1", 0.9), ("p2", 0.8), ("x", 0.5), ("y", 0.45), ("p3", 0.4)], {"p1", "p2", "p3"})
    0.65
    """
    items = sorted(scored, key=lambda item: -item[1])
    best_f1, threshold = 0.0, items[0][1] if items else 0.0
    correct = 0
    for i, (pair, score) in enumerate(items):
        correct += pair in gold
        if correct == 0:
            continue
        precision, recall = correct / (i + 1), correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    return threshold
