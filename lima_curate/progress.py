"""Progress of the steps that can take long: a bar on a terminal, a heartbeat line in a log.

Library code wraps every long step in :func:`task` and reports work through the handle, or with
:func:`advance` (the innermost open task) from deeper code; input readers report bytes with
:func:`read_bytes`, which the executor turns into the extraction's progress. :func:`configure` sets
where it goes, once per process: ``"bar"`` (a rich bar on the console; a finished step stays as one
line), ``"log"`` (the default: the step's first line, then a heartbeat every ``heartbeat`` seconds
at INFO on ``lima_curate.progress``, the finished step at DEBUG) or ``"off"``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

LOGGER = logging.getLogger("lima_curate.progress")
MODES = ("bar", "log", "off")
HEARTBEAT_SECONDS = 30.0


@dataclass
class _Settings:
    mode: str = "log"
    heartbeat: float = HEARTBEAT_SECONDS
    console: Any = None


_settings = _Settings()
_open: list["Task"] = []  # innermost last
_bar: Any = None  # the rich Progress while a task is open in "bar" mode
_byte_sink: "Callable[[float], None] | None" = None


def configure(mode: str = "log", *, heartbeat: "float | None" = None, console: Any = None) -> None:
    """Send progress to a bar on ``console`` (``"bar"``), to the log (``"log"``) or nowhere."""
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "bar" and console is None:
        raise ValueError("progress mode 'bar' needs a rich console")
    _settings.mode = mode
    _settings.heartbeat = HEARTBEAT_SECONDS if heartbeat is None else float(heartbeat)
    _settings.console = console


def mode() -> str:
    return _settings.mode


def amount(done: float, total: "float | None", unit: str) -> str:
    """``256/726 texts``, ``1.2/31.8 MiB`` or ``256 texts`` (no total)."""
    if unit == "B":
        scale, suffix = _byte_scale(max(total or 0, done))
        shown = f"{done / scale:.1f}" if total is None else f"{done / scale:.1f}/{total / scale:.1f}"
        return f"{shown} {suffix}"
    shown = f"{int(done):,}" if total is None else f"{int(done):,}/{int(total):,}"
    return f"{shown} {unit}".rstrip()


def _byte_scale(size: float) -> tuple[float, str]:
    for scale, suffix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if size >= scale:
            return float(scale), suffix
    return 1.0, "B"


def duration(seconds: float) -> str:
    """``42 s``, ``4 min 10 s``, ``2 h 05 min``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Task:
    """One step in progress: ``advance(n)`` as work is done; see the module docstring."""

    def __init__(self, label: str, total: "float | None", unit: str, note: str) -> None:
        self.label, self.total, self.unit, self.note = label, total, unit, note
        self.completed = 0.0
        self.started = time.monotonic()
        self._bar_id: Any = None
        self._stop = threading.Event()

    @property
    def headline(self) -> str:
        """The step's first line: ``embedding 726 texts (note)``."""
        size = "" if self.total is None else " " + amount(self.total, None, self.unit)
        return f"{self.label}{size}" + (f" ({self.note})" if self.note else "")

    def status(self) -> str:
        """``embedding: 256/726 texts (35%), 20 s``: what a heartbeat line says."""
        share = f" ({100 * self.completed / self.total:.0f}%)" if self.total else ""
        return f"{self.label}: {amount(self.completed, self.total, self.unit)}{share}, " \
               f"{duration(time.monotonic() - self.started)}"

    def advance(self, n: float = 1) -> None:
        self.completed += n
        if self._bar_id is not None and _bar is not None:
            _bar.update(self._bar_id, completed=self.completed)

    def _beat(self) -> None:
        while not self._stop.wait(_settings.heartbeat):
            if _open and _open[-1] is self:
                LOGGER.info("%s", self.status())


@contextlib.contextmanager
def task(label: str, *, total: "float | None" = None, unit: str = "", note: str = "") -> Iterator[Task]:
    """Show the progress of the step run inside the block (``total`` None: count unknown)."""
    step = Task(label, total, unit, note)
    beat = None
    if _settings.mode == "log":
        LOGGER.info("%s", step.headline)
        beat = threading.Thread(target=step._beat, name=f"progress: {label}", daemon=True)
        beat.start()
    elif _settings.mode == "bar":
        if note:  # the bar shows the label and the amount: say the note once, above it
            LOGGER.info("%s: %s", label, note)
        _add_to_bar(step)
    _open.append(step)
    try:
        yield step
    finally:
        _open.remove(step)
        step._stop.set()
        if beat is not None:
            beat.join()
            LOGGER.debug("%s: %s in %s", label, amount(step.completed, None, unit) if unit else "done",
                         duration(time.monotonic() - step.started))
        if step._bar_id is not None:
            _finish_on_bar(step)


def advance(n: float = 1) -> None:
    """Advance the innermost open task (nothing when none is open)."""
    if _open:
        _open[-1].advance(n)


def read_bytes(n: float) -> None:
    """Report ``n`` bytes of input read (see :func:`set_byte_sink`)."""
    if _byte_sink is not None:
        _byte_sink(n)


def set_byte_sink(sink: "Callable[[float], None] | None") -> "Callable[[float], None] | None":
    """Send :func:`read_bytes` to ``sink`` (the executor does it per unit); return the previous sink."""
    global _byte_sink
    previous, _byte_sink = _byte_sink, sink
    return previous


# ---------------------------------------------------------------- the bar (rich)


def _add_to_bar(step: Task) -> None:
    global _bar
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class Amount(ProgressColumn):
        def render(self, shown: Any) -> Text:
            unit = shown.fields.get("unit", "")
            return Text(amount(shown.completed, shown.total, unit) if unit else "")

    if _bar is None:
        _bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24), Amount(),
                        TimeElapsedColumn(), console=_settings.console, transient=False)
        _bar.start()
    step._bar_id = _bar.add_task(step.label, total=step.total, unit=step.unit)


def _finish_on_bar(step: Task) -> None:
    global _bar
    if _bar is None:
        return
    if step.total is None:
        _bar.update(step._bar_id, total=max(step.completed, 1), completed=max(step.completed, 1))
    elif step.completed < step.total:  # a step may end early (nothing left to do): show it whole
        _bar.update(step._bar_id, completed=step.total)
    _bar.stop_task(step._bar_id)
    if not any(open_step._bar_id is not None for open_step in _open):
        _bar.stop()
        _bar = None
