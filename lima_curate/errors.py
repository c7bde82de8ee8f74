"""Errors a user can cause and fix; the CLI prints them in one line, without a traceback."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input data: the message names the file and, when known, the place in it.

    A ValueError, so code that guards a parse with ``except ValueError`` also catches it.
    """

    def __init__(self, path: "Path | str", message: str, place: "str | None" = None) -> None:
        self.path = str(path)
        self.place = place
        self.message = message
        where = f"{self.path}:{place}" if place else self.path
        super().__init__(f"{where}: {message}")


class OutputError(InputError):
    """An output place that cannot be used as asked (a folder lima-curate did not write, a
    build already running there); reported like :class:`InputError`, naming the path."""
