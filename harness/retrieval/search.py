"""Exact top-k inner-product search in fixed memory, for mining and retrieval over large embedding sets.

The similarity matrix of n_queries x n_index rows is never built: queries are walked in chunks of
`query_chunk` rows and, for each, the index in chunks of `index_chunk` rows, so at most one
`query_chunk x index_chunk` block of similarities exists at a time, next to running
`query_chunk x k` top-k buffers. Memory therefore depends on the chunk sizes and k only, not on the
sizes of the two sets (the inputs and the `n_queries x k` result aside).
"""

from __future__ import annotations

import torch


def search(
    queries: torch.Tensor,
    index: torch.Tensor,
    k: int,
    *,
    query_chunk: int = 2048,
    index_chunk: int = 8192,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k inner products of every query row against every index row (cosine for unit rows).

    Returns `(scores, ids)` on the CPU: float32 scores and int64 index row ids, both of shape
    `[n_queries, min(k, n_index)]`, best first. The work runs on `queries.device`; the index is moved
    there one chunk at a time, so it may stay on the CPU while the queries are on a GPU. Both inputs
    share one floating dtype (float16/bfloat16 on a GPU, float32, float64); products are accumulated at
    that precision and only the scores returned are float32. Bad shapes, dtypes, k or chunk sizes, and
    an empty index, raise ValueError.

    Ties: equal scores keep the lower index row first. This is exact among the candidates that reach
    a chunk's top-k; when more rows tie at the k-th place of one index chunk than fit in k, which of
    them `torch.topk` keeps is up to torch (for k == 1, `torch.max` keeps the first, so k == 1 is exact).

    >>> index = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> scores, ids = search(torch.tensor([[1.0, 0.0], [0.6, 0.8]]), index, k=2, index_chunk=2)
    >>> ids.tolist()
    [[0, 2], [1, 0]]
    >>> scores.tolist()
    [[1.0, 1.0], [0.800000011920929, 0.6000000238418579]]
    """
    _validate(queries, index, k, query_chunk, index_chunk)
    n_queries, n_index = queries.shape[0], index.shape[0]
    k = min(k, n_index)
    scores = torch.empty(n_queries, k, dtype=torch.float32)
    ids = torch.empty(n_queries, k, dtype=torch.int64)
    with torch.inference_mode():
        for q_start in range(0, n_queries, query_chunk):
            q = queries[q_start : q_start + query_chunk]
            best_scores, best_ids = _top_k_of_index(q, index, k, index_chunk)
            scores[q_start : q_start + query_chunk] = best_scores.float().cpu()
            ids[q_start : q_start + query_chunk] = best_ids.cpu()
    return scores, ids


def _top_k_of_index(
    q: torch.Tensor, index: torch.Tensor, k: int, index_chunk: int
) -> tuple[torch.Tensor, torch.Tensor]:
    # Invariant: the running buffers are sorted by (score desc, id asc) and hold only ids of earlier
    # chunks, so every id in them is below every id of the chunk being merged.
    best_scores, best_ids = _chunk_top_k(q, index, 0, k, index_chunk)
    for i_start in range(index_chunk, index.shape[0], index_chunk):
        chunk_scores, chunk_ids = _chunk_top_k(q, index, i_start, k, index_chunk)
        merged_scores = torch.cat([best_scores, chunk_scores], dim=1)
        merged_ids = torch.cat([best_ids, chunk_ids], dim=1)
        # Stable: on equal scores the earlier (lower-id) running candidates stay in front.
        order = merged_scores.sort(dim=1, descending=True, stable=True).indices[:, :k]
        best_scores, best_ids = merged_scores.gather(1, order), merged_ids.gather(1, order)
    return best_scores, best_ids


def _chunk_top_k(
    q: torch.Tensor, index: torch.Tensor, i_start: int, k: int, index_chunk: int
) -> tuple[torch.Tensor, torch.Tensor]:
    # The similarity block is local to this call, so it is freed before the next one is computed.
    block = q @ index[i_start : i_start + index_chunk].to(q.device).T
    if k == 1:
        # torch.max returns the first maximal position, i.e. the lowest id among ties.
        scores, pos = block.max(dim=1, keepdim=True)
    else:
        scores, pos = _sorted_top_k(block, min(k, block.shape[1]))
    return scores, pos + i_start


def _sorted_top_k(block: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    # torch.topk may return tied items in any order; sorting by position, then stable-sorting by
    # score descending, orders the kept items by (score desc, position asc).
    top_scores, top_pos = block.topk(k, dim=1)
    top_pos, by_pos = top_pos.sort(dim=1)
    top_scores = top_scores.gather(1, by_pos)
    by_score = top_scores.sort(dim=1, descending=True, stable=True).indices
    return top_scores.gather(1, by_score), top_pos.gather(1, by_score)


def _validate(queries: torch.Tensor, index: torch.Tensor, k: int, query_chunk: int, index_chunk: int) -> None:
    if queries.dim() != 2 or index.dim() != 2:
        raise ValueError(
            f"queries and index must be 2-D [rows, features]; got shapes {tuple(queries.shape)} "
            f"and {tuple(index.shape)}"
        )
    if queries.shape[1] != index.shape[1]:
        raise ValueError(f"queries have {queries.shape[1]} features but index rows have {index.shape[1]}")
    if queries.dtype != index.dtype or not queries.dtype.is_floating_point:
        raise ValueError(
            f"queries and index must share one floating-point dtype; got {queries.dtype} and {index.dtype}"
        )
    if index.shape[0] == 0:
        raise ValueError("the index is empty: there is nothing to search")
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    if query_chunk < 1 or index_chunk < 1:
        raise ValueError(
            f"chunk sizes must be >= 1; got query_chunk={query_chunk}, index_chunk={index_chunk}"
        )
