"""Measurements tables of independent candidates: streamed through the decisions, saved, reused."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import pyarrow.parquet as pq

from lima_curate.records import Example, dumps
from lima_curate.rules import Drop
from lima_curate.sources import rows as rows_module
from lima_curate.sources.outcome import Rejected
from lima_curate.sources.rows import Row, table_outcomes
from lima_curate.sources.table import TableCache


def _example(number: int) -> Example:
    return Example(f"x-{number}", "demo", "demo", ({"role": "user", "content": f"q{number}"},
                                                   {"role": "assistant", "content": f"a{number}"}), {"n": number})


def _measure(count: int, seen: list[int]) -> Iterator[Row]:
    for number in range(count):
        seen.append(number)
        if number % 7 == 3:
            yield Row({"id": f"line-{number}"}, drop=Drop("bad_line", f"line {number}"), malformed=True)
        else:
            yield Row(_example(number), {"chars": number * 10, "hits": (("kind", "word"),) if number % 5 == 0 else ()})


def _decide(rows: Iterable[Row], taken: list[int]) -> Iterator:
    for row in rows:
        if row.drop is not None:
            yield row.rejected()
        elif row.measured["hits"]:
            yield Rejected.by(Drop("hit", str(row.measured["hits"][0])), row.record)
        else:
            if "language" not in row.measured:  # measured while deciding, then kept in the table
                taken.append(row.record.meta["n"])
                row.measured["language"] = "en"
            yield row.record


def _run(tables, count=5000):
    seen, taken = [], []
    out = list(table_outcomes(tables, "demo", Path("/input/demo"), "k1", lambda: _measure(count, seen),
                              lambda rows: _decide(rows, taken)))
    return out, seen, taken


def _same(left, right):
    def plain(outcome):  # as the build writes them: canonical JSON
        if isinstance(outcome, Example):
            return dumps(outcome.to_dict())
        record = outcome.record.to_dict() if isinstance(outcome.record, Example) else outcome.record
        return outcome.rule, outcome.detail, dumps(record)
    return [plain(o) for o in left] == [plain(o) for o in right]


def test_a_saved_table_gives_the_same_outcomes_without_reading_the_input(tmp_path):
    plain, seen, taken = _run(None)
    assert len(seen) == 5000 and taken
    tables = TableCache(tmp_path)
    first, seen, first_taken = _run(tables)
    assert _same(first, plain) and len(seen) == 5000 and first_taken == taken
    again, seen, again_taken = _run(tables)
    assert _same(again, plain) and seen == [] and again_taken == []  # the language came from the table


def test_outcomes_stream_before_the_input_is_read_to_its_end(tmp_path):
    for tables in (None, TableCache(tmp_path)):
        seen, taken = [], []
        outcomes = table_outcomes(tables, "demo", Path("/input/demo"), "k1", lambda: _measure(10_000, seen),
                                  lambda rows: _decide(rows, taken))
        next(outcomes)
        assert len(seen) < 10
        outcomes.close()  # abandoned: no table is saved
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_table_is_written_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(rows_module, "BATCH_ROWS", 100)
    tables = TableCache(tmp_path)
    _run(tables, 1000)
    (saved,) = tmp_path.rglob("*.parquet")
    assert pq.ParquetFile(saved).metadata.num_row_groups >= 9


def test_a_table_without_new_measurements_is_not_written_again(tmp_path):
    tables = TableCache(tmp_path)
    _run(tables)
    (saved,) = tmp_path.rglob("*.parquet")
    before = saved.stat().st_mtime_ns
    _run(tables)
    assert saved.stat().st_mtime_ns == before and len(list(tmp_path.rglob("*"))) == 2  # no temp file left


def test_a_rerun_that_measures_from_midway_saves_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr(rows_module, "BATCH_ROWS", 100)
    tables = TableCache(tmp_path)
    seen = []

    def run(decide):
        return list(table_outcomes(tables, "demo", Path("/input/demo"), "k1", lambda: _measure(1000, seen), decide))

    def measuring_from(first):  # a changed rule that needs a measurement from row ``first`` on
        def decide(rows):
            for row in rows:
                if row.drop is None and row.record.meta["n"] >= first and "extra" not in row.measured:
                    row.measured["extra"] = row.record.meta["n"]
                yield row.rejected() if row.drop is not None else row.record
        return decide

    before = run(measuring_from(10**9))  # measures nothing new: the first run's table
    after = run(measuring_from(555))
    assert _same(before, after) and len(seen) == 1000  # the input was read once
    saved = pq.ParquetFile(next(tmp_path.rglob("*.parquet")))
    rows = [row for batch in saved.iter_batches() for row in rows_module.from_batch(batch)]
    assert len(rows) == 1000 and [r.record.meta["n"] for r in rows if r.drop is None and "extra" in r.measured] == \
        [n for n in range(555, 1000) if n % 7 != 3]
