"""Measurements tables of independent candidates: wikiHow pages, WritingPrompts rows, SNI tasks,
Reddit items.

A unit measures its input into :class:`Row` s (one per candidate, and one per drop decided while
reading) and decides them by the source's rules; :func:`table_outcomes` does both around a
:class:`~lima_curate.sources.table.TableCache`. Rows stream one at a time from the input (or the
table) through the decisions and are written in batches, so memory does not grow with the input:
``decide`` must be done with a row (its measurements added) before it asks for the next.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from lima_curate.records import Example, dumps
from lima_curate.rules import Drop
from lima_curate.safe_json import loads
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.table import TableCache


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


#: rows per record batch written to a table
BATCH_ROWS = 2048


def schema() -> Any:
    """The table's columns: the candidate as JSON, a drop decided while reading, and the
    measurements as JSON (one schema, whatever a source measures)."""
    import pyarrow as pa

    return pa.schema([("record", pa.string()), ("is_example", pa.bool_()), ("drop_rule", pa.string()),
                      ("drop_detail", pa.string()), ("malformed", pa.bool_()), ("measured", pa.string())])


def to_batch(rows: "list[Row]") -> Any:
    """The rows as one arrow record batch of :func:`schema`."""
    import pyarrow as pa

    columns = [
        [dumps(row.record.to_dict() if isinstance(row.record, Example) else row.record) for row in rows],
        [isinstance(row.record, Example) for row in rows],
        [row.drop.rule if row.drop else None for row in rows],
        [row.drop.detail if row.drop else None for row in rows],
        [row.malformed for row in rows],
        [dumps(row.measured) for row in rows],
    ]
    return pa.record_batch(columns, schema=schema())


def from_batch(batch: Any) -> Iterator[Row]:
    """The rows of a record batch made by :func:`to_batch`."""
    for values in batch.to_pylist():
        data = loads(values["record"])
        record = Example.from_dict(data) if values["is_example"] else data
        drop = Drop(values["drop_rule"], values["drop_detail"] or "") if values["drop_rule"] is not None else None
        measured = {key: _tuples(value) for key, value in loads(values["measured"]).items() if value is not None}
        yield Row(record, measured, drop, bool(values["malformed"]))


def _tuples(value: Any) -> Any:
    """A measurement as it was taken: sequences (hits, pairs) are tuples, which JSON makes lists."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def table_outcomes(
    tables: "TableCache | None",
    source: str,
    input_path: Path,
    key: str,
    measure: Callable[[], Iterable[Row]],
    decide: Callable[[Iterator[Row]], Iterable[Outcome]],
) -> Iterator[Outcome]:
    """The outcomes of one unit: its rows from the table of ``input_path`` when valid, else
    ``measure()``; decided by ``decide`` (which may add measurements to the rows); the
    table saved when it is new or gained measurements."""
    if tables is None:
        yield from decide(iter(measure()))
        return
    path = tables.path(source, input_path)
    parquet = tables.open(path, key)
    if parquet is None:
        with tables.writing(path, schema(), key) as writer:
            yield from decide(_written(iter(measure()), writer))
        return
    yield from _decide_saved(parquet, decide, lambda: tables.writing(path, schema(), key))


def _decide_saved(
    parquet: Any, decide: Callable[[Iterator[Row]], Iterable[Outcome]], writing: Callable[[], Any]
) -> Iterator[Outcome]:
    """The outcomes of a saved table's rows. The table is written again only from the first
    row that gains a measurement (the rows before it copied as stored), so a rerun that
    measures nothing new writes nothing."""
    writer: Any = None
    opened = False
    pending: list[Row] = []

    def settle(number: int, row: Row, size: int) -> None:
        """``row`` (the table's ``number``-th, ``size`` measurements when read) is decided."""
        nonlocal writer, opened
        if not opened and len(row.measured) != size:
            opened = True
            writer = stack.enter_context(writing())
            if writer is not None:
                _copy_rows(parquet, number, writer)
        if writer is not None:
            pending.append(row)
            if len(pending) >= BATCH_ROWS:
                writer.write_batch(to_batch(pending))
                pending.clear()

    def rows() -> Iterator[Row]:
        previous: "tuple[int, Row, int] | None" = None
        saved = (row for batch in parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False)
                 for row in from_batch(batch))
        for number, row in enumerate(saved):
            if previous is not None:
                settle(*previous)
            previous = (number, row, len(row.measured))
            yield row
        if previous is not None:
            settle(*previous)

    with contextlib.ExitStack() as stack:  # an error or an abandoned run discards the rewrite
        yield from decide(rows())
        if pending:
            writer.write_batch(to_batch(pending))


def _copy_rows(parquet: Any, count: int, writer: Any) -> None:
    """The first ``count`` rows of a saved table, written unchanged."""
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False):
        if count <= 0:
            return
        writer.write_batch(batch.slice(0, count))
        count -= len(batch)


def _written(rows: Iterator[Row], writer: Any) -> Iterator[Row]:
    """``rows``, each written to ``writer`` (when not None) once the next one is asked
    for, or the rows end: by then its decision, and its measurements, are complete."""
    pending: list[Row] = []
    for row in rows:
        if len(pending) > BATCH_ROWS and writer is not None:
            writer.write_batch(to_batch(pending[:-1]))
            del pending[:-1]
        pending.append(row)
        yield row
    if pending and writer is not None:
        writer.write_batch(to_batch(pending))
