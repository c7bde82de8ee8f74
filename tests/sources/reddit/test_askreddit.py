"""r/AskReddit titles: clean-up and the self-contained test."""

from __future__ import annotations

import pytest

from lima_curate.sources.reddit.askreddit import clean_title, self_contained_problem


@pytest.mark.parametrize(
    ("title", "clean", "tags"),
    [
        ("[Serious] How did you know it was time to change careers?", "How did you know it was time to change careers?", ("Serious",)),
        ("What is the most unsettling declassified information? [Serious]", "What is the most unsettling declassified information?", ("Serious",)),
        ("[Serious]People with good families, what happened?", "People with good families, what happened?", ("Serious",)),
        ("Reddit, what is the best one liner joke you've ever heard?", "What is the best one liner joke you've ever heard?", ()),
        ("Redditors: what do you collect?", "What do you collect?", ()),
        ("Teachers of Reddit, what goes on at schools?", "Teachers of Reddit, what goes on at schools?", ()),
        ("What do you call a Reddit user?", "What do you call a Reddit user?", ()),
    ],
)
def test_clean_title(title: str, clean: str, tags: tuple) -> None:
    assert clean_title(title) == (clean, tags)


@pytest.mark.parametrize(
    ("title", "selftext"),
    [
        ("What's a skill you learned as an adult that you wish you'd learned as a kid?", ""),
        ("Teachers of Reddit: Have you ever had a real genius in class? What made them so smart?", ""),
        ('What\'s the first thing that comes to mind when you hear "South Africa"?', ""),
        ("What small habit improved your sleep the most?", "Mine was no screens after ten."),
    ],
)
def test_self_contained_titles_keep(title: str, selftext: str) -> None:
    assert self_contained_problem(title, (), selftext) is None


@pytest.mark.parametrize(
    ("title", "tags", "selftext", "reason"),
    [
        ("Tell me about the best meal you ever had", (), "", "not a question"),
        ("Why?", (), "", "too short"),
        ("What do you think of this photo I took?", (), "", "points to the post"),
        ("How do I fix this? Details inside", (), "", "not a question"),
        ("How do I fix this, details in the text?", (), "", "points to the post"),
        ("Which one should I pick, see text?", (), "", "points to the post"),
        ("Why is the sky blue at noon?", ("Long",), "", "points to the post"),
        ("My roommate eats my food, how do I bring it up?", (), "We have lived together for years.", "personal question"),
        ("Why are all the posts removed?", ("META",), "", "moderator/meta"),
    ],
)
def test_titles_that_do_not_stand_alone_drop(title: str, tags: tuple, selftext: str, reason: str) -> None:
    problem = self_contained_problem(title, tags, selftext)
    assert problem is not None and reason in problem


def test_personal_question_without_self_text_keeps() -> None:
    assert self_contained_problem("What should I name my first boat?", (), "") is None
