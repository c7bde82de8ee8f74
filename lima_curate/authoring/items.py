"""An authored example as read from its file, its field rules, and its Example form.

Every reader (Markdown, JSONL, CSV) produces :class:`AuthoredItem` records: the raw
fields (front matter or columns) with the line each came from, and the turns. The
rules here are the same for every format, so the loader and the checker agree:

fields
    ``id`` (required; letters, digits, ``.``, ``_``, ``-``), ``group`` (required; ``A``
    writes train and dev, ``B`` writes test prompts only), ``split`` (required;
    ``train``/``dev``/``test``), ``tags`` (list, e.g. ``[safety]``), ``author``
    (optional), ``license`` (default :data:`DEFAULT_LICENSE`).
turns
    An optional system turn first, then user and assistant turns alternating,
    starting with the user. Train and dev items end with an assistant turn; a test
    item is a single user turn (the paper's test set is prompts only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lima_curate.authoring.findings import Finding, error
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUALITY,
    META_QUOTA,
    META_SPLIT,
    META_TERMS,
    Example,
    make_id,
)
from lima_curate.splits import SPLITS

SOURCE = "authored"
GROUPS = ("A", "B")
FIELDS = ("id", "group", "split", "tags", "author", "license")
REQUIRED = ("id", "group", "split")
#: Our own writing: dedicated to the public domain, so the licence of a build is set by
#: the mined parts alone. A file's ``license`` field overrides it.
DEFAULT_LICENSE = "CC0-1.0"
#: Which group writes which splits (LIMA: Group A train + dev, Group B test).
GROUP_SPLITS = {"A": ("train", "dev"), "B": ("test",)}
SAFETY_TAG = "safety"

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
TAG_SPLIT_RE = re.compile(r"[;,]")


@dataclass
class Turn:
    role: str  # system / user / assistant
    content: str
    line: int  # where the turn starts (its heading, or the record's line)


@dataclass
class AuthoredItem:
    """One example as read from a file, before its fields are checked."""

    file: str  # path relative to the authored folder, with '/'
    line: int  # where the record starts (1 for a Markdown file)
    fields: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @property
    def prompt(self) -> str:
        return next((t.content for t in self.turns if t.role == "user"), "")

    @property
    def prompt_line(self) -> int:
        return next((t.line for t in self.turns if t.role == "user"), self.line)


@dataclass(frozen=True)
class Fields:
    """The checked front-matter values (None where missing or invalid)."""

    id: "str | None"
    group: "str | None"
    split: "str | None"
    tags: tuple[str, ...]
    author: "str | None"
    license: str


def check_fields(item: AuthoredItem) -> tuple[Fields, list[Finding]]:
    """Normalise the fields of ``item`` and list what is wrong with them."""
    problems: list[Finding] = []
    raw = item.fields

    def bad(name: str, message: str, code: str = "bad-field") -> None:
        problems.append(error(code, item.file, item.line_of(name), message))

    for name in sorted(set(raw) - set(FIELDS)):
        bad(name, f"unknown field {name!r} (known: {', '.join(FIELDS)})", "unknown-field")
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            bad(name, f"missing required field {name!r}", "missing-field")

    ident = raw.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if ident not in (None, "") and not (isinstance(ident, str) and ID_RE.match(ident)):
        bad("id", f"id {raw.get('id')!r} must be letters, digits, '.', '_' or '-'")
        ident = None

    group = _choice(raw.get("group"), GROUPS, str.upper)
    if raw.get("group") not in (None, "") and group is None:
        bad("group", f"group must be A or B, got {raw.get('group')!r}")
    split = _choice(raw.get("split"), SPLITS, str.lower)
    if raw.get("split") not in (None, "") and split is None:
        bad("split", f"split must be train, dev or test, got {raw.get('split')!r}")
    if group and split and split not in GROUP_SPLITS[group]:
        allowed = " and ".join(GROUP_SPLITS[group])
        bad("split", f"group {group} writes {allowed} only, not {split}", "group-split")

    tags = _tags(raw.get("tags"))
    if tags is None:
        bad("tags", "tags must be a list of words, e.g. [safety]")
        tags = ()
    author = raw.get("author")
    if author is not None and not isinstance(author, str):
        bad("author", "author must be text")
        author = None
    licence = raw.get("license", DEFAULT_LICENSE)
    if not isinstance(licence, str) or not licence.strip():
        bad("license", "license must be a licence name such as CC0-1.0")
        licence = DEFAULT_LICENSE
    fields = Fields(ident or None, group, split, tags, author or None, licence.strip())
    return fields, problems


def _choice(value: Any, allowed: tuple[str, ...], fold: Any) -> "str | None":
    if not isinstance(value, str):
        return None
    folded = fold(value.strip())
    return folded if folded in allowed else None


def _tags(value: Any) -> "tuple[str, ...] | None":
    if value is None:
        return ()
    if isinstance(value, str):
        value = TAG_SPLIT_RE.split(value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
        return None
    return tuple(dict.fromkeys(tag.strip().lower() for tag in value if tag.strip()))


def check_turns(item: AuthoredItem, split: "str | None") -> list[Finding]:
    """Order and presence of the turns, for the item's split (None: unknown split)."""
    problems: list[Finding] = []
    turns = item.turns
    for turn in turns:
        if not turn.content.strip():
            problems.append(error("empty-section", item.file, turn.line, f"the {_label(turn.role)} is empty"))
    dialogue = turns[1:] if turns and turns[0].role == "system" else turns
    users = [t for t in dialogue if t.role == "user"]
    if not users:
        problems.append(error("missing-section", item.file, item.line, "no prompt (a '## Prompt' section)"))
        return problems
    expected = "user"
    for turn in dialogue:
        if turn.role != expected:
            problems.append(
                error("section-order", item.file, turn.line,
                      f"expected a {_label(expected)} here, found a {_label(turn.role)}")
            )
            return problems
        expected = "assistant" if expected == "user" else "user"
    if split == "test":
        if len(dialogue) > 1:
            problems.append(error("test-response", item.file, dialogue[1].line,
                                  "a test item is a single prompt, without a response"))
    elif dialogue[-1].role != "assistant":
        problems.append(error("missing-section", item.file, dialogue[-1].line,
                              "no response after this prompt (a '## Response' section)"))
    return problems


def _label(role: str) -> str:
    return {"user": "prompt", "assistant": "response", "system": "system section"}.get(role, role)


def validate(item: AuthoredItem) -> tuple[Fields, list[Finding]]:
    """The item's checked fields and every per-item problem (fields and turns)."""
    fields, problems = check_fields(item)
    problems.extend(check_turns(item, fields.split))
    return fields, problems


def to_example(item: AuthoredItem, fields: Fields) -> Example:
    """The pipeline record of a valid item (see :func:`validate`)."""
    assert fields.id and fields.split and fields.group, "validate the item first"
    meta = {
        "authored_id": fields.id,
        META_GROUP: fields.group,
        META_SPLIT: fields.split,
        "tags": list(fields.tags),
        "author": fields.author,
        "file": item.file,
        "line": item.line,
        META_LICENSE: fields.license,
        META_NONCOMMERCIAL: False,
        META_TERMS: "authored",
        META_QUOTA: f"authored_{fields.split}",
        META_QUALITY: 1.0,
    }
    return Example(
        id=make_id(SOURCE, fields.id),
        source=SOURCE,
        domain=SOURCE,
        messages=tuple({"role": t.role, "content": t.content} for t in item.turns),
        meta=meta,
    )


def decode(data: bytes, file: str) -> tuple["str | None", list[Finding]]:
    """UTF-8 text (a BOM dropped, CRLF made LF), or the line of the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as bad_byte:
        line = data.count(b"\n", 0, bad_byte.start) + 1
        message = f"not UTF-8 text (byte 0x{data[bad_byte.start]:02x}); save the file as UTF-8"
        return None, [error("encoding", file, line, message)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def trim_lines(lines: list[str]) -> str:
    """Section text without blank lines at its edges or trailing spaces (indentation kept)."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(line.rstrip() for line in lines[start:end])


def normalise_text(content: str) -> str:
    """Text as a Markdown section reads it back (see :func:`trim_lines`)."""
    return trim_lines(content.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
