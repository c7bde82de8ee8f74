"""Author notes in WritingPrompts stories: each family found, fiction left alone."""

from __future__ import annotations

import pytest
from linear_time import assert_linear

from lima_curate.text.story_notes import author_notes


@pytest.mark.parametrize(
    "story, kind",
    [
        ("...and it ended.\n\nThis story was fun to write, hope anyone who read it enjoyed it.", "enjoyed"),
        ("This is my first time posting on here, so here goes:\n\nThe door opened.", "first_post"),
        ("The end.\n\n*Did you enjoy this? Then come over to r/Jacksonwrites where nothing gets upvotes.*", "promotion"),
        ("The end.\n\nEdits were made, nothing significant.", "edit_note"),
        ("The end.\n\nEdit 2: typo", "edit_note"),
        ("Edits for grammar changes and clarity.\n\nThe end.", "edit_note"),
        ("The end.\n\nCriticism welcome!", "feedback"),
        ("The end.\n\nWord count: 500", "word_count"),
        ("*So many good responses already, but this one put an image in my head!*\n\nJason ran.", "responses"),
    ],
)
def test_author_notes(story: str, kind: str) -> None:
    assert kind in [hit.kind for hit in author_notes(story)]


@pytest.mark.parametrize(
    "story",
    [
        "She edited the letter twice. \"I hope you like it,\" she said, and he did not.",
        "The first time I saw the sea, I cried. The subway was late; my comments went unanswered.",
        "He counted the words on the page: there were five hundred of them.",
        "Thanks, she said, for the gold watch.",
    ],
)
def test_fiction_is_not_a_note(story: str) -> None:
    assert author_notes(story) == ()


@pytest.mark.parametrize("unit", ["hope you ", "\nedit 2 (", "my first ", '"thanks for reading '])
def test_linear_on_one_megabyte(unit: str) -> None:
    assert_linear(author_notes, unit)
