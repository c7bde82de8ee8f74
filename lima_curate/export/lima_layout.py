"""lima.jsonl: the layout of the published LIMA files (GAIR/lima on the Hugging Face Hub).

Each line is ``{"conversations": [user, assistant, user, ...], "source": name}``: the turns as
bare strings, alternating from the user; system turns are dropped (LIMA has none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from lima_curate.records import Example, write_jsonl

#: our source names that LIMA's release names otherwise (not checked against GAIR/lima's file;
#: ``stackexchange`` and ``wikihow`` are its names, the Reddit sources keep ours)
LIMA_SOURCES: dict[str, str] = {"sni": "nat_inst", "authored": "manual"}


def lima_source(example: Example) -> str:
    """The LIMA source name of ``example`` (hand-written dialogues are ``multi_turn``)."""
    users = sum(1 for m in example.messages if m["role"] == "user")
    if example.source == "authored" and users > 1:
        return "multi_turn"
    return LIMA_SOURCES.get(example.source, example.source)


def lima_row(example: Example) -> dict[str, Any]:
    """``{"conversations": [...], "source": ...}`` for one example."""
    turns = [m for m in example.messages if m["role"] != "system"]
    for index, message in enumerate(turns):
        expected = "user" if index % 2 == 0 else "assistant"
        if message["role"] != expected:
            raise ValueError(f"{example.id}: turn {index + 1} is {message['role']}, LIMA layout needs {expected}")
    return {"conversations": [m["content"] for m in turns], "source": lima_source(example)}


def write_lima_layout(path: Path, examples: Iterable[Example]) -> int:
    """Write ``examples`` (normally the train split) to ``path`` in LIMA's layout; return how many."""
    return write_jsonl(Path(path), (lima_row(e) for e in examples))
