"""HTML post bodies to clean text: golden cases and the details that matter to the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from lima_curate.text.html import clean_html, prose_only
from lima_curate.text.spans import math_spans

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.html"))


def test_every_golden_case_is_present():
    assert {"code_block", "nested_lists", "inline_code", "links", "images", "mathjax", "broken_markup"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    html = (GOLDEN / f"{name}.html").read_text(encoding="utf-8")
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert clean_html(html).text + "\n" == expected


def test_code_block_is_verbatim_between_fences():
    code = 'def f(x):\n    return  x  &lt;  2   # spaces kept\n\n\nprint(f(1))'
    text = clean_html(f"<pre><code>{code}\n</code></pre>").text
    assert text == "```\n" + code.replace("&lt;", "<") + "\n```"


def test_fence_is_longer_than_backtick_runs_in_the_code():
    text = clean_html("<pre><code>```\nnested\n```\n</code></pre>").text
    assert text.startswith("````\n") and text.endswith("\n````")


def test_math_keeps_its_whitespace_but_prose_is_collapsed():
    text = clean_html("<p>so   that\n$$a  +\n  b$$ and  $x\n y$</p>").text
    assert text == "so that $$a  +\n  b$$ and $x\n y$"


def test_escaped_dollar_inside_inline_math():
    text = r"cost $a\$b$ here"
    assert [text[start:end] for start, end in math_spans(text)] == [r"$a\$b$"]  # one inline span


def test_entities_are_decoded_exactly_once():
    # the XML parser already turned &amp;lt; into &lt;; the HTML parser makes it "<", and no further
    assert clean_html("<p>a &lt; b and &amp;lt; stays</p>").text == "a < b and &lt; stays"


def test_links_keep_anchor_text_and_are_counted():
    cleaned = clean_html('<p>Read <a href="https://example.org/x">the guide</a> first.</p>')
    assert cleaned.text == "Read the guide first."
    assert (cleaned.links, cleaned.link_letters, cleaned.images) == (1, 8, 0)


def test_images_are_dropped_and_counted():
    cleaned = clean_html('<p>Look: <img src="a.png" alt="alt text here"></p>')
    assert cleaned.text == "Look:"
    assert cleaned.images == 1


@pytest.mark.parametrize("html", ["", "   ", "<p></p>", "<!-- only a comment -->", "<img src='x'>"])
def test_empty_input_gives_empty_text(html):
    assert clean_html(html).text == ""


@pytest.mark.parametrize(
    "html",
    ["<p>a\x00b\x0bc</p>", "<<<>>>", "</p></div>text", "<p>\ud800 lone surrogate</p>", "\ue000\ue001 private"],
)
def test_odd_input_never_raises(html):
    assert isinstance(clean_html(html).text, str)


def test_private_use_placeholders_in_input_cannot_inject_text():
    assert clean_html("<p>x \ue0000\ue001 y <code>z</code></p>").text == "x 0 y `z`"


def test_prose_only_drops_code_math_and_quotes():
    text = clean_html(
        "<p>Prose with <code>I = 1</code> and $I\\omega$.</p><blockquote><p>I said so.</p></blockquote>"
        "<pre><code>my_var = me()\n</code></pre><p>End.</p>"
    ).text
    prose = prose_only(text)
    assert "Prose with" in prose and "End." in prose
    for gone in ("I = 1", "omega", "I said", "my_var"):
        assert gone not in prose
