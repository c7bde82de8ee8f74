"""Fill each recipe quota: promoted items first, groups by temperature, diverse picks inside.

For a quota of ``size`` items and its pool (``meta["quota"]`` equal to its name):

1. items a reviewer promoted (``meta["promoted"] is True``) are selected first and count
   against ``size`` (all of them, with a warning, when there are more);
2. the other places are shared across groups (``meta["group"]``, '' when absent) by
   :func:`~lima_curate.select.allocate.allocate` over each group's unpromoted candidates;
3. :func:`~lima_curate.select.diversity.kcenter_greedy` (or ``score_order``) picks within those
   caps over the whole pool at once, starting from the promoted items.

A pool smaller than ``size`` is selected whole, with a warning. The runners-up (the rest of
the pool, ranked) feed the review file.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from lima_curate import progress
from lima_curate.config import QuotaConfig, SelectConfig
from lima_curate.records import META_GROUP, META_QUALITY, META_QUOTA, Example
from lima_curate.rejects import Rejects
from lima_curate.select.allocate import allocate
from lima_curate.select.diversity import check_method, kcenter_greedy, score_order
from lima_curate.select.report import diversity_report

log = logging.getLogger(__name__)

META_PROMOTED = "promoted"
STAGE = "select"


@dataclass
class QuotaSelection:
    """What one quota selected, what came next, and how diverse it is."""

    name: str
    size: int
    split: str
    selected: list[Example]  # pick order: promoted first
    runners_up: list[Example]  # the rest of the pool, best next pick first
    allocation: dict[str, int]  # group -> selected items (promoted included)
    pool_groups: dict[str, int]  # group -> candidates
    promoted: int
    report: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """A plain, JSON-ready dict for the manifest and summary."""
        return {
            "target": self.size,
            "split": self.split,
            "pool": sum(self.pool_groups.values()),
            "selected": len(self.selected),
            "promoted": self.promoted,
            "groups": {g: {"pool": self.pool_groups[g], "selected": self.allocation.get(g, 0)} for g in sorted(self.pool_groups)},
            "diversity": self.report,
            "notes": list(self.notes),
        }


@dataclass
class Selection:
    """Every quota's selection, and the candidates whose quota the pipeline does not name."""

    quotas: dict[str, QuotaSelection]
    unplaced: list[Example]

    @property
    def selected(self) -> list[Example]:
        return [e for name in sorted(self.quotas) for e in self.quotas[name].selected]

    def summary(self) -> dict[str, Any]:
        return {name: self.quotas[name].summary() for name in sorted(self.quotas)}


def quality_value(example: Example) -> float:
    value = example.meta.get(META_QUALITY)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def _warn(notes: list[str], message: str) -> None:
    """A fact the user must know: kept in the quota's notes (the manifest) and logged once."""
    notes.append(message)
    log.warning("%s", message)


def select_quota(
    name: str,
    examples: Sequence[Example],
    vectors: np.ndarray,
    quota: QuotaConfig,
    *,
    method: str = "kcenter",
    quality_weight: float = 0.3,
    seed: int = 0,
    exact_runners_up: int = 50,
    report: bool = True,
    report_draws: int = 5,
) -> QuotaSelection:
    """Select ``quota.size`` items from ``examples`` (this quota's pool; ``vectors`` are their
    unit prompt embeddings, row-aligned). See the module docstring."""
    check_method(method)
    if len(vectors) != len(examples):
        raise ValueError("one prompt vector per example")
    notes: list[str] = []
    groups = [str(e.meta.get(META_GROUP) or "") for e in examples]
    pool_groups = dict(sorted(Counter(groups).items()))
    promoted = [i for i, e in enumerate(examples) if e.meta.get(META_PROMOTED) is True]
    if len(examples) < quota.size:
        _warn(notes, f"quota {name}: {len(examples)} candidates for {quota.size} places, "
                     f"{quota.size - len(examples)} short (all are selected)")
    if len(promoted) > quota.size:
        _warn(notes, f"quota {name}: {len(promoted)} promoted items exceed its size {quota.size}; all are selected")
    promoted_per_group = Counter(groups[i] for i in promoted)
    open_per_group = {g: n - promoted_per_group[g] for g, n in pool_groups.items()}
    shares = allocate(open_per_group, max(quota.size - len(promoted), 0), quota.temperature)
    index = {g: number for number, g in enumerate(pool_groups)}
    caps = {index[g]: shares[g] + promoted_per_group[g] for g in pool_groups}
    labels = np.array([index[g] for g in groups], dtype=np.int64)
    quality = np.array([quality_value(e) for e in examples], dtype=np.float64)
    ids = [e.id for e in examples]
    k = max(quota.size, len(promoted))
    if method == "kcenter":
        picks = kcenter_greedy(
            vectors, quality, ids, k, quality_weight=quality_weight, groups=labels, caps=caps,
            seeds=promoted, exact_runners_up=exact_runners_up,
        )
    else:
        picks = score_order(quality, ids, k, groups=labels, caps=caps, seeds=promoted)
    selected = [examples[i] for i in picks.selected]
    runners_up = [examples[i] for i in picks.runners_up]
    allocation = dict(sorted(Counter(groups[i] for i in picks.selected).items()))
    result = QuotaSelection(
        name=name, size=quota.size, split=quota.split, selected=selected, runners_up=runners_up,
        allocation=allocation, pool_groups=pool_groups, promoted=len(promoted), notes=notes,
    )
    if report and len(examples):
        result.report = diversity_report(vectors, picks.selected, seed=seed, draws=report_draws)
    return result


def select_quotas(
    examples: Sequence[Example],
    vectors: np.ndarray,
    config: SelectConfig,
    *,
    seed: int = 0,
    rejects: "Rejects | None" = None,
    stage: str = STAGE,
    report: bool = True,
) -> Selection:
    """Run :func:`select_quota` for every quota in ``config.quotas``.

    ``examples`` are all candidates (any quota), ``vectors`` their unit prompt embeddings.
    With ``rejects``, candidates left out are recorded: rule ``not_selected`` (detail: the
    quota and the runner-up rank) and ``no_quota`` (their quota is not in the pipeline);
    selected ones are counted as kept.
    """
    if len(vectors) != len(examples):
        raise ValueError("one prompt vector per example")
    by_quota: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        by_quota.setdefault(str(example.meta.get(META_QUOTA) or ""), []).append(i)
    quotas: dict[str, QuotaSelection] = {}
    with progress.task("selecting", total=len(config.quotas), unit="quotas",
                       note=f"from {len(examples):,} candidates") as step:
        for name in sorted(config.quotas):
            rows = by_quota.get(name, [])
            quotas[name] = select_quota(
                name, [examples[i] for i in rows], _rows_of(vectors, rows), config.quotas[name],
                method=config.method, quality_weight=config.quality_weight, seed=seed,
                exact_runners_up=config.exact_runners_up, report=report, report_draws=config.report_draws,
            )
            step.advance()
    unplaced = [examples[i] for name in sorted(by_quota) if name not in config.quotas for i in by_quota[name]]
    if rejects is not None:
        record(quotas, unplaced, rejects, stage)
    return Selection(quotas=quotas, unplaced=unplaced)


def _rows_of(vectors: np.ndarray, rows: list[int]) -> np.ndarray:
    """``vectors[rows]``, as a view (no copy of a large array) when the rows are consecutive."""
    if not rows:
        return vectors[:0]
    if rows[-1] - rows[0] + 1 == len(rows):
        return vectors[rows[0] : rows[-1] + 1]
    return vectors[rows]


def record(quotas: Mapping[str, QuotaSelection], unplaced: Sequence[Example], rejects: Rejects, stage: str = STAGE) -> None:
    """Count selected items as kept and the rest as dropped, with their reasons."""
    for name in sorted(quotas):
        result = quotas[name]
        for example in result.selected:
            rejects.keep(example, stage=stage)
        total = len(result.runners_up)
        for rank, example in enumerate(result.runners_up, start=1):
            rejects.drop(
                example, stage=stage, rule="not_selected",
                detail=f"quota {name} (size {result.size}) full; runner-up {rank} of {total}",
            )
    for example in unplaced:
        quota = example.meta.get(META_QUOTA) or ""
        rejects.drop(example, stage=stage, rule="no_quota", detail=f"quota {quota!r} is not in the pipeline")
