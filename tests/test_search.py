"""Chunked top-k search: exact agreement with brute force, deterministic ties, fixed memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from harness.retrieval.search import search

REPO = Path(__file__).resolve().parents[1]


def _fp16_matmul_on_cpu() -> bool:
    try:
        torch.ones(2, 2, dtype=torch.float16) @ torch.ones(2, 2, dtype=torch.float16)
    except RuntimeError:
        return False
    return True


def _unit_rows(n: int, d: int, generator: torch.Generator) -> torch.Tensor:
    return torch.nn.functional.normalize(torch.randn(n, d, generator=generator), dim=1)


def _ranked(query: list[float], index: list[list[float]]) -> list[int]:
    # Reference order in plain Python: score descending, then index ascending.
    scores = [sum(a * b for a, b in zip(query, row, strict=True)) for row in index]
    return sorted(range(len(index)), key=lambda i: (-scores[i], i))


@pytest.mark.parametrize(
    ("k", "query_chunk", "index_chunk"),
    [
        (5, 64, 97),  # chunk sizes divide neither 300 nor 1000
        (1, 64, 97),  # the torch.max path
        (150, 64, 97),  # k larger than one index chunk
        (5, 300, 1000),  # one block
        (5, 7, 1),  # one index row per chunk
        (1500, 64, 97),  # k > n_index is clipped to n_index
    ],
)
def test_matches_brute_force(k: int, query_chunk: int, index_chunk: int) -> None:
    generator = torch.Generator().manual_seed(0)
    # float64, so that blocks of different shapes round alike and ids can be compared exactly.
    queries = torch.randn(300, 16, generator=generator, dtype=torch.float64)
    index = torch.randn(1000, 16, generator=generator, dtype=torch.float64)
    scores, ids = search(queries, index, k, query_chunk=query_chunk, index_chunk=index_chunk)
    expected_scores, expected_ids = torch.topk(queries @ index.T, min(k, 1000), dim=1)
    assert ids.shape == scores.shape == (300, min(k, 1000))
    assert ids.dtype == torch.int64 and scores.dtype == torch.float32
    assert torch.equal(ids, expected_ids)
    assert torch.equal(scores, expected_scores.float())


def test_empty_queries_give_empty_results() -> None:
    scores, ids = search(torch.empty(0, 4), torch.ones(3, 4), k=2)
    assert scores.shape == ids.shape == (0, 2)


@pytest.mark.parametrize("query_chunk", [1, 2, 5])
@pytest.mark.parametrize("index_chunk", [1, 2, 3, 4, 5, 10])
@pytest.mark.parametrize("k", [1, 3])
def test_duplicate_rows_lower_index_first(k: int, query_chunk: int, index_chunk: int) -> None:
    generator = torch.Generator().manual_seed(1)
    # Small integers: every product is exact, so equal rows give bit-identical scores in any block.
    index = torch.randint(-1, 2, (10, 4), generator=generator).float()
    target = torch.tensor([1.0, 1.0, 1.0, 1.0])
    index[(index == 1).all(dim=1)] = 0.0  # the target occurs only where placed below
    # Duplicates at the end of one chunk and the start of the next for most chunk sizes, and later.
    duplicates = [3, 4, 8]
    index[duplicates] = target
    queries = target.repeat(5, 1)  # score 4 for the duplicates, at most 3 for any other row
    scores, ids = search(queries, index, k, query_chunk=query_chunk, index_chunk=index_chunk)
    assert ids.tolist() == [duplicates[:k]] * 5
    assert scores.tolist() == [[4.0] * k] * 5


@pytest.mark.parametrize("query_chunk", [1, 6, 20])
@pytest.mark.parametrize("index_chunk", [1, 3, 7, 50])
def test_heavy_ties_full_ranking(query_chunk: int, index_chunk: int) -> None:
    # k = n_index: every chunk's top-k is the whole chunk, so ties are broken exactly everywhere.
    generator = torch.Generator().manual_seed(2)
    index = torch.randint(-2, 3, (50, 3), generator=generator).float()
    queries = torch.randint(-2, 3, (20, 3), generator=generator).float()
    _, ids = search(queries, index, 50, query_chunk=query_chunk, index_chunk=index_chunk)
    assert ids.tolist() == [_ranked(q, index.tolist()) for q in queries.tolist()]


@pytest.mark.parametrize("index_chunk", [1, 3, 7, 50])
def test_heavy_ties_top1_is_first_maximum(index_chunk: int) -> None:
    generator = torch.Generator().manual_seed(3)
    index = torch.randint(-2, 3, (50, 3), generator=generator).float()
    queries = torch.randint(-2, 3, (20, 3), generator=generator).float()
    _, ids = search(queries, index, 1, query_chunk=6, index_chunk=index_chunk)
    assert ids[:, 0].tolist() == [_ranked(q, index.tolist())[0] for q in queries.tolist()]


@pytest.mark.skipif(not _fp16_matmul_on_cpu(), reason="this torch build has no float16 matmul on CPU")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_same_ids_as_float32(dtype: torch.dtype) -> None:
    generator = torch.Generator().manual_seed(4)
    index = _unit_rows(500, 16, generator)
    perm = torch.randperm(500, generator=generator)[:100]
    # Noise far below the gap to the nearest other row: the top-1 is clear even at 8 mantissa bits.
    queries = index[perm] + 1e-3 * torch.randn(100, 16, generator=generator)
    scores32, ids32 = search(queries, index, 1, query_chunk=32, index_chunk=97)
    scores16, ids16 = search(queries.to(dtype), index.to(dtype), 1, query_chunk=32, index_chunk=97)
    assert torch.equal(ids32[:, 0], perm)
    assert torch.equal(ids16, ids32)
    assert scores16.dtype == torch.float32
    torch.testing.assert_close(scores16, scores32, atol=2e-2, rtol=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_queries_cpu_index() -> None:
    generator = torch.Generator().manual_seed(5)
    index = _unit_rows(3000, 32, generator)
    queries = index[:200] + 1e-3 * torch.randn(200, 32, generator=generator)
    scores, ids = search(queries.cuda().half(), index.half(), 3, query_chunk=64, index_chunk=1000)
    assert scores.device.type == ids.device.type == "cpu" and scores.dtype == torch.float32
    assert torch.equal(ids[:, 0], torch.arange(200))


@pytest.mark.parametrize(
    ("queries", "index", "kwargs", "message"),
    [
        (torch.ones(4), torch.ones(3, 4), {}, "must be 2-D"),
        (torch.ones(2, 4), torch.ones(3, 4, 1), {}, "must be 2-D"),
        (torch.ones(2, 4), torch.ones(3, 5), {}, "queries have 4 features but index rows have 5"),
        (torch.ones(2, 4), torch.ones(3, 4, dtype=torch.float64), {}, "share one floating-point dtype"),
        (torch.ones(2, 4, dtype=torch.int64), torch.ones(3, 4, dtype=torch.int64), {}, "floating-point"),
        (torch.ones(2, 4), torch.ones(0, 4), {}, "index is empty"),
        (torch.ones(2, 4), torch.ones(3, 4), {"k": 0}, "k must be >= 1"),
        (torch.ones(2, 4), torch.ones(3, 4), {"query_chunk": 0}, "chunk sizes must be >= 1"),
        (torch.ones(2, 4), torch.ones(3, 4), {"index_chunk": 0}, "chunk sizes must be >= 1"),
    ],
)
def test_rejects_bad_input(
    queries: torch.Tensor, index: torch.Tensor, kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        search(queries, index, **{"k": 1, **kwargs})


_N, _DIM = 200_000, 8
_QUERY_CHUNK, _INDEX_CHUNK = 2048, 2048  # a 16 MiB block: fits in cache, fastest on 2 cores

# Run in a fresh interpreter so that the peak resident memory is this search's. Read from /proc, not
# ru_maxrss: a child's ru_maxrss starts at its parent's resident size (Linux carries the pre-exec high-water
# mark over), and the parent here is pytest with torch and transformers loaded.
_LARGE_SEARCH = textwrap.dedent(
    f"""
    import json, time
    import torch
    from harness.retrieval.search import search

    def status_kib(field):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))

    # Warm up first: the first matrix product maps the BLAS kernels and starts the thread pool, which
    # can add a hundred MiB or more of resident memory that has nothing to do with the corpus size.
    search(torch.randn(4096, {_DIM}), torch.randn(4096, {_DIM}), 1, query_chunk={_QUERY_CHUNK},
           index_chunk={_INDEX_CHUNK})
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak (VmHWM) to the current resident size: measure from here
    baseline_kib = status_kib("VmRSS")  # resident now, before the corpus is allocated
    torch.manual_seed(0)
    index = torch.randn({_N}, {_DIM})
    index /= index.norm(dim=1, keepdim=True)
    # Query j is index row perm[j] plus noise far below the closest pair of the 200k random unit rows
    # in 8 dimensions (about 0.04 rad apart), so its top-1 must be perm[j].
    perm = torch.randperm({_N})
    queries = index[perm]
    queries += 1e-3 * torch.randn({_N}, {_DIM})
    start = time.perf_counter()
    _, ids = search(queries, index, 1, query_chunk={_QUERY_CHUNK}, index_chunk={_INDEX_CHUNK})
    seconds = time.perf_counter() - start
    accuracy = (ids[:, 0] == perm).double().mean().item()
    peak_kib = status_kib("VmHWM")  # peak resident since the reset above
    print(json.dumps(dict(baseline_kib=baseline_kib, peak_kib=peak_kib, seconds=seconds, accuracy=accuracy)))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from Linux /proc")
def test_large_search_in_fixed_memory() -> None:
    # One malloc arena: memory a worker thread frees goes back to the pool the measurement sees, so the
    # peak reflects what the search holds, not where the allocator happened to park freed blocks.
    env = {**os.environ, "MALLOC_ARENA_MAX": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _LARGE_SEARCH], cwd=REPO, capture_output=True, text=True, timeout=600, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(done.stdout.splitlines()[-1])
    embeddings = 2 * _N * _DIM * 4  # queries + index, float32
    block = _QUERY_CHUNK * _INDEX_CHUNK * 4  # one block of float32 similarities
    # Slack for what is not the search's own data: the BLAS library's per-call workspace and thread
    # buffers (measured on 2 cores: 35 to 190 MiB over the inputs across runs, independent of N) and
    # generation temporaries.
    bound = embeddings + 8 * block + 128 * 2**20
    full_matrix = _N * _N * 4
    used = (run["peak_kib"] - run["baseline_kib"]) * 1024
    print(
        f"\n{_N} x {_N} x {_DIM}, k=1: {run['seconds']:.1f} s, accuracy {run['accuracy']}, "
        f"baseline {run['baseline_kib'] / 1024:.0f} MiB, peak {run['peak_kib'] / 1024:.0f} MiB, "
        f"used {used / 2**20:.0f} MiB < bound {bound / 2**20:.0f} MiB; full matrix {full_matrix / 1e9:.0f} GB"
    )
    assert run["accuracy"] == 1.0
    assert used < bound
    # The bound is meaningful: the full similarity matrix is hundreds of times larger.
    assert full_matrix > 100 * bound
