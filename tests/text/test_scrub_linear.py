"""The scrubbing expressions: same results as before, and linear time on 1 MB of hostile text."""

from __future__ import annotations

import random
import re
import time

import pytest

from lima_curate.text import scrub as scrub_module
from lima_curate.text.scrub import email_spans, scrub

# the expressions as they were (the specification)
OLD_MARKDOWN_LINK = re.compile(r"\[([^\[\]\n]*)\]\(\s*([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\s*(?:\"[^\"\n]*\")?\s*\)")
OLD_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
OLD_URL_TAIL = re.compile(r"[.,;:!?)*_~]+$")
_GAPS = r"(?:\x00[ \t]*)+"
OLD_GAPS = {
    "_GAP_IN_BRACKETS": re.compile(r"[ \t]*[(\[][ \t]*" + _GAPS + r"[)\]]"),
    "_GAP_BEFORE_PUNCT": re.compile(r"[ \t]*" + _GAPS + r"(?=[,.;:!?)\]]|$)", re.MULTILINE),
    "_GAP_INSIDE": re.compile(r"[ \t]*" + _GAPS),
}


def _random_texts(pieces, seed, count=4000, most=20):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))


def test_links_match_as_before():
    pieces = ["[", "]", "(", ")", " ", "\t", "\n", '"', "a", "t", "x/y", "[a](", "](", ' "t"']
    for text in _random_texts(pieces, "links"):
        old = [(m.span(), m.group(1)) for m in OLD_MARKDOWN_LINK.finditer(text)]
        new = [(m.span(), m.group(1)) for m in scrub_module._MARKDOWN_LINK.finditer(text)]
        assert new == old, repr(text)


def test_emails_match_as_before():
    pieces = ["a", "B", "1", ".", "-", "_", "%", "+", "@", " ", "é", "co", ".com", "@x.org", "!"]
    for text in _random_texts(pieces, "emails"):
        assert email_spans(text) == [m.span() for m in OLD_EMAIL.finditer(text)], repr(text)


def test_gap_and_tail_expressions_match_as_before():
    pieces = [" ", "\t", "\x00", "(", "[", ")", "]", ",", ".", "a", "\n"]
    for text in _random_texts(pieces, "gaps"):
        for name, old in OLD_GAPS.items():
            new = getattr(scrub_module, name)
            assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)], (name, repr(text))
        assert [m.span() for m in scrub_module._URL_TAIL.finditer(text)] == [m.span() for m in OLD_URL_TAIL.finditer(text)]


MEGABYTE = 1 << 20
HOSTILE = [
    "a.", " ", "[a](" + " " * 50, "[a]( x" + " " * 50, "\x00 ", " (\x00", "http://" + "." * 100 + "x ",
    "a" * 30 + "@", "u/ab ", "/r/ab ", "x@y.", "](",
]


@pytest.mark.parametrize("unit", HOSTILE)
def test_scrub_takes_linear_time_on_a_megabyte(unit):
    text = unit * (MEGABYTE // len(unit))
    started = time.perf_counter()
    scrub(text)
    # well under a second on an idle machine; the old expressions took minutes or more
    assert time.perf_counter() - started < 15
