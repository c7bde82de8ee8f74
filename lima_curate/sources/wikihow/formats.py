"""wikiHow CSV layouts and plain-text articles -> :class:`Article`.

A CSV's layout is told by its header (:data:`CSV_LAYOUTS`; case and order do not matter); any
layout may add the columns ``category``, ``url`` (gives the page name) and ``date`` (decides the
licence). A header that matches no layout is an InputError. Plain text (``*.txt``)::

    TITLE: COOK PASTA (https://www.wikihow.com/Cook-Pasta)
    CATEGORY: Food and Entertaining        <- optional
    <intro paragraphs>                     <- optional
    SECTION: BOILING THE NOODLES           <- optional, starts a method
    STEP 1. Fill a large pot ... first line is the step
    A following line is a sub-item of the step.
"""

from __future__ import annotations

import csv
import re
from itertools import zip_longest
from pathlib import Path
from typing import Iterator

from lima_curate.csv_input import BoundedReader
from lima_curate.errors import InputError
from lima_curate.sources.wikihow.article import Article, Section, Step, clean_inline, sentence_case
from lima_curate.sources.wikihow.titles import title_from_page_name

#: layout name -> the columns it needs (lower case); the widest matching layout wins
CSV_LAYOUTS: dict[str, frozenset[str]] = {
    "summary_sep": frozenset({"overview", "headline", "text", "sectionlabel", "title"}),
    "steps": frozenset({"title", "heading", "paragraph"}),
    "summary_all": frozenset({"headline", "title", "text"}),
    "lists": frozenset({"title", "result"}),
    "community_qa": frozenset({"question", "answer"}),
}
NOT_ARTICLE_LAYOUTS = {"community_qa": "community Q&A file (Question,Answer,...), not an article source"}

_FIRST_STEP = re.compile(r"^\s*1[.)]\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]?\s+")
_BULLET = re.compile(r"^\s*[\u2022*\-]\s+")
# linear: a separator starts at a comma or where a run of blanks starts
_HEADLINE_SPLIT = re.compile(r"(?:,|(?<!\s))\s*\n+\s*")
_BLANKS_THEN_COMMA = re.compile(r"(?<!\s)\s+,")
_PAGE_FROM_URL = re.compile(r"wikihow\.com/([^?#\s)]+)", re.IGNORECASE)
_SECTION_LINE = re.compile(r"^SECTION:\s*(.*\S|)\s*$")
_STEP_LINE = re.compile(r"^STEP\s+\d+\s*[.:)]\s*(.*)$")
_CATEGORY_LINE = re.compile(r"^CATEGORY:\s*(.*\S|)\s*$")
_FIELD_LIMIT = 64 * 1024 * 1024


def split_paragraphs(text: str) -> list[str]:
    """``re.split(r"\\n+\\s*,", text)`` in linear time: the paragraphs of a ``wikihowAll.csv``
    text cell, separated by a newline (then any blanks) and a comma."""
    pieces, position = [], 0
    for blanks in _BLANKS_THEN_COMMA.finditer(text):
        newline = text.find("\n", blanks.start(), blanks.end())
        if newline != -1:
            pieces.append(text[position:newline])
            position = blanks.end()
    pieces.append(text[position:])
    return pieces


def title_line(line: str) -> "tuple[str, str] | None":
    """``(title, url)`` of a plain-text article's ``TITLE: Cook Pasta (https://…)`` line (url ""
    when absent), or None; what ``^TITLE:\\s*(.*?)\\s*(?:\\((https?://[^)]*)\\))?\\s*$`` gave,
    without its quadratic time on long lines."""
    if not line.startswith("TITLE:"):
        return None
    rest = line[len("TITLE:"):].strip()
    if rest.endswith(")"):
        inner_start = rest.rfind(")", 0, len(rest) - 1) + 1  # the url holds no ")"
        found = (rest.find(scheme, inner_start, len(rest) - 1) for scheme in ("(http://", "(https://"))
        start = min((at for at in found if at != -1), default=-1)  # the first "(http://" or "(https://"
        if start != -1:
            return rest[:start].rstrip(), rest[start + 1 : -1]
    return rest, ""


def page_name_from_url(url: str) -> str:
    match = _PAGE_FROM_URL.search(url or "")
    return match.group(1).rstrip("/") if match else ""


def csv_layout(header: list[str], path: Path) -> str:
    """The layout a CSV header names; InputError when it names none."""
    columns = {column.strip().lower() for column in header}
    matches = [name for name, need in CSV_LAYOUTS.items() if need <= columns]
    if not matches:
        expected = "; ".join(",".join(sorted(need)) for need in CSV_LAYOUTS.values())
        raise InputError(
            path, f"unknown wikiHow CSV header {','.join(header)!r} (expected one of: {expected})", "line 1"
        )
    return max(matches, key=lambda name: len(CSV_LAYOUTS[name]))


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) with lower-case keys; the first item is (1, header-as-dict)."""
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = BoundedReader(handle, path, max_record_chars=_FIELD_LIMIT)
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise InputError(path, "empty file: expected a CSV header")
            keys = [h.strip().lower() for h in header]
            yield 1, dict(zip(keys, header))
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, dict(zip(keys, row))
    except UnicodeDecodeError:
        line = reader.line_num + 1 if reader is not None else 1
        raise InputError(path, "not UTF-8 text", f"near line {line}") from None
    except csv.Error as error:
        line = reader.line_num if reader is not None else 1
        raise InputError(path, f"not a readable CSV ({error})", f"line {line}") from None


def read_csv(path: Path, relative: str) -> Iterator[Article]:
    """The articles of one wikiHow CSV, in file order."""
    rows = _rows(path)
    _, header = next(rows)
    layout = csv_layout(list(header.values()), path)
    if layout in NOT_ARTICLE_LAYOUTS:
        yield Article(title="", file=relative, layout=layout, place="line 1",
                      not_article=NOT_ARTICLE_LAYOUTS[layout])
        return
    if layout in ("lists", "summary_all"):  # an article per row
        build_row = _lists_article if layout == "lists" else _summary_all_article
        for line, row in rows:
            yield build_row(row, relative, line)
        return
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        groups.setdefault(row.get("title", "").strip(), []).append((line, row))
    build = _steps_article if layout == "steps" else _summary_sep_article
    for title, members in groups.items():
        yield build(title, members, relative)


def _common(row: dict[str, str]) -> dict[str, str]:
    """The optional columns every layout may carry."""
    return {
        "category": clean_inline(row.get("category", "")),
        "page_name": page_name_from_url(row.get("url", "")),
        "date": (row.get("date") or "").strip()[:10],
    }


def _steps_article(title: str, members: list[tuple[int, dict[str, str]]], relative: str) -> Article:
    """``title,heading,paragraph``: a row per step, in row order; ``paragraph`` starts with the bold ``heading``."""
    steps = []
    for _, row in members:
        heading = clean_inline(row.get("heading", ""))
        paragraph = clean_inline(row.get("paragraph", ""))
        if heading and not paragraph.startswith(heading):
            paragraph = f"{heading} {paragraph}".strip()
        if paragraph:
            steps.append(Step(paragraph))
    first_line, first = members[0]
    return Article(
        title=title, file=relative, layout="steps", place=f"line {first_line}",
        sections=(Section("", tuple(steps)),) if steps else (), **_common(first),
        not_article="" if steps else "no step paragraphs",
    )


def _summary_all_article(row: dict[str, str], relative: str, line: int) -> Article:
    """``headline,title,text`` (Koupaee & Wang 2018, ``wikihowAll.csv``): a row per article; bold
    line *i* of ``headline`` and paragraph *i* of ``text`` (newline+comma separated) make step *i*."""
    headlines = [clean_inline(h.rstrip(",")) for h in _HEADLINE_SPLIT.split(row.get("headline", ""))]
    paragraphs = [clean_inline(p) for p in split_paragraphs(row.get("text", ""))]
    headlines = [h for h in headlines if h]
    paragraphs = [p for p in paragraphs if p]
    steps = tuple(
        Step(f"{head or ''} {body or ''}".strip()) for head, body in zip_longest(headlines, paragraphs)
    )
    return Article(
        title=row.get("title", "").strip(), file=relative, layout="summary_all", place=f"line {line}",
        sections=(Section("", steps),) if steps else (), **_common(row),
        not_article="" if steps else "no steps in headline/text",
    )


def _summary_sep_article(title: str, members: list[tuple[int, dict[str, str]]], relative: str) -> Article:
    """``overview,headline,text,sectionLabel,title`` (``wikihowSep.csv``): a row per paragraph;
    ``overview`` is the intro, ``sectionLabel`` the method (``Steps`` when there is none)."""
    sections: dict[str, list[Step]] = {}
    for _, row in members:
        head = clean_inline(row.get("headline", "").strip().rstrip(","))
        body = clean_inline(row.get("text", ""))
        text = f"{head} {body}".strip()
        label = clean_inline(row.get("sectionlabel", ""))
        if text:
            sections.setdefault("" if label.casefold() == "steps" else label, []).append(Step(text))
    first_line, first = members[0]
    built = tuple(Section(label, tuple(steps)) for label, steps in sections.items())
    return Article(
        title=title, file=relative, layout="summary_sep", place=f"line {first_line}",
        intro=clean_inline(first.get("overview", "")), sections=built, **_common(first),
        not_article="" if built else "no step paragraphs",
    )


def _lists_article(row: dict[str, str], relative: str, line: int) -> Article:
    """``title,result`` (b-mc2/wikihow_lists): a numbered step summary, or a bullet list of
    ingredients or things needed, which is no article."""
    lines = [part for part in row.get("result", "").splitlines() if part.strip()]
    numbered: list[str] = []
    if lines and _FIRST_STEP.match(lines[0]):
        for part in lines:  # "7  Navigate ..." (a lost full stop) is a step too
            if _NUMBERED.match(part) or not numbered:
                numbered.append(_NUMBERED.sub("", part))
            else:
                numbered[-1] += " " + part.strip()
    reason = ""
    if not numbered:
        bullets = any(_BULLET.match(part) for part in lines)
        reason = "a list of ingredients or things needed, no steps" if bullets else "no numbered steps"
    steps = tuple(Step(text) for text in map(clean_inline, numbered) if text)
    return Article(
        title=row.get("title", "").strip(), file=relative, layout="lists", place=f"line {line}",
        sections=(Section("", steps),) if steps else (), **_common(row),
        not_article=reason if not steps else "",
    )


def read_plaintext(text: str, relative: str) -> Article:
    """One ``TITLE:``/``SECTION:``/``STEP n.`` article.

    A text that does not start with a ``TITLE:`` line (a title list, a README) is
    returned as a non-article rather than stopping the build.
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    match = title_line(lines[first].strip()) if lines else None
    if match is None:
        return Article(title="", file=relative, layout="plaintext", place=f"line {first + 1}",
                       not_article="no 'TITLE:' line, not a wikiHow plain-text article")
    title, url = match
    category, intro = "", []
    sections: list[tuple[str, list[list[str]]]] = []
    for raw in lines[first + 1:]:
        line = raw.strip()
        if not line:
            continue
        if (found := _CATEGORY_LINE.match(line)) and not sections:
            category = found.group(1)
        elif found := _SECTION_LINE.match(line):
            sections.append((sentence_case(found.group(1)), []))
        elif found := _STEP_LINE.match(line):
            if not sections:
                sections.append(("", []))
            sections[-1][1].append([found.group(1)])
        elif sections and sections[-1][1]:
            sections[-1][1][-1].append(line)
        elif not sections:
            intro.append(line)
    built = tuple(
        Section(heading, tuple(Step(parts[0], tuple(parts[1:])) for parts in steps))
        for heading, steps in sections
        if steps
    )
    page_name = page_name_from_url(url)
    return Article(
        title=title_from_page_name(page_name) if page_name else sentence_case(title),
        file=relative, layout="plaintext", page_name=page_name, place="line 1",
        intro="\n\n".join(intro), sections=built, category=clean_inline(category),
        not_article="" if built else "no STEP lines",
    )
