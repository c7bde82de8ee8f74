"""The greedy "leader" walk behind near-duplicate removal, exact or through a faiss index.

Rows are visited in ranked ``order`` (best first), in blocks; a row is dropped when a row
kept before it has a prompt (or, when both have one, a response) with cosine >= ``threshold``.
``leader_walk`` compares each block with every kept row (exact, O(N·K·d)); ``ivf_leader_walk``
only with the kept rows in the ``probes`` nearest cells of a faiss ``IndexIVFFlat``
(approximate, for millions of items; on one thread, so deterministic for a seed).
Figures: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lima_curate import progress
from lima_curate.config import ConfigError

from lima_curate.select.neighbors import DEFAULT_BLOCK, best_matches, blocks, product, scratch_for, single_threaded_blas

SEARCHES = ("exact", "ivf")
PROBES = 3  # cells searched per query in the ivf walk
WALK_BLOCK = 2048  # rows per block of the ivf walk: its in-block exact check costs N·block·d
FIT_SAMPLE = 50_000  # rows the ivf cells are fitted on


@dataclass(frozen=True)
class Duplicate:
    """One drop decision: ``dropped`` and ``kept`` are positions in the input list."""

    dropped: int
    kept: int
    rule: str
    similarity: float


def leader_walk(
    prompts: np.ndarray,
    responses: np.ndarray,
    order: np.ndarray,
    has_response: np.ndarray,
    threshold: float,
    block: int = DEFAULT_BLOCK,
) -> list[Duplicate]:
    """Greedy near-duplicate removal along ``order`` (rows of the vector arrays), blocked.

    ``has_response`` is aligned with ``order``. Returns the drops.
    """
    scratch = scratch_for(min(block, len(order)))
    kept_prompts = _ExactKept(prompts, len(order), block, scratch)
    kept_responses = _ExactKept(responses, len(order), block, scratch)
    return _walk(prompts, responses, order, has_response, threshold, block, scratch,
                 kept_prompts, kept_responses)


def ivf_leader_walk(
    prompts: np.ndarray,
    responses: np.ndarray,
    order: np.ndarray,
    has_response: np.ndarray,
    threshold: float,
    *,
    block: int = DEFAULT_BLOCK,
    seed: int = 0,
    probes: int = PROBES,
) -> list[Duplicate]:
    """Approximate :func:`leader_walk` (same arguments, same output) through faiss IVF indexes.

    The walk uses blocks of at most ``WALK_BLOCK`` rows whatever ``block`` says: here the
    exact comparison inside each block is the largest cost.
    """
    if not len(order):
        return []
    try:
        import faiss
    except ImportError:
        raise ConfigError("select.near_duplicate_search: 'ivf' needs faiss: pip install 'lima-curate[ann]' "
                          "(faiss-cpu), or use 'exact'") from None

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # many small searches: extra threads only add hand-over cost
    try:
        with single_threaded_blas():
            block = min(block, WALK_BLOCK)
            scratch = scratch_for(min(block, len(order)))
            kept_prompts = _IvfKept(prompts, order, seed, probes)
            kept_responses = _IvfKept(responses, order[has_response], seed + 1, probes)
            return _walk(prompts, responses, order, has_response, threshold, block, scratch,
                         kept_prompts, kept_responses)
    finally:
        faiss.omp_set_num_threads(threads)


def _walk(prompts: np.ndarray, responses: np.ndarray, order: np.ndarray, has_response: np.ndarray,
          threshold: float, block: int, scratch: np.ndarray, kept_prompts: "_ExactKept | _IvfKept",
          kept_responses: "_ExactKept | _IvfKept") -> list[Duplicate]:
    """The walk itself, block by block, whichever way the kept rows are searched."""
    drops: list[Duplicate] = []
    for part in blocks(len(order), block):
        rows, with_response = order[part], has_response[part]
        p_where, p_best = kept_prompts.search(prompts[rows])
        r_where = np.full(len(rows), -1, dtype=np.int64)
        r_best = np.full(len(rows), -np.inf, dtype=np.float32)
        asking = np.flatnonzero(with_response)  # prompt-only items have no response to compare
        if len(asking):
            r_where[asking], r_best[asking] = kept_responses.search(responses[rows[asking]])
        keep = resolve_block(prompts[rows], responses[rows], rows, with_response,
                             p_where, p_best, r_where, r_best, threshold, scratch=scratch)
        drops += _drops(rows, keep, p_where, p_best, r_where, r_best, threshold)
        kept_prompts.add(rows[keep])
        kept_responses.add(rows[keep & with_response])
        progress.advance(len(rows))  # the open task (the build's dedup step)
    return drops


class _ExactKept:
    """The rows kept so far, compared exactly (:func:`best_matches`)."""

    def __init__(self, vectors: np.ndarray, capacity: int, block: int, scratch: np.ndarray) -> None:
        self.vectors, self.block, self.scratch = vectors, block, scratch
        self.rows = np.empty(capacity, dtype=np.int64)
        self.count = 0

    def search(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return best_matches(queries, self.vectors, corpus_rows=self.rows[: self.count], block=self.block,
                            scratch=self.scratch)

    def add(self, rows: np.ndarray) -> None:
        self.rows[self.count : self.count + len(rows)] = rows
        self.count += len(rows)


class _IvfKept:
    """The rows kept so far, in a faiss IndexIVFFlat (inner product) whose ~√N cells are fitted
    on ``vectors[rows]``; no index when ``rows`` is empty (nothing will be searched or added)."""

    def __init__(self, vectors: np.ndarray, rows: np.ndarray, seed: int, probes: int) -> None:
        import faiss

        self.vectors, self.index = vectors, None
        if not len(rows):
            return
        cells = max(1, int(round(math.sqrt(len(rows)))))
        sample = rows
        if len(rows) > FIT_SAMPLE:
            sample = np.sort(np.random.default_rng(seed).choice(rows, size=FIT_SAMPLE, replace=False))
        self.index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], cells,
                                        faiss.METRIC_INNER_PRODUCT)
        self.index.cp.seed = seed
        self.index.cp.spherical = True
        self.index.cp.min_points_per_centroid = 1  # small pools: no warning, the cells are just coarse
        self.index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
        self.index.nprobe = min(probes, cells)

    def search(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best kept row of each query among its probed cells: ``(row, cosine)``; -1/-inf if none."""
        sims, rows = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), 1)
        where = rows[:, 0].astype(np.int64)
        return where, np.where(where >= 0, sims[:, 0], -np.inf).astype(np.float32)

    def add(self, rows: np.ndarray) -> None:
        if len(rows):
            vectors = np.ascontiguousarray(self.vectors[rows], dtype=np.float32)
            self.index.add_with_ids(vectors, rows.astype(np.int64))


def _drops(rows: np.ndarray, keep: np.ndarray, p_where: np.ndarray, p_best: np.ndarray, r_where: np.ndarray,
           r_best: np.ndarray, threshold: float) -> list[Duplicate]:
    """The drop decisions of one resolved block: the prompt rule first, else the response rule."""
    drops = []
    for b in np.flatnonzero(~keep):
        if p_best[b] >= threshold:
            drops.append(Duplicate(int(rows[b]), int(p_where[b]), "near_duplicate_prompt", float(p_best[b])))
        else:
            drops.append(Duplicate(int(rows[b]), int(r_where[b]), "near_duplicate_response", float(r_best[b])))
    return drops


def resolve_block(
    block_prompts: np.ndarray,
    block_responses: np.ndarray,
    rows: np.ndarray,
    with_response: np.ndarray,
    p_where: np.ndarray,
    p_best: np.ndarray,
    r_where: np.ndarray,
    r_best: np.ndarray,
    threshold: float,
    scratch: "np.ndarray | None" = None,
) -> np.ndarray:
    """Decide one block in order, given its best matches among earlier kept rows.

    Updates ``*_where``/``*_best`` in place to include kept rows of the block itself and
    returns the keep mask.
    """
    prompt_pairs = _pairs_in_block(block_prompts, threshold, None, scratch)
    response_pairs = _pairs_in_block(block_responses, threshold, with_response, scratch)
    keep = (p_best < threshold) & (r_best < threshold)
    later = np.union1d(prompt_pairs[1], response_pairs[1])  # rows with an earlier near twin
    for b in later:
        for (a_rows, b_rows, sims), where, best in (
            (prompt_pairs, p_where, p_best),
            (response_pairs, r_where, r_best),
        ):
            lo, hi = np.searchsorted(b_rows, b, side="left"), np.searchsorted(b_rows, b, side="right")
            sources, values = a_rows[lo:hi], sims[lo:hi]
            alive = keep[sources]
            if alive.any():
                top = np.argmax(np.where(alive, values, -np.inf))  # first of equals: the earlier row
                if values[top] > best[b]:
                    best[b], where[b] = values[top], rows[sources[top]]
        keep[b] = p_best[b] < threshold and r_best[b] < threshold
    return keep


def _pairs_in_block(
    vectors: np.ndarray, threshold: float, usable: "np.ndarray | None", scratch: "np.ndarray | None" = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``a < b`` inside a block with cosine >= threshold, sorted by ``(b, a)``."""
    if usable is not None and not usable.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float32)
    sims = product(vectors, vectors, scratch)
    np.fill_diagonal(sims, -np.inf)
    hot = np.flatnonzero(sims.max(axis=0) >= threshold)
    a, column = np.nonzero(sims[:, hot] >= threshold)
    b = hot[column]
    wanted = a < b
    if usable is not None:
        wanted &= usable[a] & usable[b]
    a, b = a[wanted], b[wanted]
    values = sims[a, b]
    order = np.lexsort((a, b))
    return a[order], b[order], values[order]
