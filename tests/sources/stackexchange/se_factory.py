"""Helpers for the Stack Exchange tests: tiny dumps written in the official format."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

BOM = "\ufeff"

# Original filler prose (third person, English) for synthetic answers of a chosen length.
FILLER = (
    "Water moves through the environment in a continuous cycle. Heat from the Sun evaporates "
    "water from oceans, lakes and soil, and plants release more of it through their leaves. "
    "The vapour rises, cools and condenses around tiny particles of dust to form clouds. When "
    "the droplets grow heavy enough they fall as rain or snow, which collects in rivers and "
    "aquifers and eventually flows back to the sea. "
)


def escape(value: Any) -> str:
    return (
        str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("\n", "&#xA;")
    )


def row(**attrs: Any) -> str:
    """One ``<row .../>`` line; attributes given as None are left out."""
    inner = " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items() if v is not None)
    return f"  <row {inner} />\n"


def question(
    qid: int, score: int, title: str, body: str = "<p>What is the water cycle and what drives it?</p>",
    accepted: "int | None" = None, date: str = "2019-06-01T10:00:00.000", tags: str = "<water><climate>",
    **extra: Any,
) -> str:
    return row(
        Id=qid, PostTypeId=1, AcceptedAnswerId=accepted, CreationDate=date, Score=score, Body=body,
        OwnerUserId=1, Title=title, Tags=tags, **extra,
    )


def answer(
    aid: int, parent: int, score: int, body: "str | None" = None, owner: "int | None" = 2,
    date: str = "2019-06-02T10:00:00.000", **extra: Any,
) -> str:
    return row(
        Id=aid, PostTypeId=2, ParentId=parent, CreationDate=date, Score=score,
        Body=body if body is not None else prose_html(), OwnerUserId=owner, **extra,
    )


def prose_html(chars: int = 1500, lead: str = "") -> str:
    """An English answer of about ``chars`` characters of clean text, in paragraphs."""
    text = lead
    while len(text) < chars:
        text += FILLER
    text = text[:chars]
    paragraphs = [text[i : i + 500] for i in range(0, chars, 500)]
    return "".join(f"<p>{p.strip()}</p>\n" for p in paragraphs)


def write_dump(folder: Path, rows: Iterable[str], root: str = "posts", name: str = "Posts.xml") -> Path:
    """Write a dump file with BOM and XML declaration; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = BOM + '<?xml version="1.0" encoding="utf-8"?>\n' + f"<{root}>\n" + "".join(rows) + f"</{root}>"
    path.write_text(text, encoding="utf-8")
    return path
