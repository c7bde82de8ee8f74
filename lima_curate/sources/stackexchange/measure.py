"""Measuring answers: clean text plus the meta the answer rules and ``not_english`` compare.

Cleaning HTML and identifying the language cost far more than parsing a row, so when
the extraction has spare cores, answers are measured in helper processes *while*
Posts.xml is still being read: the scan hints each answer that is, so far, its
question's best one above the score threshold (:func:`.se_scan.scan_posts`), batches
go to a process pool, and the results are stored in the site's spill file. An answer
not measured ahead (no helpers, or not hinted) is measured when needed. The result is
the same either way: measuring is a pure function of the answer's HTML and the seed.

Each measurement is taken only when the rules before it pass: the wording (first
person, references) for answers of an acceptable length, and the language, the
costliest of all, for answers that pass the wording rules too.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from lima_curate.config import StackExchangeConfig
from lima_curate.records import Example
from lima_curate.rules import Rule
from lima_curate.sources.stackexchange import rules as se_rules
from lima_curate.sources.stackexchange.scan import Spill
from lima_curate.text.html import clean_html

BATCH = 32  # answers per task sent to a helper
IN_FLIGHT_PER_HELPER = 64  # tasks queued per helper before the scan waits (~5 MB; covers helper start-up)


@functools.lru_cache(maxsize=8)
def _rules(config: StackExchangeConfig) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    return se_rules.length_rules(config), se_rules.wording_rules()


def _passes(meta: dict[str, Any], rules: tuple[Rule, ...]) -> bool:
    probe = Example(id="", source="stackexchange", domain="", messages=(), meta=meta)
    return all(rule(probe) is None for rule in rules)


def measure_answer_html(
    html: str, config: StackExchangeConfig, seed: int, language: bool = False
) -> tuple[str, dict[str, Any]]:
    """Clean text of an answer and its measurements, each taken only if the rules before it pass:
    length; wording (when the length rules pass); with ``language``, the language (when the
    wording rules pass too; otherwise the caller measures it when it needs it)."""
    text = clean_html(html).text
    meta = se_rules.measure_length(text)
    length_rules, wording_rules = _rules(config)
    if _passes(meta, length_rules):
        meta.update(se_rules.measure_wording(text))
        if language and _passes(meta, wording_rules):
            meta.update(se_rules.measure_language(text, seed=seed))
    return text, meta


def measure_batch(
    batch: list[tuple[int, str]], config: StackExchangeConfig, seed: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """Helper-process task: measure a batch of (answer id, html)."""
    return [(answer_id, *measure_answer_html(html, config, seed, language=True)) for answer_id, html in batch]


class AnswerMeasurer:
    """Measures answers ahead in ``helpers`` processes (none: on demand), storing results in ``spill``."""

    def __init__(self, config: StackExchangeConfig, seed: int, spill: Spill, helpers: int = 0) -> None:
        self.config, self.seed, self.spill = config, seed, spill
        self.done: dict[int, int] = {}  # answer id -> spill offset of (text, meta)
        self._batch: list[tuple[int, str]] = []
        self._pending: deque[Future] = deque()
        self._limit = max(1, helpers) * IN_FLIGHT_PER_HELPER
        self._pool = (
            ProcessPoolExecutor(max_workers=helpers, mp_context=multiprocessing.get_context("spawn"))
            if helpers > 0
            else None
        )

    @property
    def ahead(self) -> bool:
        """True when answers are measured in helper processes."""
        return self._pool is not None

    def hint(self, answer_id: int, html: str) -> None:
        """Measure this answer ahead (it may be chosen); a no-op without helpers."""
        if self._pool is None:
            return
        self._batch.append((answer_id, html))
        if len(self._batch) >= BATCH:
            self._submit()

    def _submit(self) -> None:
        if self._batch and self._pool is not None:
            self._pending.append(self._pool.submit(measure_batch, self._batch, self.config, self.seed))
            self._batch = []
        self._collect(wait=False)

    def _collect(self, wait: bool) -> None:
        while self._pending and (wait or self._pending[0].done() or len(self._pending) > self._limit):
            for answer_id, text, meta in self._pending.popleft().result():
                self.done[answer_id] = self.spill.write((text, meta))

    def finish(self) -> None:
        """Wait for the answers measured ahead; stop the helpers."""
        if self._pool is None:
            return
        try:
            self._submit()
            self._collect(wait=True)
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def measured(self, answer_id: int, html: str) -> tuple[str, dict[str, Any]]:
        """Clean text and measurements of an answer: measured ahead, or now."""
        offset = self.done.get(answer_id)
        if offset is not None:
            text, meta = self.spill.read(offset)
            return text, meta
        return measure_answer_html(html, self.config, self.seed)
