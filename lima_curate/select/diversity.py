"""Pick items that are both good and diverse in prompt-embedding space.

``kcenter``: quality-weighted k-center greedy. Each step picks, among the items still allowed,

    argmax_i  (1 − w) · d_i + w · q_i

where ``d_i`` is the cosine distance from ``x_i`` to the nearest selected item, ``w`` is
``quality_weight`` and ``q_i`` the normalised quality rank (:func:`quality_ranks`); exact ties
go to the smallest id. The selection starts from the seeds (promoted items), else from the best
quality rank (then raw quality, then smallest id). ``w = 0`` is plain k-center, ``w = 1`` the
quality order. ``score``: the top ``k`` by quality rank (then raw quality, then id).

Group caps (from :mod:`lima_curate.select.allocate`) close a full group; its selected items
still count for ``d``. Runners-up: ``exact_runners_up`` more greedy picks with every group
open, then the rest of the pool by quality rank, raw quality and id.

The greedy is lazy and picks exactly what the plain O(N·k·d) loop picks: ``d_i`` never grows,
so a stale score bounds the true one from above. Only a pool of the ``POOL`` highest bounds is
brought up to date; when its best exact score does not beat every bound outside it, the pool is
rebuilt (twice as large after a fresh pool that could not decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from lima_curate.select.neighbors import single_threaded_blas

METHODS = ("kcenter", "score")
POOL = 1024  # items kept up to date between rebuilds
BLOCK = 4096  # rows per block when distances are refreshed


@dataclass(frozen=True)
class Picks:
    """Positions into the pool: the selection in pick order, then the ranked runners-up."""

    selected: np.ndarray
    runners_up: np.ndarray


def quality_ranks(quality: np.ndarray, groups: "np.ndarray | None" = None) -> np.ndarray:
    """Normalised quality rank in [0, 1] within each group.

    ``q_i = (items of i's group with strictly lower quality) / (group size − 1)``; equal
    qualities share a rank; a group of one gets 1. NaN counts as the lowest quality.
    """
    quality = np.nan_to_num(np.asarray(quality, dtype=np.float64), nan=-np.inf)
    groups = np.zeros(len(quality), dtype=np.int64) if groups is None else np.asarray(groups)
    ranks = np.ones(len(quality), dtype=np.float32)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        if len(members) < 2:
            continue
        values = quality[members]
        below = np.searchsorted(np.sort(values), values, side="left")
        ranks[members] = below / (len(members) - 1)
    return ranks


def id_ranks(ids: Sequence[str]) -> np.ndarray:
    """Position of each id in sorted order (the tie-breaker: smaller id wins)."""
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(len(ids))
    return ranks


class _Greedy:
    """State of one quality-weighted k-center run (see the module docstring)."""

    def __init__(self, vectors: np.ndarray, quality: np.ndarray, ids: Sequence[str], weight: float,
                 groups: np.ndarray, caps: "Mapping[object, int] | None", pool: int) -> None:
        self.x = np.ascontiguousarray(vectors, dtype=np.float32)
        n = len(self.x)
        self.quality = np.nan_to_num(np.asarray(quality, dtype=np.float64), nan=-np.inf)
        self.groups = groups
        self.q = quality_ranks(self.quality, groups)
        self.tiebreak = id_ranks(ids)
        self.w = np.float32(weight)
        self.bonus = (self.w * self.q).astype(np.float32)
        self.distance = np.full(n, np.inf, dtype=np.float32)  # d_i, exact as of fresh[i] picks
        self.fresh = np.zeros(n, dtype=np.int64)
        self.bound = np.full(n, -np.inf, dtype=np.float32)  # upper bound of the score; -inf: not allowed
        self.allowed = np.ones(n, dtype=bool)
        self.taken = np.zeros(n, dtype=bool)
        self.order: list[int] = []
        self.room = None if caps is None else {g: int(caps.get(g, 0)) for g in np.unique(groups).tolist()}
        self.members = {g: np.flatnonzero(groups == g) for g in self.room} if self.room else {}
        if self.room is not None:
            for group, left in self.room.items():
                if left <= 0:
                    self.allowed[self.members[group]] = False
        self.pool_size = pool
        self.pool: "np.ndarray | None" = None
        self.threshold = np.float32(np.inf)
        self.started = False

    # -- bookkeeping
    def take(self, i: int) -> None:
        self.order.append(i)
        self.taken[i] = True
        self.allowed[i] = False
        self.bound[i] = -np.inf
        if self.room is not None:
            group = self.groups[i]
            self.room[group] -= 1
            if self.room[group] <= 0:
                self.allowed[self.members[group]] = False
                self.bound[self.members[group]] = -np.inf

    def open_all_groups(self) -> None:
        """For the runners-up: every untaken item may be picked again."""
        self.room = None
        self.allowed = ~self.taken
        if self.started:
            self.bound = np.where(self.allowed, self._score(np.arange(len(self.x))), np.float32(-np.inf))
        self.pool = None

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return (np.float32(1.0) - self.w) * self.distance[rows] + self.bonus[rows]

    def start(self) -> None:
        """After the seeds or the first pick: exact distances for everything (one pass over
        slices of the vectors, where :meth:`refresh` would copy each block it gathers)."""
        anchors = self.x[np.asarray(self.order, dtype=np.int64)]
        for start in range(0, len(self.x), BLOCK):
            rows = slice(start, start + BLOCK)
            self.distance[rows] = np.float32(1.0) - (self.x[rows] @ anchors.T).max(axis=1)
        self.fresh[:] = len(self.order)
        self.bound = np.where(self.allowed, self._score(np.arange(len(self.x))), np.float32(-np.inf))
        self.started = True

    def refresh(self, rows: np.ndarray) -> None:
        """Bring ``distance`` (and the bound, now exact) of ``rows`` up to the latest pick."""
        done = len(self.order)
        stale = rows[self.fresh[rows] < done]
        if not len(stale):
            return
        picks = np.asarray(self.order, dtype=np.int64)
        since = int(self.fresh[stale].min())
        anchors = self.x[picks[since:]]
        for start in range(0, len(stale), BLOCK):
            part = stale[start : start + BLOCK]
            sims = self.x[part] @ anchors.T
            self.distance[part] = np.minimum(self.distance[part], np.float32(1.0) - sims.max(axis=1))
        self.fresh[stale] = done
        self.bound[stale] = np.where(self.allowed[stale], self._score(stale), np.float32(-np.inf))

    # -- picking
    def by_quality(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` by quality rank, then raw quality (both best first), then smallest id."""
        return rows[np.lexsort((self.tiebreak[rows], -self.quality[rows], -self.q[rows]))]

    def first(self) -> int:
        """The first of the allowed items :meth:`by_quality`; -1 when none is allowed."""
        open_rows = self.by_quality(np.flatnonzero(self.allowed))
        return int(open_rows[0]) if len(open_rows) else -1

    def _rebuild_pool(self, size: int) -> None:
        n = len(self.bound)
        if size >= n:
            self.pool, self.threshold = np.flatnonzero(self.allowed), np.float32(-np.inf)
            return
        kth = n - size - 1
        part = np.argpartition(self.bound, kth)
        self.threshold = self.bound[part[kth]]  # every item outside the pool is <= this
        self.pool = part[kth + 1 :]

    def next(self) -> int:
        if not self.order:
            return self.first()
        if not self.started:
            self.start()
        size = self.pool_size
        rebuilt = False
        while True:
            if self.pool is None:
                self._rebuild_pool(size)
                rebuilt = True
            assert self.pool is not None
            self.pool = self.pool[self.allowed[self.pool]]
            self.refresh(self.pool)
            scores = self.bound[self.pool]
            best = scores.max() if len(self.pool) else np.float32(-np.inf)
            if best > self.threshold or (self.threshold == -np.inf and len(self.pool)):
                tied = self.pool[scores == best]
                return int(tied[np.argmin(self.tiebreak[tied])])
            if self.threshold == -np.inf:
                return -1  # nothing allowed is left
            self.pool = None
            if rebuilt:  # a fresh pool that cannot decide (ties at the threshold): look wider
                size *= 2

    def take_next(self) -> bool:
        pick = self.next()
        if pick < 0:
            return False
        self.take(pick)
        return True


def kcenter_greedy(
    vectors: np.ndarray,
    quality: np.ndarray,
    ids: Sequence[str],
    k: int,
    *,
    quality_weight: float = 0.3,
    groups: "np.ndarray | None" = None,
    caps: "Mapping[object, int] | None" = None,
    seeds: Sequence[int] = (),
    exact_runners_up: int = 0,
    pool: int = POOL,
) -> Picks:
    """Quality-weighted k-center greedy; see the module docstring.

    ``vectors`` are unit rows (float32), ``quality`` raw quality per row, ``groups`` a
    group label per row (ranks are normalised within groups). ``seeds`` are selected
    first and count towards ``k`` and their group's cap. Deterministic: no randomness.
    """
    if not 0.0 <= quality_weight <= 1.0:
        raise ValueError(f"quality_weight must be in [0, 1], got {quality_weight}")
    with single_threaded_blas():
        return _kcenter(vectors, quality, ids, k, quality_weight, groups, caps, seeds, exact_runners_up, pool)


def _kcenter(vectors: np.ndarray, quality: np.ndarray, ids: Sequence[str], k: int, quality_weight: float,
             groups: "np.ndarray | None", caps: "Mapping[object, int] | None", seeds: Sequence[int],
             exact_runners_up: int, pool: int) -> Picks:
    n = len(vectors)
    labels = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
    state = _Greedy(vectors, quality, ids, quality_weight, labels, caps, pool)
    for seed in dict.fromkeys(int(s) for s in seeds):
        state.take(seed)
    while len(state.order) < min(k, n) and state.take_next():
        pass
    selected = np.array(state.order, dtype=np.int64)
    state.open_all_groups()
    for _ in range(min(exact_runners_up, n - len(state.order))):
        state.take_next()
    rest = state.by_quality(np.flatnonzero(~state.taken))
    runners = np.array(state.order[len(selected):] + rest.tolist(), dtype=np.int64)
    return Picks(selected=selected, runners_up=runners)


def score_order(
    quality: np.ndarray,
    ids: Sequence[str],
    k: int,
    *,
    groups: "np.ndarray | None" = None,
    caps: "Mapping[object, int] | None" = None,
    seeds: Sequence[int] = (),
) -> Picks:
    """The ``score`` method: seeds, then the best quality ranks within the group caps."""
    quality = np.nan_to_num(np.asarray(quality, dtype=np.float64), nan=-np.inf)
    n = len(quality)
    labels = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
    q = quality_ranks(quality, labels)
    ranking = np.lexsort((id_ranks(ids), -quality, -q))
    # without caps a group's room is the whole pool, which the picks never use up
    room = {g: n if caps is None else int(caps.get(g, 0)) for g in np.unique(labels).tolist()}
    chosen = list(dict.fromkeys(int(s) for s in seeds))
    seen = set(chosen)
    for s in chosen:
        room[labels[s]] -= 1
    for i in ranking:
        if len(chosen) >= min(k, n):
            break
        if i not in seen and room[labels[i]] > 0:
            chosen.append(int(i))
            seen.add(int(i))
            room[labels[i]] -= 1
    runners = [int(i) for i in ranking if int(i) not in seen]
    return Picks(selected=np.array(chosen, dtype=np.int64), runners_up=np.array(runners, dtype=np.int64))


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown selection method {method!r} (use {' or '.join(METHODS)})")
    return method
