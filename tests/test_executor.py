"""The executor: units in order, here or in processes; helpers; logs and input errors from workers."""

from __future__ import annotations

import logging
import os
from functools import partial

import pytest

from lima_curate.errors import InputError
from lima_curate.executor import Executor, Helpers, Unit


def numbers(start: int, count: int):
    for value in range(start, start + count):
        yield value, os.getpid()


def square(value: int) -> int:
    return value * value


def with_helpers(values: list[int], helpers: "Helpers | None" = None):
    """Squares, computed by helpers when there are some; says how many helper processes it had."""
    if helpers is None:
        yield from ((square(v), 0) for v in values)
        return
    out = []
    for value in values:
        helpers.submit(square, value)
        out.extend(helpers.done())
    out.extend(helpers.rest())
    yield from ((v, helpers.processes) for v in out)


def noisy(label: str):
    logging.getLogger("lima_curate.test_unit").warning("unit %s says hello", label)
    yield label


def broken(path: str):
    yield "before"
    raise InputError(path, "bad row", "line 3")


def run(executor: Executor, units: list[Unit]) -> list[list]:
    return [list(results) for results in executor.run(units)]


def units(size: int = 0) -> list[Unit]:
    return [Unit(partial(numbers, start, 50), size=size) for start in (0, 100, 200)]


def test_units_run_here_lazily_in_order():
    results = Executor(1).run(units())
    first = next(results)  # nothing of the second unit has run yet
    assert [v for v, _ in first] == list(range(50))
    assert [[v for v, _ in r] for r in results] == [list(range(100, 150)), list(range(200, 250))]


@pytest.mark.slow
def test_parallel_processes_give_the_same_results_in_the_same_order():
    here = run(Executor(1), units())
    there = run(Executor(2, min_parallel_bytes=0), units())
    assert [[v for v, _ in r] for r in there] == [[v for v, _ in r] for r in here]
    assert {pid for r in there for _, pid in r} != {os.getpid()}  # they did run elsewhere
    # small inputs stay in this process, whatever the number of workers
    assert {pid for r in run(Executor(2), units(size=100)) for _, pid in r} == {os.getpid()}


@pytest.mark.slow
def test_spare_processes_are_helpers_of_a_lone_unit():
    unit = Unit(partial(with_helpers, list(range(300))), size=1, helpers=3)
    (alone,) = run(Executor(2, min_parallel_bytes=0), [unit])
    assert alone == [(v * v, 1) for v in range(300)]  # 2 processes, 1 unit: one helper, order kept
    (without,) = run(Executor(1), [unit])
    assert without == [(v * v, 0) for v in range(300)]
    # as many units as processes: no spare process, no helper
    assert {h for r in run(Executor(2, min_parallel_bytes=0), [unit, unit]) for _, h in r} == {0}


@pytest.mark.slow
def test_logs_of_workers_are_logged_here(caplog):
    with caplog.at_level(logging.INFO):
        assert run(Executor(2, min_parallel_bytes=0), [Unit(partial(noisy, "a")), Unit(partial(noisy, "b"))]) == [
            ["a"], ["b"]]
    said = [r.getMessage() for r in caplog.records if r.name == "lima_curate.test_unit"]
    assert said == ["unit a says hello", "unit b says hello"]


@pytest.mark.slow
def test_an_input_error_in_a_worker_is_raised_here_with_its_place():
    with pytest.raises(InputError) as error:
        run(Executor(2, min_parallel_bytes=0), [Unit(partial(numbers, 0, 2)), Unit(partial(broken, "posts.xml"))])
    assert (error.value.path, error.value.place, str(error.value)) == ("posts.xml", "line 3", "posts.xml:line 3: bad row")


def test_an_input_error_here_is_raised_as_it_is():
    results = Executor(1).run([Unit(partial(broken, "posts.xml"))])
    with pytest.raises(InputError, match="bad row"):
        list(next(results))


def test_negative_workers_are_refused():
    with pytest.raises(ValueError, match="workers"):
        Executor(-1)


def reading(chunks: int, chunk_bytes: int):
    """A unit that reads ``chunks`` pieces of input, reporting each, and yields after each."""
    from lima_curate import progress

    for n in range(chunks):
        progress.read_bytes(chunk_bytes)
        yield n


def test_bytes_read_here_are_reported_as_read_capped_at_the_unit_and_completed_at_its_end():
    reported: list[float] = []
    units = [Unit(partial(reading, 4, 10), size=30), Unit(partial(numbers, 0, 2), size=7)]
    results = Executor(1).run(units, on_bytes=reported.append)
    first = next(results)
    assert next(first) == 0 and reported == [10]  # counted while the unit runs, not at its end
    assert list(first) == [1, 2, 3] and sum(reported) == 30  # the unit read 40: capped at its size
    list(next(results))  # a unit that reports nothing counts in full when it is done
    assert sum(reported) == 37


@pytest.mark.slow
def test_bytes_read_in_workers_are_reported_here():
    reported: list[float] = []
    units = [Unit(partial(reading, 1, 10), size=30), Unit(partial(reading, 1, 20), size=50)]
    results = run_with(Executor(2, min_parallel_bytes=0), units, reported.append)
    assert results == [[0], [0]]
    assert sum(reported) == 80 and all(step > 0 for step in reported)
    assert 10 in reported or 20 in reported  # a worker's own count came through before its unit was done


def run_with(executor: Executor, units: list[Unit], on_bytes) -> list[list]:
    return [list(results) for results in executor.run(units, on_bytes=on_bytes)]
