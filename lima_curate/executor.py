"""Runs work units in this process or in parallel processes, and gives their results back in order.

A :class:`Unit`'s ``work`` is a picklable callable that yields results; :meth:`Executor.run` gives
back one iterator per unit, in the order given, whatever the number of processes. With one process
(``workers`` 1, one unit, or inputs under ``min_parallel_bytes``) units run here as they are read;
otherwise in spawned processes (not forked: the parent may hold threads; a script needs the
``if __name__ == "__main__":`` guard), each writing its results to a temporary file read back in
order; a worker's log records are logged again here, its InputError raised again. Input bytes that
units report with :func:`lima_curate.progress.read_bytes` reach ``on_bytes``. Spare processes become
:class:`Helpers`: with ``P`` processes and ``U`` units at once, a unit gets ``P // U - 1``, at most its
``helpers``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from lima_curate import progress
from lima_curate.errors import InputError

PARALLEL_MIN_BYTES = 32 * 2**20  # smaller inputs are read in one process
IN_FLIGHT_PER_HELPER = 64  # tasks queued per helper before the unit waits for results
RESULTS_PER_CHUNK = 1024  # results pickled together in a worker's results file
POLL_SECONDS = 0.5  # how often the parent reads the workers' byte counters while it waits

BytesReport = Callable[[float], None]


def _spawn() -> Any:
    return multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Unit:
    """One piece of work: ``work()`` yields its results; ``size`` is the bytes it reads;
    ``helpers`` the most helper processes it can use (then it is called with ``helpers=``)."""

    work: Callable[..., Iterable[Any]]
    size: int = 0
    helpers: int = 0


class Helpers:
    """Processes a unit hands side tasks to while it keeps working; results come back in the
    order the tasks were sent."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=_spawn())
        self._pending: deque[Future] = deque()
        self._limit = processes * IN_FLIGHT_PER_HELPER

    def __enter__(self) -> "Helpers":
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, task: Callable[..., Any], *args: Any) -> None:
        """Send ``task(*args)`` to a helper."""
        self._pending.append(self._pool.submit(task, *args))

    def done(self) -> Iterator[Any]:
        """Results of the oldest tasks that have finished, oldest first; while too many tasks
        are out, waits for the oldest."""
        pending = self._pending
        while pending and (pending[0].done() or len(pending) > self._limit):
            yield pending.popleft().result()

    def rest(self) -> Iterator[Any]:
        """The results of every task still out, oldest first (waits for them)."""
        while self._pending:
            yield self._pending.popleft().result()


class Executor:
    """Runs units with up to ``workers`` processes (0: one per core); see the module docstring."""

    def __init__(self, workers: int = 1, *, min_parallel_bytes: "int | None" = None) -> None:
        if workers < 0:
            raise ValueError(f"workers: expected 0 or more, got {workers}")
        self.workers = workers
        self.min_parallel_bytes = PARALLEL_MIN_BYTES if min_parallel_bytes is None else min_parallel_bytes

    def run(self, units: Sequence[Unit], *, on_bytes: "BytesReport | None" = None) -> Iterator[Iterator[Any]]:
        """One iterator per unit, in the order given, over that unit's results. Read each
        before asking for the next; close the outer iterator if it is not read to the end.
        ``on_bytes(n)``: ``n`` more input bytes were read, each unit counted up to its ``size``."""
        processes = self.workers or os.cpu_count() or 1
        if sum(unit.size for unit in units) < self.min_parallel_bytes:
            processes = 1
        parallel = max(1, min(processes, len(units)))
        spare = processes // parallel - 1
        meter = _Meter([unit.size for unit in units], on_bytes)
        if parallel == 1:
            return (_run_metered(unit, min(spare, unit.helpers), meter, n) for n, unit in enumerate(units))
        return _run_in_pool(units, parallel, spare, meter)


class _Meter:
    """Input bytes read per unit, each capped at the unit's size, reported as they grow."""

    def __init__(self, sizes: Sequence[int], report: "BytesReport | None") -> None:
        self.sizes, self.report = list(sizes), report
        self.counted = [0.0] * len(sizes)

    def reach(self, unit: int, read: float) -> None:
        """Unit ``unit`` has read ``read`` bytes in all."""
        read = min(read, self.sizes[unit])
        if read > self.counted[unit]:
            step, self.counted[unit] = read - self.counted[unit], read
            if self.report is not None:
                self.report(step)

    def done(self, unit: int) -> None:
        self.reach(unit, self.sizes[unit])


def _run_metered(unit: Unit, helpers: int, meter: _Meter, number: int) -> Iterator[Any]:
    """:func:`_run_here`, counting the bytes the unit reports while it computes each result."""
    read = 0.0

    def sink(n: float) -> None:
        nonlocal read
        read += n
        meter.reach(number, read)

    results = iter(_run_here(unit, helpers))
    while True:
        previous = progress.set_byte_sink(sink)
        try:
            result = next(results)
        except StopIteration:
            break
        finally:
            progress.set_byte_sink(previous)
        yield result
    meter.done(number)


def _run_here(unit: Unit, helpers: int) -> Iterator[Any]:
    """The unit's results, computed in this process as they are read."""
    if not unit.helpers:
        yield from unit.work()
    elif helpers <= 0:
        yield from unit.work(helpers=None)
    else:
        with Helpers(helpers) as pool:
            yield from unit.work(helpers=pool)


def _run_in_pool(units: Sequence[Unit], parallel: int, spare: int, meter: _Meter) -> Iterator[Iterator[Any]]:
    folder = tempfile.mkdtemp(prefix="lima-units-")
    context = _spawn()
    read = context.Array("d", len(units), lock=False)  # bytes each unit has read, written by its worker
    pool = ProcessPoolExecutor(max_workers=parallel, mp_context=context, initializer=_share_counters,
                               initargs=(read,))
    level = logging.getLogger().getEffectiveLevel()
    try:
        futures = [
            pool.submit(_run_in_worker, unit, min(spare, unit.helpers), os.path.join(folder, f"{n:05d}.pickle"),
                        level, n)
            for n, unit in enumerate(units)
        ]
        for number, future in enumerate(futures):
            report: "_Report | None" = None
            while report is None:  # meanwhile, pass on the bytes read by every unit
                with contextlib.suppress(WaitTimeout):
                    report = future.result(timeout=POLL_SECONDS)
                for counted in range(len(units)):
                    meter.reach(counted, read[counted])
            for name, record_level, message in report.logs:
                logging.getLogger(name).log(record_level, "%s", message)
            if report.error is not None:
                raise InputError(*report.error)
            meter.done(number)
            yield _read_results(report.path)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(folder, ignore_errors=True)


_counters: Any = None  # in a worker: the shared bytes-read counters, one per unit


def _share_counters(counters: Any) -> None:
    global _counters
    _counters = counters


@dataclass(frozen=True)
class _Report:
    path: str
    logs: list
    error: "tuple[str, str, str | None] | None" = None  # an InputError's parts: it does not pickle


class _LogRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _run_in_worker(unit: Unit, helpers: int, path: str, level: int, number: int) -> _Report:
    """In a worker process: run the unit, pickling its results to ``path`` in chunks, its
    bytes read counted in the shared counter ``number``."""
    logs = _LogRecords()
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(logs)
    read = 0.0

    def sink(n: float) -> None:
        nonlocal read
        read += n
        if _counters is not None:
            _counters[number] = read

    previous = progress.set_byte_sink(sink)
    try:
        with open(path, "wb") as handle:
            chunk: list[Any] = []
            for result in _run_here(unit, helpers):
                chunk.append(result)
                if len(chunk) >= RESULTS_PER_CHUNK:
                    pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
                    chunk = []
            if chunk:
                pickle.dump(chunk, handle, protocol=pickle.HIGHEST_PROTOCOL)
    except InputError as error:
        return _Report(path, logs.records, (error.path, error.message, error.place))
    finally:
        progress.set_byte_sink(previous)
        root.removeHandler(logs)
    return _Report(path, logs.records)


def _read_results(path: str) -> Iterator[Any]:
    """A worker's results, read back chunk by chunk; the file goes when they are read."""
    try:
        with open(path, "rb") as handle:
            while True:
                try:
                    chunk = pickle.load(handle)
                except EOFError:
                    return
                yield from chunk
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
