"""A cost check for measurements on untrusted text: 1 MB must cost about ten times 100 kB, not a hundred."""

from __future__ import annotations

import time
from typing import Callable


def seconds(measure: Callable[[str], object], text: str, repeat: int) -> float:
    """The best of ``repeat`` timings (a busy machine only ever adds time)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        measure(text)
        best = min(best, time.perf_counter() - started)
    return best


def assert_linear(measure: Callable[[str], object], unit: str) -> None:
    """``measure`` on 1 MB of ``unit`` repeated costs under 40 times 100 kB of it (plus 1 s of
    slack for a busy machine); linear is about 10-15 times (more objects to collect), a
    quadratic pattern about a hundred times."""
    big = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    small = big[:100_000]
    assert seconds(measure, big, 2) < 40 * seconds(measure, small, 3) + 1.0
