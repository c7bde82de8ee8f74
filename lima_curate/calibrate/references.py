"""Reference sets (a known-good set such as the released LIMA data) as prompt/response pairs.

Three layouts, told apart by the keys of each item:

LIMA (GAIR/lima)
    ``{"conversations": ["user turn", "assistant turn", ...], "source": "stackexchange"}``:
    turns alternate, the user's first; ``source`` is kept when present.
alpaca (LLaMA-Factory's ``lima.json``)
    ``{"instruction": ..., "input": ..., "output": ..., "history": [[user, assistant], ...]}``:
    the history turns come first; the last pair's prompt is ``instruction``, followed by
    a blank line and ``input`` when ``input`` is not empty.
messages
    ``{"messages": [{"role": "system"|"user"|"assistant", "content": ...}, ...]}``: each
    user turn followed by an assistant turn is a pair; system turns are skipped.

A file is either one JSON array of items or JSONL (one item per line, blank lines
skipped). ``rows`` (:func:`parse_rows`, ``"A:B"``) keeps items ``A`` to ``B - 1``,
counted from 0 in file order, like a Python slice. Anything unreadable is an
:class:`~lima_curate.errors.InputError` naming the file and the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lima_curate import safe_json
from lima_curate.errors import InputError
from lima_curate.records import numbered_jsonl


@dataclass(frozen=True)
class Pair:
    """One prompt and the response that follows it."""

    prompt: str
    response: str


@dataclass(frozen=True)
class ReferenceItem:
    """One item of a reference set: its row (0-based, in file order), its pairs, its source."""

    row: int
    pairs: tuple[Pair, ...]
    source: str = ""


def parse_rows(text: str) -> slice:
    """``"A:B"``, ``"A:"`` or ``":B"`` -> a slice of rows; ValueError with a one-line message."""
    start, colon, stop = text.strip().partition(":")
    try:
        bounds = [int(part) if part.strip() else None for part in (start, stop)]
    except ValueError:
        bounds = []
    if not colon or len(bounds) != 2 or any(b is not None and b < 0 for b in bounds):
        raise ValueError(f"rows must look like A:B with whole numbers A < B (0-based, B excluded), got {text!r}")
    first, last = bounds
    if first is not None and last is not None and first >= last:
        raise ValueError(f"rows {text!r}: A must be below B")
    return slice(first, last)


def read_reference(path: "Path | str", rows: "slice | None" = None) -> list[ReferenceItem]:
    """The items of the reference file ``path`` (optionally only ``rows``), as pairs."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "reference file not found")
    wanted = rows or slice(None)
    numbered = list(_numbered_items(path))
    return [_item(path, place, row, value) for row, (place, value) in enumerate(numbered)][wanted]


def _numbered_items(path: Path) -> Iterator[tuple[str, Any]]:
    """``(place, item)`` for a JSON array (place "item N") or JSONL (place "line N")."""
    with open(path, "rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        try:
            items = safe_json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(path, "not UTF-8 text") from None
        except safe_json.JSONError as error:
            raise InputError(path, f"not valid JSON ({error.msg})", f"line {error.lineno}" if error.lineno else None) from None
        if not isinstance(items, list):
            raise InputError(path, "not a JSON array of items")
        for number, item in enumerate(items):
            yield f"item {number}", item
        return
    for number, item in numbered_jsonl(path):
        yield f"line {number}", item


def _item(path: Path, place: str, row: int, value: Any) -> ReferenceItem:
    if not isinstance(value, dict):
        raise InputError(path, f"expected a JSON object, got {type(value).__name__}", place)
    source = value.get("source") if isinstance(value.get("source"), str) else ""
    if "conversations" in value:
        pairs = _lima_pairs(path, place, value["conversations"])
    elif "messages" in value:
        pairs = _message_pairs(path, place, value["messages"])
    elif "instruction" in value and "output" in value:
        pairs = _alpaca_pairs(path, place, value)
    else:
        raise InputError(path, "not a reference item: expected 'conversations', 'messages' or 'instruction'/'output'", place)
    if not pairs:
        raise InputError(path, "the item holds no prompt followed by a response", place)
    return ReferenceItem(row, pairs, source)


def _text(path: Path, place: str, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(path, f"{what} is not a string", place)
    return value


def _lima_pairs(path: Path, place: str, turns: Any) -> tuple[Pair, ...]:
    if not isinstance(turns, list):
        raise InputError(path, "'conversations' is not a list of turns", place)
    texts = [_text(path, place, turn, "a turn of 'conversations'") for turn in turns]
    return tuple(Pair(texts[i], texts[i + 1]) for i in range(0, len(texts) - 1, 2))


def _alpaca_pairs(path: Path, place: str, item: dict) -> tuple[Pair, ...]:
    history = item.get("history") or []
    if not isinstance(history, list):
        raise InputError(path, "'history' is not a list of [prompt, response] pairs", place)
    pairs = []
    for turn in history:
        if not (isinstance(turn, list) and len(turn) == 2):
            raise InputError(path, "'history' holds something other than [prompt, response] pairs", place)
        pairs.append(Pair(_text(path, place, turn[0], "a history prompt"), _text(path, place, turn[1], "a history response")))
    prompt = _text(path, place, item["instruction"], "'instruction'")
    extra = item.get("input") or ""
    if extra:
        prompt = prompt + "\n\n" + _text(path, place, extra, "'input'")
    pairs.append(Pair(prompt, _text(path, place, item["output"], "'output'")))
    return tuple(pairs)


def _message_pairs(path: Path, place: str, messages: Any) -> tuple[Pair, ...]:
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise InputError(path, "'messages' is not a list of {role, content} objects", place)
    turns = [(m.get("role"), _text(path, place, m.get("content"), "a message's content")) for m in messages
             if m.get("role") != "system"]
    pairs = []
    for (role, text), (next_role, next_text) in zip(turns, turns[1:]):
        if role == "user" and next_role == "assistant":
            pairs.append(Pair(text, next_text))
    return tuple(pairs)
