"""How far a source's rules are from a known-good set: per rule, the reference items it drops.

The interface a source provides (:class:`SourceRules`) is small, so that the rule runner
can hand over what it already has:

``measure(pair) -> dict``
    Every measurement of one prompt/response pair (the columns a measurements table
    holds for a candidate). A measurement the reference cannot give (the raw HTML length
    of a text that has no HTML) is ``None``.
``rules``
    The source's rules in the order the runner applies them. A rule is any object with a
    ``name`` and called on the measurements, returning ``None`` (keep) or why it drops
    (:class:`MeasuredRule` is one); an optional ``needs`` names the measurements it
    compares: when one of them is ``None`` the rule cannot judge the item, which is
    counted as *unmeasured*, not as a drop.

:func:`calibrate` applies them like the runner (the first failing rule names the drop;
an item with several pairs is dropped by the first pair that fails) and also counts
what each rule would drop on its own (``hits``), since a rule early in the order hides
the ones after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Protocol

from lima_curate.calibrate.references import Pair, ReferenceItem

EXAMPLES_PER_RULE = 3
EXCERPT_CHARS = 80


class RuleOnMeasurements(Protocol):
    """What :func:`calibrate` needs of a rule."""

    name: str

    def __call__(self, measurements: Mapping[str, Any]) -> "str | None": ...


@dataclass(frozen=True)
class MeasuredRule:
    """A named keep/drop decision on measurements; ``needs`` lists the measurements it compares."""

    name: str
    check: Callable[[Mapping[str, Any]], "str | None"]
    needs: tuple[str, ...] = ()
    description: str = ""

    def __call__(self, measurements: Mapping[str, Any]) -> "str | None":
        return self.check(measurements)


@dataclass(frozen=True)
class SourceRules:
    """A source's measurements and its ordered rules (see the module docstring)."""

    source: str
    measure: Callable[[Pair], dict[str, Any]]
    rules: tuple[RuleOnMeasurements, ...]


@dataclass(frozen=True)
class DropExample:
    """One reference item a rule drops: where, why, and the start of its prompt."""

    row: int
    detail: str
    prompt: str


@dataclass
class Calibration:
    """The outcome of :func:`calibrate`; ``as_json`` is the ``--json`` file."""

    source: str
    items: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # first failing rule, every rule listed
    hits: dict[str, int] = field(default_factory=dict)  # what each rule drops on its own
    unmeasured: dict[str, int] = field(default_factory=dict)  # items a rule could not judge
    examples: dict[str, list[DropExample]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """``{"items": N, "kept": N, "dropped": {"<rule>": N, ...}}`` (rules in order)."""
        return {"items": self.items, "kept": self.kept, "dropped": dict(self.dropped)}


def _needs_missing(rule: RuleOnMeasurements, measurements: Mapping[str, Any]) -> bool:
    return any(measurements.get(name) is None for name in getattr(rule, "needs", ()))


def calibrate(
    items: Iterable[ReferenceItem], rules: SourceRules, *, examples_per_rule: int = EXAMPLES_PER_RULE
) -> Calibration:
    """Run ``rules`` over the reference ``items``; see the module docstring."""
    names = [rule.name for rule in rules.rules]
    if len(set(names)) != len(names):
        raise ValueError(f"{rules.source}: rule names repeat: {names}")
    report = Calibration(
        rules.source, dropped=dict.fromkeys(names, 0), hits=dict.fromkeys(names, 0),
        unmeasured=dict.fromkeys(names, 0), examples={name: [] for name in names},
    )
    for item in items:
        report.items += 1
        first: "tuple[str, str, Pair] | None" = None
        hit: dict[str, str] = {}
        unjudged: set[str] = set()
        for pair in item.pairs:
            measurements = rules.measure(pair)
            for rule in rules.rules:
                if _needs_missing(rule, measurements):
                    unjudged.add(rule.name)
                    continue
                detail = rule(measurements)
                if detail is None:
                    continue
                hit.setdefault(rule.name, detail)
                if first is None:
                    first = (rule.name, detail, pair)
        for name in hit:
            report.hits[name] += 1
        for name in unjudged:
            report.unmeasured[name] += 1
        if first is None:
            report.kept += 1
            continue
        name, detail, pair = first
        report.dropped[name] += 1
        if len(report.examples[name]) < examples_per_rule:
            report.examples[name].append(DropExample(item.row, detail, _excerpt(pair.prompt)))
    return report


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def format_report(report: Calibration) -> str:
    """The report as text: one line per rule (drops, alone, unmeasured) and its examples."""
    share = (lambda n: f"{100 * n / report.items:.1f}%") if report.items else (lambda n: "-")
    dropped = report.items - report.kept
    lines = [f"{report.source}: {report.items} reference items, {report.kept} kept, {dropped} dropped ({share(dropped)})"]
    width = max((len(name) for name in report.dropped), default=0)
    for name, count in report.dropped.items():
        extra = f", {report.unmeasured[name]} unmeasured" if report.unmeasured.get(name) else ""
        lines.append(f"  {name:<{width}}  {count:>5} ({share(count)}), alone {report.hits[name]}{extra}")
        for example in report.examples.get(name, []):
            lines.append(f"      row {example.row}: {example.detail} | {example.prompt}")
    return "\n".join(lines)

