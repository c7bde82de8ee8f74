"""The ``lima-curate`` console entry point, kept light so that Ctrl-C is handled from the start.

The command-line code imports typer and its helpers, which takes a moment; a Ctrl-C in
that moment would print a traceback. Here it ends the program like any later Ctrl-C:
one line on standard error and exit status 130.
"""

from __future__ import annotations

import sys

INTERRUPTED = "error: interrupted; no finished output was written"


def main() -> None:
    """Load the command line and run it; Ctrl-C at any point ends in one line, exit 130."""
    try:
        from lima_curate.cli import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.exit(130)
    except SystemExit as stop:
        # typer turns a Ctrl-C outside a command's own handling (while it parses the
        # arguments) into a silent exit 130: say it in the same one line
        if _silent_interrupt(stop):
            sys.stderr.write(INTERRUPTED + "\n")
        raise


def _silent_interrupt(stop: SystemExit) -> bool:
    """True for typer's ``Exit(130)`` raised straight from a KeyboardInterrupt (no message)."""
    exit_ = stop.__context__
    return stop.code == 130 and exit_ is not None and isinstance(exit_.__cause__, KeyboardInterrupt)
