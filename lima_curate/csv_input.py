"""Reading CSV files we did not write, with limits that belong to the reader, not the process.

``csv.field_size_limit`` is process-wide (whichever reader set it last decided for all), so here it
is always at its maximum and each reader enforces its own: a record may hold at most
``max_record_chars`` characters over at most ``max_record_lines`` lines. The lines limit catches an
unclosed quote, which silently turns every later line into one field: a record still open after it,
or at the end of the file, is an InputError naming the line where the record began.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any, Iterable

from lima_curate.errors import InputError

MAX_RECORD_CHARS = 64 << 20
MAX_RECORD_LINES = 10_000  # a wikiHow article or a story spans a few hundred at most


class RecordError(InputError):
    """A record past the reader's limits; ``line`` is where it began."""

    def __init__(self, path: "Path | str", message: str, line: int) -> None:
        self.line = line
        super().__init__(path, message, f"line {line}")


def _lift_module_limit() -> None:
    """The csv module's process-wide limit at its maximum, whoever set it before."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is narrower than sys.maxsize on some platforms
            limit //= 2


class _Feed:
    """The lines handed to ``csv.reader``, counted per record."""

    def __init__(self, lines: Iterable[str], reader: "BoundedReader") -> None:
        self._lines, self._owner = iter(lines), reader
        self.number = 0  # lines read so far
        self.start = 1  # the line the current record began on
        self.chars = self.count = self.quotes = 0  # of the current record
        self.at_end = False

    def begin_record(self) -> None:
        self.start, self.chars, self.count, self.quotes = self.number + 1, 0, 0, 0

    def __iter__(self) -> "_Feed":
        return self

    def __next__(self) -> str:
        line = next(self._lines, None)
        if line is None:
            self.at_end = True
            raise StopIteration
        self.number += 1
        self.count += 1
        self.chars += len(line)
        self.quotes += line.count(self._owner.quotechar)
        if self.count > self._owner.max_record_lines:
            raise self._owner.unclosed(f"is still open after {self._owner.max_record_lines:,} lines")
        if self.chars > self._owner.max_record_chars:
            raise RecordError(self._owner.path, f"a row longer than {self._owner.max_record_chars:,} characters",
                              self.start)
        return line


class BoundedReader:
    """``csv.reader`` over ``lines`` with this reader's own limits (see the module docstring).

    Yields lists of cells like ``csv.reader``; ``line_num`` is the last line read.
    """

    def __init__(
        self,
        lines: Iterable[str],
        path: "Path | str",
        *,
        max_record_chars: int = MAX_RECORD_CHARS,
        max_record_lines: int = MAX_RECORD_LINES,
        **dialect: Any,
    ) -> None:
        _lift_module_limit()
        self.path = path
        self.max_record_chars, self.max_record_lines = max_record_chars, max_record_lines
        self._feed = _Feed(lines, self)
        self._reader = csv.reader(self._feed, **dialect)
        self.quotechar = self._reader.dialect.quotechar or '"'

    @property
    def line_num(self) -> int:
        return self._reader.line_num

    def unclosed(self, how: str) -> RecordError:
        return RecordError(self.path, f"a quoted field opened here {how} (an unclosed quote?)", self._feed.start)

    def __iter__(self) -> "BoundedReader":
        return self

    def __next__(self) -> list[str]:
        self._feed.begin_record()
        row = next(self._reader)
        if self._feed.at_end and self._feed.quotes % 2:
            raise self.unclosed("is never closed before the end of the file")
        return row


def dict_reader(lines: Iterable[str], path: "Path | str", **options: Any) -> csv.DictReader:
    """``csv.DictReader`` over a :class:`BoundedReader` (same options)."""
    rows = csv.DictReader([])
    rows.reader = BoundedReader(lines, path, **options)  # type: ignore[assignment]
    return rows

