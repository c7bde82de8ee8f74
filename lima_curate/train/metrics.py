"""metrics.jsonl: one JSON row per logged optimiser step, appended and flushed by the main rank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lima_curate.atomic import write_text
from lima_curate.records import dumps


class MetricsLog:
    def __init__(self, path: Path, enabled: bool, *, keep_until_step: int = 0) -> None:
        self._handle = None
        if enabled:  # rows after the step a run resumes from are cut off
            kept = [row for row in read_metrics(path) if row.get("step", 0) <= keep_until_step]
            write_text(path, "".join(dumps(row) + "\n" for row in kept))
            self._handle = open(path, "a", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        if self._handle is not None:
            self._handle.write(dumps(row) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """The rows of a metrics.jsonl ([] when absent); a torn last line from a crash is skipped."""
    path = Path(path)
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows
