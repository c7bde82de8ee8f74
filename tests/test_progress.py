"""Progress of long steps: the first line and heartbeats in a log, a bar on a terminal, nothing when off."""

import io
import logging
import time

import pytest

from lima_curate import progress


@pytest.fixture
def mode():
    """Set a progress mode for one test; the default comes back afterwards."""
    yield progress.configure
    progress.configure("log")


def progress_lines(caplog, level=logging.INFO):
    return [r.getMessage() for r in caplog.records if r.name == progress.LOGGER.name and r.levelno == level]


def test_a_log_gets_the_first_line_then_a_heartbeat_while_the_step_runs(mode, caplog):
    mode("log", heartbeat=0.05)
    with caplog.at_level(logging.DEBUG, logger=progress.LOGGER.name):
        with progress.task("embedding", total=10, unit="texts", note="0 of 10 in the cache") as step:
            step.advance(4)
            wait_for_beats(caplog, "embedding: ")
            time.sleep(0.15)
    lines = progress_lines(caplog)
    assert lines[0] == "embedding 10 texts (0 of 10 in the cache)"
    beats = lines[1:]
    assert beats and all(beat.startswith("embedding: 4/10 texts (40%), ") for beat in beats)
    assert len(beats) <= 8  # one a heartbeat, not one per advance
    assert progress_lines(caplog, logging.DEBUG) == ["embedding: 4 texts in 0 s"]


def test_a_short_step_has_no_heartbeat_and_no_size_threshold(mode, caplog):
    mode("log", heartbeat=30)
    with caplog.at_level(logging.INFO, logger=progress.LOGGER.name):
        with progress.task("dedup", total=3, unit="items") as step:
            step.advance(3)
    assert progress_lines(caplog) == ["dedup 3 items"]  # a step of three items shows like a big one


def wait_for_beats(caplog, prefix, seconds=5.0):
    """Wait (on a busy machine the heartbeat thread may be late) until a heartbeat line came."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not any(line.startswith(prefix) for line in progress_lines(caplog)):
        time.sleep(0.02)


def test_only_the_innermost_step_beats(mode, caplog):
    mode("log", heartbeat=0.05)
    with caplog.at_level(logging.INFO, logger=progress.LOGGER.name):
        with progress.task("writing outputs"):
            with progress.task("hashing inputs", total=2048, unit="B"):
                progress.advance(1024)  # the innermost open task
                wait_for_beats(caplog, "hashing inputs: ")
                time.sleep(0.15)
    lines = progress_lines(caplog)
    assert lines[:2] == ["writing outputs", "hashing inputs 2.0 KiB"]
    beats = lines[2:]
    assert beats and all(beat.startswith("hashing inputs: 1.0/2.0 KiB (50%)") for beat in beats)


def test_a_terminal_gets_a_bar_that_stays_as_a_line_with_count_and_time(mode, caplog):
    from rich.console import Console

    screen = io.StringIO()
    mode("bar", console=Console(file=screen, force_terminal=True, width=100, color_system=None))
    with caplog.at_level(logging.INFO, logger=progress.LOGGER.name):
        with progress.task("embedding", total=3, unit="texts", note="cache here") as step:
            step.advance(3)
        with progress.task("writing outputs"):
            pass
    shown = screen.getvalue()
    assert "embedding" in shown and "3/3 texts" in shown and "writing outputs" in shown
    assert progress_lines(caplog) == ["embedding: cache here"]  # the note, said once above the bar


def test_off_says_nothing(mode, caplog):
    mode("off")
    with caplog.at_level(logging.DEBUG, logger=progress.LOGGER.name):
        with progress.task("dedup", total=3, unit="items") as step:
            step.advance(3)
    assert progress_lines(caplog) == [] and progress_lines(caplog, logging.DEBUG) == []


def test_bytes_read_go_to_the_sink_set_and_nowhere_without_one():
    got = []
    previous = progress.set_byte_sink(got.append)
    try:
        progress.read_bytes(10)
    finally:
        progress.set_byte_sink(previous)
    progress.read_bytes(5)
    assert got == [10]


@pytest.mark.parametrize("done, total, unit, shown", [
    (256, 726, "texts", "256/726 texts"),
    (3, None, "items", "3 items"),
    (1.5 * 2**20, 31.8 * 2**20, "B", "1.5/31.8 MiB"),
    (512, 2048, "B", "0.5/2.0 KiB"),
])
def test_amounts(done, total, unit, shown):
    assert progress.amount(done, total, unit) == shown


def test_durations():
    assert [progress.duration(s) for s in (5, 250, 7500)] == ["5 s", "4 min 10 s", "2 h 05 min"]


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="progress mode"):
        progress.configure("loud")
