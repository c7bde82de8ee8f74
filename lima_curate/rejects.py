"""Where dropped candidates go: every drop is counted and kept with its reason.

Drops stream to a JSONL file, one ``{"id", "source", "stage", "rule", "detail", "record"}``
a line, and are counted per ``(source, stage, rule)``; keeps per ``(source, stage)``.
Drops of malformed input (``aggregate=True``) are written only for the first
:data:`MALFORMED_SAMPLES` of each kind; one closing row with a ``count`` says how many more.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO, Any, Iterable

from lima_curate.records import Example, dumps
from lima_curate.safe_json import loads

#: malformed-input drops written in full per (source, stage, rule); the rest are counted
MALFORMED_SAMPLES = 5


class Rejects:
    """Collects drops (to ``path`` when given, else in memory) and counts keeps and drops."""

    def __init__(self, path: "Path | None" = None) -> None:
        self.path = Path(path) if path is not None else None
        self.dropped: Counter[tuple[str, str, str]] = Counter()
        self.kept: Counter[tuple[str, str]] = Counter()
        self.rows: list[dict[str, Any]] = []  # only used without a path
        self._handle: "IO[str] | None" = None
        self._samples: Counter[tuple[str, str, str]] = Counter()  # aggregated drops written in full
        self._unwritten: Counter[tuple[str, str, str]] = Counter()  # aggregated drops only counted

    def drop(
        self,
        example: "Example | dict[str, Any]",
        *,
        stage: str,
        rule: str,
        detail: str = "",
        source: "str | None" = None,
        aggregate: bool = False,
    ) -> None:
        """Record that ``example`` was dropped by ``rule`` in ``stage`` (``aggregate``: malformed input)."""
        record = example.to_dict() if isinstance(example, Example) else dict(example)
        source = source or record.get("source", "unknown")
        key = (source, stage, rule)
        self.dropped[key] += 1
        if aggregate and not self._sampled(key):
            return
        self._write({
            "id": record.get("id", ""),
            "source": source,
            "stage": stage,
            "rule": rule,
            "detail": detail,
            "record": record,
        })

    def drop_lines(self, lines: bytes, counts: "dict[tuple[str, str, str], int]") -> None:
        """Record drops already written as rejects lines (``lines``: whole lines in UTF-8,
        each ending with a newline, exactly as :meth:`drop` would write them), counted per
        ``(source, stage, rule)`` in ``counts``: a source deciding a whole table at once
        writes its drops in one piece."""
        self.dropped.update(counts)
        if not lines:
            return
        if self.path is None:
            self.rows.extend(loads(line) for line in lines.splitlines())
            return
        handle = self._open()
        handle.flush()
        handle.buffer.write(lines)

    def _open(self) -> "IO[str]":
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8", newline="\n")
        return self._handle

    def _sampled(self, key: tuple[str, str, str]) -> bool:
        """Whether an aggregated drop of ``key`` is written in full (else it is only counted)."""
        if self._samples[key] >= MALFORMED_SAMPLES:
            self._unwritten[key] += 1
            return False
        self._samples[key] += 1
        return True

    def _write(self, row: dict[str, Any]) -> None:
        if self.path is None:
            self.rows.append(row)
            return
        self._open().write(dumps(row) + "\n")

    def keep(self, example: Example, *, stage: str) -> None:
        """Count ``example`` as having passed ``stage``."""
        self.kept[(example.source, stage)] += 1

    def merge(self, other: "Rejects") -> None:
        """Add another collector's counts and in-memory rows (e.g. from a worker process)."""
        self.dropped.update(other.dropped)
        self.kept.update(other.kept)
        for row in other.rows:
            key = (row["source"], row["stage"], row["rule"])
            # an aggregated drop is sampled again by this collector
            if key not in other._samples or self._sampled(key):
                self._write(row)
        self._unwritten.update(other._unwritten)

    def close(self) -> None:
        """Write the rows counting aggregated drops, and finish the file; a collector with a
        path and no drops still leaves an empty file."""
        for (source, stage, rule), count in sorted(self._unwritten.items()):
            self._write({
                "id": f"{source}:{stage}:{rule}:more", "source": source, "stage": stage, "rule": rule,
                "detail": f"{count} more drops of this kind, counted but not written "
                          f"(the first {MALFORMED_SAMPLES} are above)",
                "record": {}, "count": count,
            })
        self._unwritten.clear()
        if self.path is not None and self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def reasons_for(self, stage: str) -> dict[str, int]:
        """Drops per rule for one stage, over all sources."""
        totals: Counter[str] = Counter()
        for (_, row_stage, rule), count in self.dropped.items():
            if row_stage == stage:
                totals[rule] += count
        return dict(sorted(totals.items()))

    def table(self) -> list[dict[str, Any]]:
        """Rows ``{source, stage, rule, count}`` sorted, kept counts under rule ``"kept"``."""
        rows: Iterable[tuple[str, str, str, int]] = [
            *((source, stage, rule, n) for (source, stage, rule), n in self.dropped.items()),
            *((source, stage, "kept", n) for (source, stage), n in self.kept.items()),
        ]
        return [
            {"source": s, "stage": st, "rule": r, "count": n} for s, st, r, n in sorted(rows) if n
        ]
