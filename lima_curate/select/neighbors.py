"""Blocked cosine search over unit vectors, never materialising an N×N matrix.

Every function works on float32 row blocks: at most ``block × block`` similarities
exist at a time (64 MiB at the default 4096), whatever the number of rows. Exact
search is quadratic in time: comparing N rows with M rows costs N·M·d multiply-adds
(hours on two cores for 1M × 1M × 384); the faiss walk of :mod:`lima_curate.select.leader`
trades exactness for speed at that scale.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np

DEFAULT_BLOCK = 4096


def single_threaded_blas() -> "contextlib.AbstractContextManager[object]":
    """One BLAS thread, for loops of many small products (greedy picks, k-means++ seeding):
    extra threads only add hand-over cost there, up to 10× slower on two busy cores.
    A no-op without threadpoolctl (which comes with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def blocks(count: int, block: int = DEFAULT_BLOCK) -> Iterator[slice]:
    """Consecutive slices of at most ``block`` items covering ``range(count)``."""
    if block < 1:
        raise ValueError("block must be at least 1")
    for start in range(0, count, block):
        yield slice(start, min(start + block, count))


def as_unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as a C-contiguous float32 2-d array (no copy when it already is one)."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-d array of vectors, got shape {array.shape}")
    return array


def product(left: np.ndarray, right: np.ndarray, scratch: "np.ndarray | None" = None) -> np.ndarray:
    """``left @ right.T``, written into ``scratch`` (a flat float32 buffer) when it is big
    enough: reusing one buffer avoids page-faulting a fresh 64 MiB array for every block."""
    shape = (left.shape[0], right.shape[0])
    if scratch is None or scratch.size < shape[0] * shape[1]:
        return left @ right.T
    out = scratch[: shape[0] * shape[1]].reshape(shape)
    np.matmul(left, right.T, out=out)
    return out


def scratch_for(block: int) -> np.ndarray:
    """A flat float32 buffer for one ``block × block`` product."""
    return np.empty(block * block, dtype=np.float32)


def best_matches(
    queries: np.ndarray,
    corpus: np.ndarray,
    *,
    corpus_rows: "np.ndarray | None" = None,
    block: int = DEFAULT_BLOCK,
    scratch: "np.ndarray | None" = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the most similar corpus row: ``(index, cosine)``.

    ``corpus_rows`` restricts the search to those rows of ``corpus`` (gathered one
    block at a time); indices returned are rows of ``corpus``. On equal similarity the
    earlier candidate (in ``corpus_rows`` order) wins. With no candidates the index is
    -1 and the similarity -inf. ``scratch``: see :func:`product`.
    """
    queries, corpus = as_unit_rows(queries), as_unit_rows(corpus)
    best = np.full(len(queries), -np.inf, dtype=np.float32)
    where = np.full(len(queries), -1, dtype=np.int64)
    candidates = np.arange(len(corpus)) if corpus_rows is None else np.asarray(corpus_rows, dtype=np.int64)
    if not len(queries) or not len(candidates):
        return where, best
    for columns in blocks(len(candidates), block):
        ids = candidates[columns]
        part = corpus[ids] if corpus_rows is not None else corpus[columns]
        for rows in blocks(len(queries), block):
            sims = product(queries[rows], part, scratch)
            top = sims.argmax(axis=1)
            value = sims[np.arange(len(top)), top]
            better = value > best[rows]
            best[rows] = np.where(better, value, best[rows])
            where[rows] = np.where(better, ids[top], where[rows])
    return where, best
