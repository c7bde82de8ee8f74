"""One wikiHow article as every input format reads it, and its rendering as a response.

:func:`render` writes an :class:`Article` the way LIMA's wikiHow examples look::

    <intro paragraph>

    ## <method heading>

    1. <bold first sentence> <rest of the step>
        * <sub-item>
    2. ...

leaving out the sections named in ``pruned_sections`` (Tips, Warnings, ...) and renumbering the
steps from 1 in every section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

UNCATEGORIZED = "uncategorized"

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_SPACE_BEFORE_PUNCT = re.compile(r"(?<! ) +([.,;:!?])")
_EMPTY_COLON = re.compile(r":\s*([.!?])$")
_THIS_ARTICLE = re.compile(r"(^|(?<=[.!?]\s)|(?<=\n))This (?:article|wikiHow)\b")
_METHOD_PREFIX = re.compile(r"^(?:Method|Part)\s+\d+\s+of\s+\d+\s*:\s*", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
# what scrapers keep of a page's pop-ups: "[4] X Research source <url>", "[5] X Trustworthy
# Source <name> <about> Go to source", "[3] X Expert Source <name> Expert Interview. 4 May
# 2020.", a bare "[2]", and image details as JSON ({"smallUrl": ...}). Linear in the text:
# a match starts only where a run of blanks starts ("(?<!\s)"), a pop-up is at most 1000
# characters long (235 at most in shared/realdata) and image JSON holds no braces.
_SCRAPE_ARTIFACTS = re.compile(
    r"(?<!\s)(?:\s*\[\d{1,3}\])?\s*\bX\s+Trustworthy\s+[Ss]ource\b.{0,1000}?\bGo to source"
    r"|(?<!\s)(?:\s*\[\d{1,3}\])?\s*\bX\s+Expert\s+[Ss]ource\b.{0,1000}?\bExpert Interview\.\s*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\.?"
    r"|(?<!\s)(?:\s*\[\d{1,3}\])?\s*\bX\s+Research\s+[Ss]ource\b(?:\s+\S*https?:/\S*)?"
    r"|(?<!\s)\s*\bX\s+(?:Expert|Research|Trustworthy)(?:\s+[Ss]ource)?\s*$"
    r"|(?<!\s)\s*\[\d{1,3}\]"
    r'|(?<!\s)\s*\{"smallUrl":[^{}]*?"\}',
    re.DOTALL,
)


@dataclass(frozen=True)
class Step:
    """One numbered step: its paragraph and any bulleted sub-items."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A method or part of an article; ``heading`` is "" for a plain list of steps."""

    heading: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Article:
    """An article as read from one input, before it becomes an Example.

    ``title`` is the title as found (page title, CSV title, ...), ``page_name`` the
    URL name (``Cook-Pasta``) when the input names it. ``file`` is the input's path
    relative to the source folder and ``place`` where in it (``line 12``, ``row 3``).
    ``not_article`` says why an input item is no article (it then has no steps).
    """

    title: str
    file: str
    layout: str
    page_name: str = ""
    intro: str = ""
    sections: tuple[Section, ...] = ()
    category: str = ""
    date: str = ""  # ISO date of the revision held, "" when unknown
    views: "int | None" = None
    helpful_percent: "int | None" = None
    place: str = ""
    not_article: str = ""

    def step_count(self, pruned: Iterable[str] = ()) -> int:
        """Number of steps in the sections that are not pruned."""
        skip = pruned_keys(pruned)
        return sum(len(s.steps) for s in self.sections if section_key(s.heading) not in skip)


def clean_inline(text: str) -> str:
    """Collapse spaces inside a paragraph and tidy spaces left before punctuation."""
    lines = [_SPACES.sub(" ", line).strip() for line in (text or "").split("\n")]
    text = " ".join(line for line in lines if line)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return _EMPTY_COLON.sub(r"\1", text)


def strip_artifacts(text: str) -> str:
    """Remove reference markers, source pop-ups and image JSON left in scraped text."""
    text = text or ""
    if "[" not in text and "X" not in text and "{" not in text:
        return text  # the common case, without running the pattern
    return _SCRAPE_ARTIFACTS.sub("", text)


def _paragraph(text: str) -> str:
    return clean_inline(strip_artifacts(text))


def section_key(heading: str) -> str:
    """How section headings are compared with ``pruned_sections``."""
    return clean_inline(heading.translate(_APOSTROPHES)).casefold()


def pruned_keys(pruned: Iterable[str]) -> frozenset[str]:
    return _pruned_keys(tuple(pruned))


@lru_cache(maxsize=32)
def _pruned_keys(pruned: tuple[str, ...]) -> frozenset[str]:
    return frozenset(section_key(name) for name in pruned)


def method_heading(heading: str) -> str:
    """``Method 1 of 4: Roasting Aubergine`` -> ``Roasting Aubergine``."""
    return _METHOD_PREFIX.sub("", clean_inline(heading))


def sentence_case(text: str) -> str:
    """``BOILING THE NOODLES`` -> ``Boiling the noodles`` (only for all-caps text)."""
    text = clean_inline(text)
    if text and text == text.upper() and any(c.isalpha() for c in text):
        lowered = text.lower()
        return lowered[0].upper() + lowered[1:]
    return text


def rewrite_this_article(text: str) -> str:
    """Sentence-initial "This article"/"This wikiHow" -> "The following answer" (paper, §2.1)."""
    return _THIS_ARTICLE.sub(r"\1The following answer", text)


def render(article: Article, pruned: Iterable[str] = ()) -> str:
    """The article body as response text (layout: module docstring), with "This article" and the
    like rewritten by :func:`rewrite_this_article`."""
    skip = pruned_keys(pruned)
    kept = [s for s in article.sections if s.steps and section_key(s.heading) not in skip]
    blocks: list[str] = []
    intro = "\n\n".join(p for p in (_paragraph(x) for x in article.intro.split("\n\n")) if p)
    if intro:
        blocks.append(intro)
    for section in kept:
        heading = method_heading(section.heading)
        if heading and (len(kept) > 1 or section_key(heading) not in {"steps", "step"}):
            blocks.append(f"## {heading}")
        lines = []
        for number, step in enumerate(section.steps, start=1):
            lines.append(f"{number}. {_paragraph(step.text)}")
            lines.extend(f"    * {text}" for text in map(_paragraph, step.items) if text)
        blocks.append("\n".join(lines))
    return rewrite_this_article("\n\n".join(blocks)).strip()
