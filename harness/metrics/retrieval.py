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
    ranks = []
    for example, labels in gold.items():
        target = labels[0].strip()
        candidates = list(predicted.get(example, []))[:k]
        ranks.append(next((1.0 / rank for rank, c in enumerate(candidates, start=1) if c == target), 0.0))
    return (sum(ranks) / len(ranks) if ranks else 0.0) * 100
