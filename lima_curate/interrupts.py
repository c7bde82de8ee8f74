"""Holding back Ctrl-C (SIGINT) while a step must not be cut in half.

Some steps are not safe to interrupt: the two renames that put a result in place, and the
import and loading of the embedding model (torch's C++ code aborts the whole process,
exit -6, when a KeyboardInterrupt surfaces inside it). :func:`held` records a Ctrl-C
that arrives during the block instead of raising it; :func:`deferred` raises it as soon
as the block is done, so the program still ends with Ctrl-C's exit status.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

INTERRUPTED = "interrupted; no finished output was written"  # what the command line says on Ctrl-C


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """Record SIGINT instead of raising it during the block; yields the list of signals received.

    Only the main thread can install signal handlers; elsewhere (and when SIGINT is ignored)
    the block runs unchanged.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Run the block whole; a Ctrl-C received meanwhile is raised (KeyboardInterrupt) after it."""
    with held() as received:
        yield
    if received:
        raise KeyboardInterrupt
