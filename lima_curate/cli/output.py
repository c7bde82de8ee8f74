"""What a command prints while it works: every message through one channel.

Library code never prints: it logs (facts about the data as WARNINGs, progress through
:mod:`lima_curate.progress`). :func:`session` puts one handler on the root logger for a
command: quiet shows errors only; normal also lima-curate's warnings, once each, and the
progress of long steps; verbose also its details, each step's time and the libraries'
warnings. Lines wrap to the console's width (80 columns in a pipe).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import textwrap
from typing import Any, Iterator

from lima_curate import progress

QUIET, NORMAL, VERBOSE = 0, 1, 2
OWN = "lima_curate"


class Channel(logging.Handler):
    """The one handler: formats, filters by verbosity, and counts lima-curate's warnings."""

    def __init__(self, console: Any, verbosity: int) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.verbosity = verbosity
        self.warnings = 0

    def shows(self, record: logging.LogRecord, own: bool) -> bool:
        if record.levelno >= logging.ERROR or self.verbosity >= VERBOSE:
            return True
        if self.verbosity == QUIET or not own:
            return False
        return record.levelno >= logging.WARNING or record.name == progress.LOGGER.name

    def emit(self, record: logging.LogRecord) -> None:
        try:
            own = record.name == OWN or record.name.startswith(OWN + ".")
            if own and logging.WARNING <= record.levelno < logging.ERROR:
                self.warnings += 1
            if not self.shows(record, own):
                return
            self.console.print(self.format_line(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # a broken stream must not end the build
            self.handleError(record)

    def format_line(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip()
        if record.name == "py.warnings":  # "file:line: Category: text" and the source line under it
            message = message.splitlines()[0]
        if record.levelno >= logging.ERROR:
            text = f"error: {message}"
        elif record.levelno >= logging.WARNING:
            text = f"warning: {message}"
        elif record.name == progress.LOGGER.name:
            text = f"· {message}"
        else:
            text = f"  {record.name.removeprefix(OWN + '.')}: {message}"
        return wrap(text, self.console.width)


def wrap(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` columns, continuation lines indented by two spaces; a word
    that fits on a line (a path, a name) is never split, a longer one is cut to fit."""
    return "\n".join(textwrap.fill(line, width=max(width, 20), subsequent_indent="  ", break_long_words=True,
                                   break_on_hyphens=False) or line for line in text.splitlines() or [""])


def stdout_width() -> int:
    """The width of standard output: the terminal's, else 80 (or ``COLUMNS``)."""
    from rich.console import Console

    return Console(file=sys.stdout).width


@contextlib.contextmanager
def session(verbosity: int = NORMAL, *, heartbeat: "float | None" = None) -> Iterator[Channel]:
    """Route logging (and Python warnings) to one handler and set the progress mode for the
    block; everything is put back afterwards."""
    from rich.console import Console

    console = Console(file=sys.stderr, soft_wrap=True, highlight=False)  # 80 columns when not a terminal
    channel = Channel(console, verbosity)
    root = logging.getLogger()
    own = logging.getLogger(OWN)
    root_level, own_level, mode = root.level, own.level, progress.mode()
    for handler in list(root.handlers):  # a handler of an earlier session in this process (tests)
        if isinstance(handler, Channel):
            root.removeHandler(handler)
    root.addHandler(channel)
    level = logging.DEBUG if verbosity >= VERBOSE else logging.INFO
    root.setLevel(level)
    own.setLevel(level)
    logging.captureWarnings(True)
    if verbosity == QUIET:
        progress.configure("off")
    elif console.is_terminal:
        progress.configure("bar", console=console, heartbeat=heartbeat)
    else:
        progress.configure("log", heartbeat=heartbeat)
    try:
        yield channel
    finally:
        logging.captureWarnings(False)
        root.removeHandler(channel)
        root.setLevel(root_level)
        own.setLevel(own_level)
        progress.configure(mode if mode != "bar" else "log")
