"""Ctrl-C held back during a step that must not be cut in half, then raised."""

from __future__ import annotations

import os
import signal

import pytest

from lima_curate.interrupts import deferred, held


def test_a_ctrl_c_inside_a_deferred_block_is_raised_after_it():
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with deferred():
            os.kill(os.getpid(), signal.SIGINT)
            finished.append(True)  # still runs: the interrupt waits
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_held_reports_and_nothing_is_raised_without_a_signal():
    with held() as received:
        pass
    assert received == []
    with deferred():
        pass
