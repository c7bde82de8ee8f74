"""Rendering an Article as response text, and cleaning scraped step text."""

from __future__ import annotations

import pytest

from lima_curate.sources.wikihow.article import (
    Article,
    Section,
    Step,
    method_heading,
    render,
    rewrite_this_article,
    sentence_case,
    strip_artifacts,
)


def _article(**kwargs) -> Article:
    fields = dict(
        title="Cook Pasta",
        file="x.html",
        layout="html",
        intro="This article shows two ways.",
        sections=(
            Section("Method 1 of 2: Boiling", (Step("Fill a pot.", ("Use a big pot.",)), Step("Boil it."))),
            Section("Part 2 of 2: Draining", (Step("Drain it."),)),
            Section("Tips", (Step("Salt the water."),)),
        ),
    )
    fields.update(kwargs)
    return Article(**fields)


def test_render_layout_headings_numbering_and_pruning() -> None:
    text = render(_article(), pruned=("Tips",))
    assert text == (
        "The following answer shows two ways.\n\n"
        "## Boiling\n\n"
        "1. Fill a pot.\n    * Use a big pot.\n2. Boil it.\n\n"
        "## Draining\n\n"
        "1. Drain it."
    )


def test_pruned_section_names_ignore_case_and_curly_apostrophes() -> None:
    article = _article(sections=(Section("Steps", (Step("Do it."),)), Section("THINGS YOU’LL NEED", (Step("A pot."),))))
    assert render(article, pruned=("Things You'll Need",)) == "The following answer shows two ways.\n\n1. Do it."
    assert article.step_count(("Things You'll Need",)) == 1
    assert article.step_count() == 2


def test_single_unnamed_section_has_no_heading() -> None:
    article = _article(intro="", sections=(Section("", (Step("One."), Step("Two."))),))
    assert render(article) == "1. One.\n2. Two."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This article explains it.", "The following answer explains it."),
        ("Hi. This wikiHow teaches you how.", "Hi. The following answer teaches you how."),
        ("Read this article twice.", "Read this article twice."),  # not at a sentence start
        ("This articles list", "This articles list"),
    ],
)
def test_rewrite_this_article(text: str, expected: str) -> None:
    assert rewrite_this_article(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dry it.[6] X Research source hhttps://sell.example.com/x Then fold.", "Dry it. Then fold."),
        ("Ice it.[3] X Expert Source Jane Doe, MD Board Certified Expert Interview. 21 April 2020. Rest.",
         "Ice it. Rest."),
        ("Eat well.[5] X Trustworthy Source Example Clinic Educational website Go to source Sleep.",
         "Eat well. Sleep."),
        ("Lay bricks level. X Expert", "Lay bricks level."),
        ('Tap the icon {"smallUrl":"https:\\/\\/x.jpg","licensing":"<p>Fair Use<\\/p>"}. It is blue.',
         "Tap the icon. It is blue."),
        ("Plain text [2] with a marker.", "Plain text with a marker."),
        ("Nothing to remove: 3 X 4 boards.", "Nothing to remove: 3 X 4 boards."),
    ],
)
def test_strip_artifacts(text: str, expected: str) -> None:
    assert strip_artifacts(text) == expected


def test_headings() -> None:
    assert method_heading("Method 3 of 4: Sauteing Aubergine") == "Sauteing Aubergine"
    assert method_heading("Part 1 of 2: Making Latik") == "Making Latik"
    assert sentence_case("BOILING THE NOODLES") == "Boiling the noodles"
    assert sentence_case("Boiling the Noodles") == "Boiling the Noodles"
