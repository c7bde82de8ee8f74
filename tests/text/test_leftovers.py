"""Leftovers of a conversion to text: a hit and a miss for each measurement, and the repair."""

from __future__ import annotations

import pytest
from linear_time import assert_linear

from lima_curate.text.leftovers import (
    bare_link_lines,
    entity_residue,
    removed_image_references,
    repair_entity_residue,
)


def phrases(hits) -> list[str]:
    return [hit.phrase for hit in hits]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Notice, carefully in the above picture that the lines match.", "in the above picture"),
        ("The graph below shows the drop.", "graph below"),
        ("Two gates are shown in the image below.", "shown in the image"),
        ("The coffee collects below (See picture 3).", "See picture"),
        ("Open the preferences (screenshot).", "(screenshot)"),
        ("What's pictured here is the D-Wave One.", "pictured here"),
        ("Let's display them in the following picture.", "in the following picture"),
    ],
)
def test_removed_image_references(text: str, phrase: str) -> None:
    assert phrase in phrases(removed_image_references(text))


@pytest.mark.parametrize(
    "text",
    [
        "Gaudon shows that this image represents genius.",  # a metaphor, no position
        "It is illustrated in Figure 4.10 of Nielsen & Chuang.",  # a figure of another work
        "Use a paragraph, a photon and a cartograph.",
        "As shown below, the code prints 3:",  # "shown below" points at code, not a picture
        "Look at the graph state formalism.",
    ],
)
def test_removed_image_references_leave_other_text(text: str) -> None:
    assert removed_image_references(text) == ()


@pytest.mark.parametrize(
    "text, line",
    [
        ("Robusta is 7-10% CGA.\n\nSourced from http://theroasterspack.com/", "Sourced from http://theroasterspack.com/"),
        ("More Information\n\nhttp://www.coffeeresearch.org/science/bittermain.htm\n", "http://www.coffeeresearch.org/science/bittermain.htm"),
        ("Text.\n- Source: https://a.example/x, https://b.example/y\n", "- Source: https://a.example/x, https://b.example/y"),
        ("Text.\n[1] www.example.com/page.\n", "[1] www.example.com/page."),
    ],
)
def test_bare_link_lines(text: str, line: str) -> None:
    assert phrases(bare_link_lines(text)) == [line]


@pytest.mark.parametrize(
    "text",
    [
        "1. Download the JDK from https://www.oracle.com/java and install it.",
        "See the docs at http://example.com for the options, then run it.",
        "No links at all.",
    ],
)
def test_bare_link_lines_leave_links_in_sentences(text: str) -> None:
    assert bare_link_lines(text) == ()


def test_entity_residue_and_repair() -> None:
    text = "& nbsp; & nbsp; Ding. Tom &amp; Jerry said &quot;hi&quot; &#39;ok&#39; &#x2192;"
    assert phrases(entity_residue(text)) == ["& nbsp;", "& nbsp;", "&amp;", "&quot;", "&quot;", "&#39;", "&#39;", "&#x2192;"]
    assert repair_entity_residue(text) == "    Ding. Tom & Jerry said \"hi\" 'ok' →"


@pytest.mark.parametrize("text", ["AT&T; R&D; Q&A;", "Tom & Jerry; &unknownthing;", "fish & chips"])
def test_entity_residue_needs_a_known_entity(text: str) -> None:
    assert entity_residue(text) == ()
    assert repair_entity_residue(text) == text


@pytest.mark.parametrize(
    "measure, unit",
    [
        (removed_image_references, "(see picture "), (removed_image_references, "in the above picture "),
        (removed_image_references, "graph " * 9 + "below "),
        (bare_link_lines, "http://x.y/" + "a" * 50 + " "), (bare_link_lines, "https://a.b\n"),
        (entity_residue, "& nbsp;"), (entity_residue, "&" * 10),
    ],
)
def test_linear_on_one_megabyte(measure, unit: str) -> None:
    assert_linear(measure, unit)
