"""The ``lima-curate`` command line: parses arguments and calls the library, nothing more.

:func:`run` is the console entry point; ``main.app`` the typer app, one module per command
(``train`` lives in :mod:`lima_curate.train.cli`). ``lima-curate --help`` loads no heavy library.
"""

from __future__ import annotations

import sys

from lima_curate.interrupts import INTERRUPTED


def run() -> None:
    """The console entry point: load the app and run it; Ctrl-C at any moment (the imports
    included, which take a moment) ends in one line on standard error and exit 130."""
    try:
        from lima_curate.cli.main import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write(f"error: {INTERRUPTED}\n")
        sys.exit(130)
    except SystemExit as stop:
        # typer turns a Ctrl-C outside a command's own handling (while it parses the
        # arguments) into a silent exit 130: say it in the same one line
        context = stop.__context__
        if stop.code == 130 and context is not None and isinstance(context.__cause__, KeyboardInterrupt):
            sys.stderr.write(f"error: {INTERRUPTED}\n")
        raise
