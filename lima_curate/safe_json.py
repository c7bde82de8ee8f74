"""The one way the package parses JSON it did not write: bad input is a :class:`JSONError`, never a crash.

Deep nesting (a RecursionError in the standard parser) and integers past Python's 4300-digit limit
become a one-line JSONError, and nesting deeper than :data:`MAX_DEPTH` is refused whatever the call
stack. ``orjson`` is used when installed (about 1.4x as fast); what it refuses is parsed again by the
standard library, so the result is the same with or without it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

#: deepest nesting of arrays and objects accepted; real inputs stay under 60 (a Reddit
#: thread adds five levels per reply)
MAX_DEPTH = 400


class JSONError(ValueError):
    """Text that is not acceptable JSON; ``msg`` is one line, ``lineno``/``colno`` 1-based or None."""

    def __init__(self, msg: str, lineno: "int | None" = None, colno: "int | None" = None) -> None:
        self.msg, self.lineno, self.colno = msg, lineno, colno
        super().__init__(msg)

    @property
    def place(self) -> "str | None":
        """``"line:column"`` when known."""
        return f"{self.lineno}:{self.colno}" if self.lineno is not None else None


def _fast_parser() -> "Callable[[str], Any] | None":
    try:
        import orjson
    except ImportError:
        return None
    fast, refused = orjson.loads, orjson.JSONDecodeError

    def parse(text: "str | bytes") -> Any:
        try:
            return fast(text)
        except refused:
            return json.loads(text)

    return parse


_PARSE: Callable[[Any], Any] = _fast_parser() or json.loads
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


def loads(text: "str | bytes") -> Any:
    """Parse ``text``; raise :class:`JSONError` for anything that is not acceptable JSON."""
    try:
        value = _PARSE(text)
    except json.JSONDecodeError as error:
        raise JSONError(error.msg, error.lineno, error.colno) from None
    except RecursionError:
        raise JSONError(_TOO_DEEP) from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise JSONError(str(error).split("\n", 1)[0][:200] or type(error).__name__) from None
    brackets = ("[", "{") if isinstance(text, str) else (b"[", b"{")
    # a fast count first: too few brackets cannot nest deeper than the limit
    if sum(map(text.count, brackets)) > MAX_DEPTH and nesting_depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise JSONError(_TOO_DEEP)
    return value


def nesting_depth(value: Any, stop_above: "int | None" = None) -> int:
    """Levels of nested lists and dicts in ``value`` (0 for a scalar), walked without recursion;
    stops counting once past ``stop_above``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if stop_above is not None and deepest > stop_above:
            break
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
