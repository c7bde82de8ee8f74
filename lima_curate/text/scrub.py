"""Remove personal handles and links from user-written text (Reddit posts, stories).

Markdown links ``[text](url)`` keep their text (none when it is a URL or a username); bare links
(``http(s)://…``, ``www.…``; trailing sentence punctuation kept), usernames (``u/name``, ``/u/name``,
``/user/name``: authors live in provenance meta) and e-mail addresses go; ``/r/name`` stays as
``r/name``. Removal leaves no double space or space before punctuation; other text is not touched.
"""

from __future__ import annotations

import re

from lima_curate.text.spans import replace_spans

# Every expression here runs in time linear in the text (tests/text/test_scrub_linear.py
# times each on 1 MB): a run of blanks is consumed whole ("(?=(\s*))\2" is an atomic
# group, which Python before 3.11 lacks), and a match starts only where a run begins.
_MARKDOWN_LINK = re.compile(
    r"\[([^\[\]\n]*)\]\((?=(\s*))\2([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?=(\s*))\4"
    r"(?:\"[^\"\n]*\"(?=(\s*))\5)?\)"
)
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'\]\[]+", re.IGNORECASE)
_URL_TAIL = re.compile(r"(?<![.,;:!?)*_~])[.,;:!?)*_~]+$")
_USERNAME = re.compile(r"(?<![\w/])/?(?:u|user)/[A-Za-z0-9_-]{2,20}\b")
_EMAIL_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")  # matched after an "@"
_SUBREDDIT = re.compile(r"(?<![\w/])/(r/[A-Za-z0-9_]{2,21})\b")

_GAP = "\x00"
_GAPS = r"(?:\x00[ \t]*)+"
_GAP_IN_BRACKETS = re.compile(r"(?<![ \t])[ \t]*[(\[][ \t]*" + _GAPS + r"[)\]]")
_GAP_AFTER_OPEN = re.compile(r"(?<=[(\[])[ \t]*" + _GAPS)
_GAP_BEFORE_PUNCT = re.compile(r"(?<![ \t])[ \t]*" + _GAPS + r"(?=[,.;:!?)\]]|$)", re.MULTILINE)
_GAP_AT_LINE_START = re.compile(r"^[ \t]*" + _GAPS, re.MULTILINE)
_GAP_INSIDE = re.compile(r"(?<![ \t])[ \t]*" + _GAPS)


def _link_text(match: "re.Match[str]") -> str:
    text = match.group(1).strip()
    return text if text else _GAP


def _bare_url(match: "re.Match[str]") -> str:
    """A gap for the URL, keeping punctuation that ends the sentence rather than the URL."""
    url = match.group(0)
    tail = _URL_TAIL.search(url)
    if tail is None:
        return _GAP
    kept, trailing = url[: tail.start()], tail.group(0)
    while trailing.startswith(")") and kept.count("(") > kept.count(")"):
        kept, trailing = kept + ")", trailing[1:]  # a wiki-style URL ending in ")"
    return _GAP + trailing


def _is_word(text: str, position: int) -> bool:
    return 0 <= position < len(text) and (text[position].isalnum() or text[position] == "_")


def email_spans(text: str) -> list[tuple[int, int]]:
    r"""Spans of e-mail addresses, as ``re.finditer`` of
    ``\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b`` gives them,
    in linear time: that expression tried every word boundary inside a long run of
    name characters again (quadratic on ``a.a.a.a…``). From each "@" the name part is the
    run of name characters before it, starting at its first word boundary."""
    spans: list[tuple[int, int]] = []
    position = 0
    at = text.find("@")
    while at != -1:
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if domain is not None:
            run_start = at
            while run_start > position and text[run_start - 1] in _EMAIL_LOCAL:
                run_start -= 1
            start = next((p for p in range(run_start, at) if _is_word(text, p - 1) != _is_word(text, p)), None)
            if start is not None:
                spans.append((start, domain.end()))
                position = domain.end()
        at = text.find("@", max(at + 1, position))
    return spans


def scrub(text: str) -> str:
    """Return ``text`` without links, usernames and e-mail addresses (see module doc)."""
    if not text:
        return text
    out = _MARKDOWN_LINK.sub(_link_text, text)
    out = replace_spans(out, email_spans(out), lambda email: _GAP)
    out = _URL.sub(_bare_url, out)
    out = _USERNAME.sub(_GAP, out)
    out = _SUBREDDIT.sub(r"\1", out)
    if _GAP not in out:
        return out
    out = _GAP_IN_BRACKETS.sub("", out)
    out = _GAP_AFTER_OPEN.sub("", out)
    out = _GAP_BEFORE_PUNCT.sub("", out)
    out = _GAP_AT_LINE_START.sub("", out)
    return _GAP_INSIDE.sub(" ", out)
