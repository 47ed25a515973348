"""BUCC bitext mining with the ratio margin (Artetxe & Schwenk 2019), as XTREME's utils_retrieve.py.

Both sides are de-duplicated by sentence text and embedded; each sentence's k nearest neighbours on
the other side (cosine) give its mean neighbourhood similarity; a candidate pair scores
cos(x, y) / ((mean_k(x) + mean_k(y)) / 2). Every source sentence's best target and every target
sentence's best source (the "max" mode) are pooled, sorted by score and accepted greedily, each
sentence at most once, when the score is above 0. Sentences that occur under several ids are dropped
when pairs are mapped back to ids (spec 3.9, step 4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from harness.retrieval.search import search

Embed = Callable[[list[str]], torch.Tensor]


def _unique(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def margin_candidates(source: torch.Tensor, target: torch.Tensor, k: int) -> list[tuple[int, int, float]]:
    """(source row, target row, margin score) pairs mined in both directions, greedy, score > 0."""
    k_source, k_target = min(k, len(target)), min(k, len(source))
    fwd_scores, fwd_ids = search(source, target, k_source)  # [n_source, k]
    bwd_scores, bwd_ids = search(target, source, k_target)
    source_mean, target_mean = fwd_scores.mean(dim=1), bwd_scores.mean(dim=1)
    # margin of every neighbour, then the best neighbour per sentence
    fwd_margin = fwd_scores / ((source_mean[:, None] + target_mean[fwd_ids]) / 2)
    bwd_margin = bwd_scores / ((target_mean[:, None] + source_mean[bwd_ids]) / 2)
    fwd_best = fwd_margin.argmax(dim=1)
    bwd_best = bwd_margin.argmax(dim=1)
    rows = torch.arange(len(source))
    cols = torch.arange(len(target))
    pairs = [
        *zip(
            rows.tolist(), fwd_ids[rows, fwd_best].tolist(), fwd_margin[rows, fwd_best].tolist(), strict=True
        ),
        *zip(
            bwd_ids[cols, bwd_best].tolist(), cols.tolist(), bwd_margin[cols, bwd_best].tolist(), strict=True
        ),
    ]
    # stable sort: equal scores keep forward candidates first, then by position
    pairs.sort(key=lambda pair: -pair[2])
    seen_source: set[int] = set()
    seen_target: set[int] = set()
    accepted = []
    for s, t, score in pairs:
        if s in seen_source or t in seen_target:
            continue
        seen_source.add(s)
        seen_target.add(t)
        if score > 0:
            accepted.append((s, t, score))
    return accepted


def mine(
    source_ids: Sequence[str],
    source_texts: Sequence[str],
    target_ids: Sequence[str],
    target_texts: Sequence[str],
    embed: Embed,
    k: int = 4,
) -> list[tuple[str, float]]:
    """Candidate `source_id<TAB>target_id` pairs with their margin scores, best first."""
    sources, targets = _unique(source_texts), _unique(target_texts)
    pairs = margin_candidates(embed(sources), embed(targets), k)
    source_of = _single_ids(source_ids, source_texts)
    target_of = _single_ids(target_ids, target_texts)
    scored: dict[str, float] = {}
    for s, t, score in pairs:
        source_id, target_id = source_of.get(sources[s]), target_of.get(targets[t])
        if source_id is None or target_id is None:
            continue  # a sentence found under several ids cannot be attributed
        key = f"{source_id}\t{target_id}"
        scored[key] = max(score, scored.get(key, score))
    return sorted(scored.items(), key=lambda item: -item[1])


def _single_ids(ids: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    owners: dict[str, list[str]] = {}
    for identifier, text in zip(ids, texts, strict=True):
        owners.setdefault(text, []).append(identifier)
    return {text: found[0] for text, found in owners.items() if len(found) == 1}
