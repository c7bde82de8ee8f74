"""Named rules, and the one runner every source decides with.

A rule is a pure function of a candidate's *measurements* (a mapping: lengths, hits,
language, scores ...) and the source's config: it answers ``None`` (keep) or a short
detail string (drop). It declares the measurements it ``reads``, so a source can take
a costly measurement only for the candidates the rules before it kept, and a caller
can tell which rules a set of measurements can decide (:func:`decidable_from`).
Rule names appear in ``rejected.jsonl`` and the manifest, so they are part of the
interface: change behaviour under a new name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping, MutableMapping

Check = Callable[[Mapping[str, Any], Any], "str | None"]
Measure = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class Rule:
    """A named keep/drop decision: ``check(measurements, config)`` is None to keep, else why it drops."""

    name: str
    reads: tuple[str, ...]
    check: Check
    description: str = ""

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


def decidable_from(rules: Iterable[Rule], keys: Collection[str]) -> tuple[Rule, ...]:
    """The rules that read only ``keys``, in their order."""
    return tuple(each for each in rules if all(key in keys for key in each.reads))


def length_window(
    key: str, bounds: Callable[[Any], tuple[int, int]], *, too_short: str, too_long: str, what: str
) -> tuple[Rule, Rule]:
    """The pair of rules keeping ``minimum <= measurements[key] <= maximum`` (a character
    count), the bounds read from the config by ``bounds(config)``."""

    def shorter(measurements: Mapping[str, Any], config: Any) -> "str | None":
        chars, minimum = measurements[key], bounds(config)[0]
        return f"{chars} chars < {minimum}" if chars < minimum else None

    def longer(measurements: Mapping[str, Any], config: Any) -> "str | None":
        chars, maximum = measurements[key], bounds(config)[1]
        return f"{chars} chars > {maximum}" if chars > maximum else None

    return (
        Rule(too_short, (key,), shorter, f"{what} shorter than the configured minimum (characters)."),
        Rule(too_long, (key,), longer, f"{what} longer than the configured maximum (characters)."),
    )
