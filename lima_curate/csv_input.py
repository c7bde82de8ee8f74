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
from typing import Any, Iterable, Iterator

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
        self._lines_read = 0
        self._start = 1  # the line the current record began on
        self._chars = self._count = self._quotes = 0  # of the current record
        self._at_end = False
        self._reader = csv.reader(self._counted(lines), **dialect)
        self.quotechar = self._reader.dialect.quotechar or '"'

    def _counted(self, lines: Iterable[str]) -> Iterator[str]:
        """``lines``, counted per record; RecordError past this reader's limits."""
        for line in lines:
            self._lines_read += 1
            self._count += 1
            self._chars += len(line)
            self._quotes += line.count(self.quotechar)
            if self._count > self.max_record_lines:
                raise self._unclosed(f"is still open after {self.max_record_lines:,} lines")
            if self._chars > self.max_record_chars:
                raise RecordError(self.path, f"a row longer than {self.max_record_chars:,} characters",
                                  self._start)
            yield line
        self._at_end = True

    @property
    def line_num(self) -> int:
        return self._reader.line_num

    def _unclosed(self, how: str) -> RecordError:
        return RecordError(self.path, f"a quoted field opened here {how} (an unclosed quote?)", self._start)

    def __iter__(self) -> "BoundedReader":
        return self

    def __next__(self) -> list[str]:
        self._start, self._chars, self._count, self._quotes = self._lines_read + 1, 0, 0, 0
        row = next(self._reader)
        if self._at_end and self._quotes % 2:
            raise self._unclosed("is never closed before the end of the file")
        return row


def dict_reader(lines: Iterable[str], path: "Path | str", **options: Any) -> csv.DictReader:
    """``csv.DictReader`` over a :class:`BoundedReader` (same options)."""
    rows = csv.DictReader([])
    rows.reader = BoundedReader(lines, path, **options)  # type: ignore[assignment]
    return rows
