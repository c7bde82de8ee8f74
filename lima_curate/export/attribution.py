"""ATTRIBUTION.md: every item under a CC BY* licence, with its URL, authors and licence.

CC BY* licences require crediting the work, its authors and the licence, and saying that
it was changed. Items are grouped by source and site, and sorted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlsplit

from lima_curate.atomic import write_text
from lima_curate.licence import licence_id
from lima_curate.records import META_GROUP, META_LICENSE, META_SPLIT, META_URL, Example

#: who to credit when an item names no author
DEFAULT_AUTHORS: dict[str, str] = {"wikihow": "wikiHow contributors"}

_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()<>#|!])")


def needs_attribution(example: Example) -> bool:
    """True for items under any CC BY* licence."""
    return licence_id(str(example.meta.get(META_LICENSE, "") or "")).startswith("cc-by")


def _escape(text: str) -> str:
    return _MD_SPECIAL_RE.sub(r"\\\1", " ".join(str(text).split()))


def _link(url: str) -> str:
    """An autolink that survives spaces and angle brackets."""
    return f"<{quote(url, safe=':/?#[]@!$&()*+,;=%~')}>"


def authors(meta: Mapping[str, Any]) -> list[dict[str, str]]:
    """The item's authors as ``{"name", "url", "role"}`` dicts, from the first of these meta keys
    present: ``authors`` (such dicts, or plain names); ``question_author`` and ``answer_author``
    (each with a ``_url``); ``author`` and ``author_url``."""
    found: list[dict[str, str]] = []
    listed = meta.get("authors")
    if isinstance(listed, (list, tuple)):
        for entry in listed:
            if isinstance(entry, Mapping) and entry.get("name"):
                found.append({"name": str(entry["name"]), "url": str(entry.get("url") or ""),
                              "role": str(entry.get("role") or "")})
            elif isinstance(entry, str) and entry:
                found.append({"name": entry, "url": "", "role": ""})
    if not found:
        for role in ("question", "answer"):
            name = meta.get(f"{role}_author")
            if name:
                found.append({"name": str(name), "url": str(meta.get(f"{role}_author_url") or ""), "role": role})
    if not found and meta.get("author"):
        found.append({"name": str(meta["author"]), "url": str(meta.get("author_url") or ""), "role": ""})
    return found


def site_of(example: Example) -> str:
    """The site an item comes from: meta ``site``, the Stack Exchange group, or the URL host."""
    meta = example.meta
    if meta.get("site"):
        return str(meta["site"])
    if example.source == "stackexchange" and meta.get(META_GROUP):
        return str(meta[META_GROUP])
    host = urlsplit(str(meta.get(META_URL) or "")).hostname
    if host:
        return host
    return "hand-written" if example.source == "authored" else "no URL"


def credit_line(example: Example) -> str:
    """One Markdown list item crediting ``example`` (and its question page when that differs)."""
    meta = example.meta
    url = str(meta.get(META_URL) or "")
    where = _link(url) if url else "(no URL recorded)"
    question = str(meta.get("question_url") or "")
    if question and question != url:
        where += f" (question: {_link(question)})"
    people = []
    for author in authors(meta):
        name = _escape(author["name"])
        who = f"[{name}]({quote(author['url'], safe=':/?#[]@!$&*+,;=%~')})" if author["url"] else name
        role = author["role"]
        if not role and example.source == "stackexchange" and not meta.get("authors"):
            role = "answer"  # the Stack Exchange extractor records the answer's author
        people.append(f"{role} by {who}" if role else f"by {who}")
    if not people:
        fallback = DEFAULT_AUTHORS.get(example.source)
        people.append(f"by {fallback}" if fallback else "author not recorded (see the page)")
    title = meta.get("title")
    head = f"{_escape(str(title))} — {where}" if title else where
    licence = _escape(str(meta.get(META_LICENSE)))
    split = meta.get(META_SPLIT)
    tail = f"`{example.id}`" + (f" ({split})" if split else "")
    return f"- {head} — {'; '.join(people)} — {licence} — {tail}"


def attribution_markdown(examples: Iterable[Example]) -> str:
    """The text of ATTRIBUTION.md."""
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for example in examples:
        if needs_attribution(example):
            groups[(example.source, site_of(example))].append(example)
    total = sum(len(items) for items in groups.values())
    lines = [
        "# Attribution",
        "",
        f"This dataset contains {total} items under Creative Commons licences that require "
        "attribution (CC BY*). Each is listed below with its source page, its authors and its "
        "licence, grouped by source and site. The items were changed: HTML was converted to "
        "plain text or Markdown, and prompts and responses were cut out of the original pages. "
        "Licence texts: https://creativecommons.org/licenses/.",
        "",
    ]
    if not total:
        lines += ["No item in this build needs attribution.", ""]
    for (source, site), items in sorted(groups.items()):
        lines += [f"## {_escape(source)} · {_escape(site)} ({len(items)})", ""]
        items.sort(key=lambda e: (str(e.meta.get(META_URL) or ""), e.id))
        lines += [credit_line(e) for e in items]
        lines.append("")
    return "\n".join(lines)


def write_attribution(path: Path, examples: Iterable[Example]) -> int:
    """Write ATTRIBUTION.md for ``examples`` (all splits); return how many items it credits."""
    examples = list(examples)
    write_text(Path(path), attribution_markdown(examples))
    return sum(1 for e in examples if needs_attribution(e))
