"""How far a source's rules are from a known-good set: per rule, the reference items it drops.

A source provides (:class:`SourceRules`) what the build runs: ``measure(pair)``, the
measurements of one prompt/response pair by the source's own functions (``None`` or absent
where the reference cannot give one, such as an answer's score), and its ``rules`` in build
order with their ``config``. A rule reading a missing measurement counts the item as
*unmeasured*, not as a drop.

:func:`calibrate` applies them like the runner (the first failing rule, on the first failing
pair, names the drop) and also counts what each rule drops on its own (``hits``: an early rule
hides the later ones) and the items whose measured language is not English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from lima_curate.calibrate.references import Pair, ReferenceItem
from lima_curate.rules import Rule
from lima_curate.text.lang import UNDETERMINED

EXAMPLES_PER_RULE = 3
EXCERPT_CHARS = 80
ENGLISH = "en"


@dataclass(frozen=True)
class SourceRules:
    """A source's measurements, its ordered rules and their config (see the module docstring)."""

    source: str
    measure: Callable[[Pair], Mapping[str, Any]]
    rules: tuple[Rule, ...]
    config: Any = None


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
    not_english_items: int = 0  # items with a pair whose language is measured and not English
    languages: dict[str, int] = field(default_factory=dict)  # those items' first non-English language

    def as_json(self) -> dict[str, Any]:
        """``{"items": N, "kept": N, "dropped": {"<rule>": N, ...}}`` (rules in order)."""
        return {"items": self.items, "kept": self.kept, "dropped": dict(self.dropped)}


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
        language = ""
        for pair in item.pairs:
            measurements = rules.measure(pair)
            found = measurements.get("language")
            if found not in (None, ENGLISH, UNDETERMINED) and not language:
                language = found
            for rule in rules.rules:
                if any(measurements.get(name) is None for name in rule.reads):
                    unjudged.add(rule.name)
                    continue
                detail = rule(measurements, rules.config)
                if detail is None:
                    continue
                hit.setdefault(rule.name, detail)
                if first is None:
                    first = (rule.name, detail, pair)
        if language:
            report.not_english_items += 1
            report.languages[language] = report.languages.get(language, 0) + 1
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
    if report.not_english_items:
        languages = ", ".join(f"{code} {n}" for code, n in sorted(report.languages.items(), key=lambda kv: (-kv[1], kv[0])))
        ruled = "dropped by not_english" if "not_english" in report.dropped else "no rule on the language here"
        lines.append(f"  not English: {report.not_english_items} items ({share(report.not_english_items)}; "
                     f"{languages}); {ruled}")
    return "\n".join(lines)
