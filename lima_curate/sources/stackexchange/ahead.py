"""Answers measured in helper processes while a site's Posts.xml is still being read.

The scan hints each answer that is, so far, its question's best at or above the measuring floor
(and that the HTML length window keeps); the executor's helpers take its measurements of
:data:`.measure.ANSWER_KEYS`, kept in the site's spill file until the candidates are decided. An
answer not measured ahead is measured when a rule needs it; the outcome is the same either way,
since measuring is a pure function of the answer's HTML.
"""

from __future__ import annotations

from typing import Any, Iterator

from lima_curate.config import StackExchangeConfig
from lima_curate.executor import Helpers
from lima_curate.sources.stackexchange.measure import answer_measurements
from lima_curate.sources.stackexchange.scan import Spill


def measure_batch(batch: list[tuple[int, str]]) -> list[tuple[int, dict[str, Any]]]:
    """Helper-process task: every answer measurement of a batch of (answer id, html)."""
    return [(answer_id, answer_measurements(html)) for answer_id, html in batch]


class AnswersAhead:
    """See the module docstring; the decisions read it as a mapping: answer id -> measurements."""

    BATCH = 32  # answers per task sent to a helper

    def __init__(self, helpers: Helpers, config: StackExchangeConfig, spill: Spill) -> None:
        self.helpers, self.spill = helpers, spill
        self.window = (config.min_answer_chars, config.max_answer_chars) if config.length_measure == "html" else None
        self._offsets: dict[int, int] = {}  # answer id -> spill offset of its measurements
        self._batch: list[tuple[int, str]] = []

    def hint(self, answer_id: int, html: str) -> None:
        """Measure this answer ahead (it may be chosen)."""
        if self.window is not None and not self.window[0] <= len(html) <= self.window[1]:
            return
        self._batch.append((answer_id, html))
        if len(self._batch) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self.helpers.submit(measure_batch, self._batch)
            self._batch = []
        self._keep(self.helpers.done())

    def _keep(self, results: Iterator[list[tuple[int, dict[str, Any]]]]) -> None:
        for batch in results:
            for answer_id, measurements in batch:
                self._offsets[answer_id] = self.spill.write((measurements,))

    def finish(self) -> None:
        """Wait for every answer sent to the helpers."""
        self._send()
        self._keep(self.helpers.rest())

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self._offsets

    def __getitem__(self, answer_id: int) -> dict[str, Any]:
        return self.spill.read(self._offsets[answer_id])[0]
