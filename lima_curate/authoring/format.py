"""The Markdown example format, and the loader for a whole authored folder.

One file per example::

    ---
    id: git-undo-last-commit
    group: A            # A: train/dev, B: test prompts
    split: train        # train / dev / test
    tags: [code]        # e.g. [safety] for refusals and push-backs
    author: Ana         # optional
    license: CC0-1.0    # optional, this is the default
    ---

    ## Prompt

    How do I undo my last commit?

    ## Response

    ...

A conversation repeats ``## Prompt`` / ``## Response`` pairs (``## User`` /
``## Assistant`` mean the same); an optional ``## System`` section may come first. A
test item has a prompt only. Section headings inside fenced code blocks are content;
any other Markdown (including other ``##`` headings) is content too. Blank lines at
the edges of a section are dropped.

A folder may also hold JSONL and CSV files (:mod:`lima_curate.authoring.importers`).
Files and folders whose names start with ``.`` or ``_``, and README files, are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from lima_curate.authoring import importers
from lima_curate.authoring.findings import ERROR, Finding, error
from lima_curate.authoring.items import (
    DEFAULT_LICENSE,
    FIELDS,
    AuthoredItem,
    Turn,
    decode,
    normalise_text,
    trim_lines,
    to_example,
    validate,
)
from lima_curate.errors import InputError
from lima_curate.records import Example

SECTION_RE = re.compile(r"^##[ \t]+(prompt|response|user|assistant|system)[ \t]*(?:#+[ \t]*)?$", re.IGNORECASE)
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
FRONT_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
FRONT_MATTER_FENCE = "---"
ROLE_OF = {"prompt": "user", "user": "user", "response": "assistant", "assistant": "assistant", "system": "system"}
HEADING_OF = {"user": "Prompt", "assistant": "Response", "system": "System"}

MARKDOWN_SUFFIXES = (".md", ".markdown")
IMPORT_SUFFIXES = (".jsonl", ".csv")


# ---------------------------------------------------------------- reading


def parse_markdown(text: str, file: str) -> tuple["AuthoredItem | None", list[Finding]]:
    """Read one Markdown example; structural problems come back as findings."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return None, [error("front-matter", file, 1, "the file must start with a '---' front-matter header")]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, [error("front-matter", file, 1, "the front matter has no closing '---' line")]
    try:
        fields = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as bad_yaml:
        mark = getattr(bad_yaml, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(bad_yaml, "problem", None) or "invalid YAML"
        return None, [error("front-matter", file, line, f"front matter is not valid YAML ({problem})")]
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        return None, [error("front-matter", file, 2, "the front matter must be 'key: value' lines")]
    field_lines = {}
    for number in range(1, end):
        match = FRONT_KEY_RE.match(lines[number])
        if match:
            field_lines.setdefault(match.group(1), number + 1)
    turns, problems = parse_sections(lines[end + 1:], file, first_line=end + 2)
    item = AuthoredItem(file=file, line=1, fields={str(k): v for k, v in fields.items()},
                        field_lines=field_lines, turns=turns)
    return item, problems


def parse_sections(lines: Sequence[str], file: str = "", first_line: int = 1) -> tuple[list[Turn], list[Finding]]:
    """Split Markdown lines into turns at ``## Prompt``/``## Response``-style headings.

    Headings inside fenced code blocks do not count. Text before the first heading is
    a ``section-order`` problem (reported once).
    """
    turns: list[Turn] = []
    bodies: list[list[str]] = []
    problems: list[Finding] = []
    fence: "str | None" = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        if fence is None:
            heading = SECTION_RE.match(line)
            if heading:
                turns.append(Turn(ROLE_OF[heading.group(1).lower()], "", number))
                bodies.append([])
                continue
        opener = FENCE_RE.match(line)
        if opener:
            marker = opener.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
                fence = None
        if not bodies:
            if line.strip() and not problems:
                problems.append(error("section-order", file, number,
                                      "text before the first section; start with '## Prompt'"))
            continue
        bodies[-1].append(line)
    for turn, body in zip(turns, bodies):
        turn.content = trim_lines(body)
    return turns, problems


# ---------------------------------------------------------------- writing


def format_sections(messages: Iterable[Mapping[str, str]]) -> str:
    """The ``## Prompt`` / ``## Response`` sections for ``messages``."""
    parts = []
    for message in messages:
        parts.append(f"## {HEADING_OF[message['role']]}\n\n{normalise_text(message['content'])}\n")
    return "\n".join(parts)


def write_markdown(fields: Mapping[str, Any], messages: Sequence[Mapping[str, str]]) -> str:
    """A Markdown example file; raises ValueError when the text would not read back the same."""
    header = {name: fields[name] for name in FIELDS if fields.get(name) not in (None, "")}
    header.setdefault("license", DEFAULT_LICENSE)
    if "tags" in header:
        header["tags"] = list(header["tags"])
    front = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    sections = format_sections(messages)
    turns, problems = parse_sections(sections.split("\n"))
    wanted = [(m["role"], normalise_text(m["content"])) for m in messages]
    if problems or [(t.role, t.content) for t in turns] != wanted:
        raise ValueError(
            "this text cannot be written as Markdown sections: a line looks like a section "
            "heading (e.g. '## Response') outside a code block, or a code fence is left open"
        )
    return f"---\n{front}---\n\n{sections}"


# ---------------------------------------------------------------- the folder


def example_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(example files, other files) under ``folder``, sorted by relative path."""
    found, ignored = [], []
    for path in sorted(Path(folder).rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in rel.parts) or not path.is_file():
            continue
        if path.stem.lower() == "readme":
            continue
        suffix = path.suffix.lower()
        (found if suffix in MARKDOWN_SUFFIXES + IMPORT_SUFFIXES else ignored).append(path)
    return found, ignored


def read_file(path: Path, folder: Path) -> tuple[list[AuthoredItem], list[Finding]]:
    """The items of one example file (Markdown, JSONL or CSV) and its structural problems."""
    file = path.relative_to(folder).as_posix()
    text, problems = decode(path.read_bytes(), file)
    if text is None:
        return [], problems
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return importers.parse_jsonl(text, file)
    if suffix == ".csv":
        return importers.parse_csv(text, file)
    item, problems = parse_markdown(text, file)
    return ([item] if item is not None else []), problems


def load_authored(folder: Path) -> list[Example]:
    """Every hand-written example in ``folder`` as an Example, sorted by id.

    Raises InputError (one line: file, line, problem) on the first file that cannot be
    used: non-UTF-8 text, malformed front matter, a missing or empty section, a bad or
    missing field, or an id used twice. ``lima-curate author check`` lists them all.
    """
    folder = Path(folder)
    examples: dict[str, tuple[Example, str]] = {}
    for path in example_files(folder)[0]:
        items, problems = read_file(path, folder)
        _raise_first(folder, problems)
        for item in items:
            fields, problems = validate(item)
            _raise_first(folder, problems)
            example = to_example(item, fields)
            where = f"{item.file}:{item.line_of('id')}"
            if example.id in examples:
                raise InputError(folder / item.file, f"duplicate-id: id {fields.id!r} is also used at "
                                 f"{examples[example.id][1]}", str(item.line_of("id")))
            examples[example.id] = (example, where)
    return [examples[key][0] for key in sorted(examples)]


def _raise_first(folder: Path, problems: list[Finding]) -> None:
    for problem in problems:
        if problem.severity == ERROR:
            place = str(problem.line) if problem.line is not None else None
            raise InputError(folder / problem.file, f"{problem.code}: {problem.message}", place)
