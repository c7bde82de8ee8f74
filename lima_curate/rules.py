"""Named rules, and the one runner every source decides with.

A rule is a pure function of a candidate's *measurements* and the source's config: ``None``
keeps it, a short detail string drops it. It declares the measurements it ``reads``, so a
costly one is taken only for the candidates the rules before it kept. A rule on plain numbers
may also have a ``vector`` form deciding a whole column at once (:func:`first_failures`),
giving exactly what ``check`` gives row by row. Rule names appear in ``rejected.jsonl`` and
the manifest: change behaviour under a new name.
"""

from __future__ import annotations

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


def rule(name: str, *, reads: tuple[str, ...]) -> Callable[[Check], Rule]:
    """Make a function ``(measurements, config) -> str | None`` a :class:`Rule`; its docstring describes it."""

    def make(check: Check) -> Rule:
        return Rule(name, reads, check, (check.__doc__ or "").strip())

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
    """Decide a table's rows with the leading rules that have a vector form.

    ``columns`` maps keys to numpy arrays of equal length. Rules are applied in order, each
    to the rows the ones before it kept, until the first rule without a vector form.
    Returns ``(drops, kept, rest)``: per rule applied, ``(positions, rule name, details)``
    of the rows it dropped (positions ascending; :class:`Details`); the positions every applied rule kept;
    and the rules not applied, in order, for the caller to run row by row
    (:func:`first_failure`) on those positions. The first failing rule names each drop,
    as in :func:`first_failure`.
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

    def shorter(measurements: Mapping[str, Any], config: Any) -> "str | None":
        chars, minimum = measurements[key], bounds(config)[0]
        return f"{chars} {unit} < {minimum}" if minimum is not None and chars < minimum else None

    def longer(measurements: Mapping[str, Any], config: Any) -> "str | None":
        chars, maximum = measurements[key], bounds(config)[1]
        return f"{chars} {unit} > {maximum}" if maximum is not None and chars > maximum else None

    def shorter_vector(columns: Mapping[str, Any], config: Any) -> "tuple[Any, Details]":
        values, minimum = columns[key], bounds(config)[0]
        dropped = values < minimum if minimum is not None else values < values
        return dropped, Details(f"{{}} {unit} < {minimum}", values[dropped])

    def longer_vector(columns: Mapping[str, Any], config: Any) -> "tuple[Any, Details]":
        values, maximum = columns[key], bounds(config)[1]
        dropped = values > maximum if maximum is not None else values < values
        return dropped, Details(f"{{}} {unit} > {maximum}", values[dropped])

    return (
        Rule(too_short, (key,), shorter, f"{what} shorter than the configured minimum ({unit}).", shorter_vector),
        Rule(too_long, (key,), longer, f"{what} longer than the configured maximum ({unit}).", longer_vector),
    )
