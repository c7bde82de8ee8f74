"""Named rules, and the one runner every source decides with.

A rule is a pure function of a candidate's *measurements* and the source's config: ``None``
keeps it, a short detail string drops it. It declares the measurements it ``reads``, so a
costly one is taken only for the candidates the rules before it kept. A rule on plain numbers
may also have a ``vector`` form deciding a whole column at once (:func:`first_failures`),
giving exactly what ``check`` gives row by row. Rule names appear in ``rejected.jsonl`` and
the manifest: change behaviour under a new name.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, MutableMapping

Check = Callable[[Mapping[str, Any], Any], "str | None"]
Measure = Callable[[], Mapping[str, Any]]
#: ``vector(columns, config) -> (drops, details)``: ``columns`` maps each key the rule reads
#: to a numpy array (one value per candidate); ``drops`` is a boolean array, ``details``
#: the drop details of the dropped candidates (:class:`Details`)
VectorCheck = Callable[[Mapping[str, Any], Any], "tuple[Any, Details]"]


@dataclass(frozen=True)
class Details:
    """The drop details of a vector rule's drops: ``template`` with its ``{}`` filled by each
    of ``values`` in turn (a numpy array), or ``template`` alone ``count`` times when there
    are no values; kept in this form so that a table can build them on whole columns."""

    template: str
    values: Any = None
    count: int = 0

    def strings(self) -> list[str]:
        """The details one by one."""
        if self.values is None:
            return [self.template] * self.count
        return [self.template.format(value) for value in self.values.tolist()]


@dataclass(frozen=True)
class Rule:
    """A named keep/drop decision: ``check(measurements, config)`` is None to keep, else why it drops."""

    name: str
    reads: tuple[str, ...]
    check: Check
    description: str = ""
    vector: "VectorCheck | None" = None

    def __call__(self, measurements: Mapping[str, Any], config: Any = None) -> "str | None":
        return self.check(measurements, config)


def rule(name: str, *, reads: tuple[str, ...], vector: "VectorCheck | None" = None) -> Callable[[Check], Rule]:
    """Make a function ``(measurements, config) -> str | None`` a :class:`Rule` (its docstring
    describes it), with ``vector`` its column form if it has one."""

    def make(check: Check) -> Rule:
        return Rule(name, reads, check, (check.__doc__ or "").strip(), vector)

    return make


@dataclass(frozen=True, slots=True)
class Drop:
    """The rule that dropped a candidate, and why."""

    rule: str
    detail: str


def first_failure(
    measurements: MutableMapping[str, Any],
    rules: Iterable[Rule],
    config: Any = None,
    measure: "Mapping[str, Measure] | None" = None,
) -> "Drop | None":
    """The first rule that drops the candidate (None: every rule keeps it).

    ``measure`` maps a measurement's key to the function that takes it (one function may
    return several keys). A key a rule reads that ``measurements`` lacks is taken just
    before that rule and added to ``measurements``: after the call, ``measurements``
    holds exactly what the decision needed.
    """
    for each in rules:
        if measure is not None:
            for key in each.reads:
                if key not in measurements:
                    measurements.update(measure[key]())
        detail = each.check(measurements, config)
        if detail is not None:
            return Drop(each.name, detail)
    return None


def first_failures(
    columns: Mapping[str, Any], rules: Iterable[Rule], config: Any = None
) -> "tuple[list[tuple[Any, str, Details]], Any, tuple[Rule, ...]]":
    """Decide a table's rows (``columns``: key -> numpy array) with the leading rules that have a
    vector form, each on the rows the ones before it kept.

    Returns ``(drops, kept, rest)``: per rule applied, ``(positions, rule name, details)`` of the
    rows it dropped (positions ascending); the positions every applied rule kept; and the rules
    not applied, for the caller to run row by row (:func:`first_failure`) on those positions.
    """
    import numpy as np

    ordered = tuple(rules)
    size = len(next(iter(columns.values()))) if columns else 0
    alive = np.arange(size)
    drops: list[tuple[Any, str, Details]] = []
    for done, each in enumerate(ordered):
        if each.vector is None:
            return drops, alive, ordered[done:]
        view = {key: columns[key][alive] for key in each.reads}
        dropped, details = each.vector(view, config)
        dropped = np.asarray(dropped, dtype=bool)
        if dropped.any():
            drops.append((alive[dropped], each.name, details))
            alive = alive[~dropped]
    return drops, alive, ()


def length_window(
    key: str,
    bounds: Callable[[Any], "tuple[int | None, int | None]"],
    *,
    too_short: str,
    too_long: str,
    what: str,
    unit: str = "chars",
) -> tuple[Rule, Rule]:
    """The pair of rules keeping ``minimum <= measurements[key] <= maximum`` (a count of
    ``unit``), the bounds read from the config by ``bounds(config)`` (None: no bound on
    that side); both have a vector form."""

    def side(name: str, index: int, beyond: Callable[[Any, Any], Any], sign: str, words: str) -> Rule:
        def check(measurements: Mapping[str, Any], config: Any) -> "str | None":
            value, bound = measurements[key], bounds(config)[index]
            return f"{value} {unit} {sign} {bound}" if bound is not None and beyond(value, bound) else None

        def vector(columns: Mapping[str, Any], config: Any) -> "tuple[Any, Details]":
            values, bound = columns[key], bounds(config)[index]
            dropped = beyond(values, bound) if bound is not None else values < values
            return dropped, Details(f"{{}} {unit} {sign} {bound}", values[dropped])

        return Rule(name, (key,), check, f"{what} {words} ({unit}).", vector)

    return (side(too_short, 0, operator.lt, "<", "shorter than the configured minimum"),
            side(too_long, 1, operator.gt, ">", "longer than the configured maximum"))
