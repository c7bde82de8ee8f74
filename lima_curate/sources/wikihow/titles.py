"""wikiHow titles: from whatever an input calls the article to the prompt question.

:func:`core_title` reduces ``Cook Pasta``, ``Cook-Pasta``, ``How to Cook Pasta: 12 Steps (with
Pictures) - wikiHow``, ``3 Ways to Cook Pasta - wikiHow`` or ``How to Cook Pasta1`` (a digit the
Koupaee & Wang CSV glues to repeated titles) to ``Cook Pasta``; :func:`howto_prompt` makes it
``How to cook pasta?``. A title that is itself a question stays that question.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

# "(?<!\s)": a match starts only where a run of blanks starts, so a long run is not scanned again
# from each of its characters (linear time)
_SITE_SUFFIX = re.compile(r"(?<!\s)\s*[-\u2013\u2014|]\s*wikiHow(?:\s+[A-Z][\w&]*)*\s*$", re.IGNORECASE)
_PICTURES = re.compile(r"(?<!\s)\s*\((?:with\s+)?(?:pictures|video|images)\)\s*$", re.IGNORECASE)
_SUBTITLE = re.compile(r"(?<!\s)\s*:\s+.*$", re.DOTALL)
_QUESTION = re.compile(r"^(.*?\?)(?:\s.*)?$", re.DOTALL)
_HOW_TO = re.compile(r"^(?:expert\s+advice\s+on\s+)?how\s+to\s+", re.IGNORECASE)
_WAYS_TO = re.compile(
    r"^(?:\d+\+?\s+)?(?:(?:easy|simple|quick|great|best|proven|effective|smart|clever|fun|"
    r"powerful|helpful|creative|different|good)\s+)*ways\s+to\s+",
    re.IGNORECASE,
)
_IN_N_STEPS = re.compile(r"(?<!\s)\s+in\s+\d+\s+(?:[A-Za-z]+\s+){0,3}steps\s*$", re.IGNORECASE)
_GLUED_DIGITS = re.compile(r"(?<=[a-z])\d+$")
_SPACES = re.compile(r"\s+")
_PAGE_SAFE = "-()'!,.:_~*"


def core_title(raw: str) -> str:
    """The bare task of a title: ``How to Cook Pasta: 12 Steps - wikiHow`` -> ``Cook Pasta``."""
    title = _SPACES.sub(" ", raw or "").strip()
    for _ in range(2):  # "... (with Pictures) - wikiHow" has both, in either order
        title = _PICTURES.sub("", _SITE_SUFFIX.sub("", title)).strip()
    title = _SUBTITLE.sub("", title).strip()
    question = _QUESTION.match(title)
    if question:
        return question.group(1).strip()
    title = _IN_N_STEPS.sub("", title)
    title = _WAYS_TO.sub("", _HOW_TO.sub("", title))
    return _GLUED_DIGITS.sub("", title).strip(" .")


def title_from_page_name(page_name: str) -> str:
    """``Cope-with-the-Stress-of-Homeschooling-(for-Parents)`` -> words with spaces."""
    return unquote(page_name).replace("-", " ").replace("_", " ").strip()


def page_name_from_title(title: str) -> str:
    """``Cook Pasta`` -> ``Cook-Pasta`` (the URL name wikiHow gives a title)."""
    return _SPACES.sub("-", title.strip().rstrip("?"))


def page_url(page_name: str) -> str:
    """The article's address on wikihow.com."""
    return "https://www.wikihow.com/" + quote(unquote(page_name), safe=_PAGE_SAFE)


def _lower_word(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    # only plain capitalised words: keep acronyms (CPR), brands (YouTube, iPhone) and "I"
    if len(letters) > 1 and letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return word.lower()
    return word


def howto_prompt(core: str, lowercase: bool = True) -> str:
    """``Cook an Omelette`` -> ``How to cook an omelette?``; a question title stays one."""
    core = core.strip()
    if not core:
        return ""
    if lowercase:
        core = " ".join("-".join(map(_lower_word, word.split("-"))) for word in core.split(" "))
    if core.endswith("?"):
        return core[0].upper() + core[1:]
    return f"How to {core}?"
