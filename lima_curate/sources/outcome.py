"""What a source says about each candidate it reads: kept (the Example itself), or rejected.

A source's work units yield these outcomes in a fixed order; :func:`collect` sends each
rejection to the rejects file under stage ``extract`` and yields the kept candidates, so no
source writes rejects itself, whichever process ran it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable, Iterable, Iterator, Sequence, Union

from lima_curate.executor import Executor, Unit
from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.rules import Drop

STAGE = "extract"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A dropped candidate (an Example, or the raw fields a source had when it could not
    build one), the rule that dropped it and why."""

    record: "Example | dict[str, Any]"
    rule: str
    detail: str
    malformed: bool = False  # a bad line, not a candidate: aggregated in the rejects past a few samples

    @classmethod
    def by(cls, drop: Drop, record: "Example | dict[str, Any]", context: str = "") -> "Rejected":
        """``record`` dropped by ``drop``; ``context`` (``"submission abc: "``) prefixes the detail."""
        return cls(record, drop.rule, context + drop.detail)


@dataclass(frozen=True, slots=True)
class RejectedLines:
    """Many drops decided at once, already written as rejects lines (UTF-8; see
    :meth:`~lima_curate.rejects.Rejects.drop_lines`), with their count per rule."""

    lines: bytes
    counts: "dict[str, int]"  # rule -> drops
    source: str


Outcome = Union[Example, Rejected, RejectedLines]
Finish = Callable[[Iterable[Outcome]], Iterator[Outcome]]


def collect(outcomes: Iterable[Outcome], rejects: Rejects) -> Iterator[Example]:
    """Yield the kept candidates; send every rejection to ``rejects``."""
    for outcome in outcomes:
        kind = type(outcome)
        if kind is Rejected:
            rejects.drop(outcome.record, stage=STAGE, rule=outcome.rule, detail=outcome.detail,
                         aggregate=outcome.malformed)
        elif kind is RejectedLines:
            rejects.drop_lines(outcome.lines, {(outcome.source, STAGE, rule): n for rule, n in outcome.counts.items()})
        else:
            rejects.keep(outcome, stage=STAGE)
            yield outcome


def run_units(
    units: Sequence[Unit], rejects: Rejects, *, workers: int = 1, finish: "Finish | None" = None
) -> Iterator[Example]:
    """Run one source's units (see :mod:`lima_curate.executor`) and collect their outcomes."""
    outcomes: Iterable[Outcome] = chain.from_iterable(Executor(workers).run(units))
    if finish is not None:
        outcomes = finish(outcomes)
    yield from collect(outcomes, rejects)
