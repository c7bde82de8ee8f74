"""Measurements tables of independent candidates: wikiHow pages, WritingPrompts rows, SNI tasks,
Reddit items.

A work unit of such a source measures its input into :class:`Row` s, one per candidate
(kept or not) and one per drop decided while reading (an unreadable file, a line that is
no JSON), then decides them by the source's rules (:func:`lima_curate.rules.first_failure`).
:func:`table_outcomes` does both around a :class:`~lima_curate.sources.table.TableCache`:
with a valid table the input is not read again; measurements taken while deciding (the
language, taken last and only for candidates every other rule kept) are added to the
rows, and the table is saved again when it gained any.

A table holds a row per :class:`Row`: ``record`` (the candidate as JSON), ``drop_rule``,
``drop_detail``, ``malformed`` (for drops decided while reading), then one column per
measurement (types as pyarrow infers them; null where a row has none).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from lima_curate.records import Example, dumps
from lima_curate.rules import Drop
from lima_curate.safe_json import loads
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.table import TableCache

log = logging.getLogger(__name__)

FIXED = ("record", "is_example", "drop_rule", "drop_detail", "malformed")


@dataclass
class Row:
    """One candidate as measured (``record``, an Example, or the raw fields a source had),
    or a drop decided while reading (``drop``)."""

    record: "Example | dict[str, Any]"
    measured: dict[str, Any] = field(default_factory=dict)
    drop: "Drop | None" = None
    malformed: bool = False

    def rejected(self) -> Rejected:
        """The drop decided while reading, as an outcome."""
        assert self.drop is not None
        return Rejected(self.record, self.drop.rule, self.drop.detail, self.malformed)


def to_table(rows: list[Row]) -> Any:
    """The rows as an arrow table (see the module docstring)."""
    import pyarrow as pa

    keys = list(dict.fromkeys(key for row in rows for key in row.measured))
    clash = set(keys) & set(FIXED)
    if clash:
        raise ValueError(f"measurement names clash with the table's columns: {sorted(clash)}")
    columns: dict[str, Any] = {
        "record": pa.array([dumps(row.record.to_dict() if isinstance(row.record, Example) else row.record)
                            for row in rows], pa.string()),
        "is_example": pa.array([isinstance(row.record, Example) for row in rows], pa.bool_()),
        "drop_rule": pa.array([row.drop.rule if row.drop else None for row in rows], pa.string()),
        "drop_detail": pa.array([row.drop.detail if row.drop else None for row in rows], pa.string()),
        "malformed": pa.array([row.malformed for row in rows], pa.bool_()),
    }
    for key in keys:
        columns[key] = pa.array([_plain(row.measured.get(key)) for row in rows])
    return pa.table(columns)


def _plain(value: Any) -> Any:
    return [_plain(item) for item in value] if isinstance(value, (tuple, list)) else value


def from_table(table: Any) -> list[Row]:
    """The rows of a table made by :func:`to_table`."""
    rows = []
    keys = [name for name in table.schema.names if name not in FIXED]
    for values in table.to_pylist():
        data = loads(values["record"])
        record = Example.from_dict(data) if values["is_example"] else data
        drop = Drop(values["drop_rule"], values["drop_detail"] or "") if values["drop_rule"] is not None else None
        measured = {key: values[key] for key in keys if values[key] is not None}
        rows.append(Row(record, measured, drop, bool(values["malformed"])))
    return rows


def table_outcomes(
    tables: "TableCache | None",
    source: str,
    input_path: Path,
    key: str,
    measure: Callable[[], Iterable[Row]],
    decide: Callable[[list[Row]], Iterable[Outcome]],
) -> Iterator[Outcome]:
    """The outcomes of one unit: its rows from the table of ``input_path`` when valid, else
    ``measure()``; decided by ``decide`` (which may add measurements to the rows); the
    table saved when it is new or gained measurements (see the module docstring)."""
    rows: "list[Row] | None" = None
    path = tables.path(source, input_path) if tables is not None else None
    if tables is not None and path is not None:
        table = tables.load(path, key)
        if table is not None:
            rows = from_table(table)
    cached = rows is not None
    if rows is None:
        rows = list(measure())
    before = sum(len(row.measured) for row in rows)
    outcomes = list(decide(rows))
    if tables is not None and path is not None and (not cached or sum(len(row.measured) for row in rows) != before):
        tables.save(path, to_table(rows), key)
    yield from outcomes
