"""Wording measurements: a hit and a miss for every family, the words returned, linear time."""

from __future__ import annotations

import pytest
from linear_time import assert_linear

from lima_curate.text import leftovers, wording
from lima_curate.text.html import prose_only


def words(hits) -> list[str]:
    return [hit.phrase for hit in hits]


# ---------------------------------------------------------------- first person (the paper's "I", "my")


@pytest.mark.parametrize(
    "prose, expected",
    [
        ("I think the answer is no.", ["I"]),
        ("First off, I highly recommend the book.", ["I"]),
        ("The reason is simple (my favorite).", ["my"]),
        ("My advice: use a lock. Then my code works.", ["My", "my"]),
        ("Use it when I/O is slow, but I would not.", ["I"]),
        ("see my answer here", ["my"]),
    ],
)
def test_first_person_finds_the_words(prose: str, expected: list[str]) -> None:
    assert words(wording.first_person(prose)) == expected


@pytest.mark.parametrize(
    "prose",
    [
        "I'm sure, I've seen it, I'd say, I'll do it.",  # contractions are not the word "I"
        "Use the same I/O ports as ISA cards.",
        "Windows and Linux: Ctrl + Shift + I\nMac: ⌘+⌥+I",
        "In the above examples %I and PATH can be replaced.",
        "Sign I-407 to relinquish residency.",
        "Similar to Windows applications. I.e. makes wizards easy.",
        "Past aoristic verbs (\"I loved\") look alike.",
        "For example: &quot;I like to grab lunch here&quot; is fine.",
        "World War I ended in 1918; Type I errors; Louis I of Spain.",
        "The economy grew; Myanmar and mystery.",
        "",
    ],
)
def test_first_person_leaves_other_uses(prose: str) -> None:
    assert wording.first_person(prose) == ()


def test_first_person_extended_adds_me_myself_mine() -> None:
    prose = "Tell me why. I did it myself. The idea is mine. A friend of mine."
    assert words(wording.first_person_extended(prose)) == ["me", "myself", "is mine", "of mine"]
    assert wording.first_person_extended("A coal mine; some time; meme; the ME department") == ()


# ---------------------------------------------------------------- references to the site


@pytest.mark.parametrize(
    "prose, kind",
    [
        ("As noted in another answer, it fails.", "other_answers"),
        ("The accepted answer is wrong.", "other_answers"),
        ("See jball's answer for details.", "named_answer"),
        ("As others have said, use a mutex.", "as_others_said"),
        ("This is already pointed out by others.", "as_others_said"),
        ("As TypeIA pointed out in a comment, it is verbal.", "comments"),
        ("Ask on Stack Overflow instead.", "site"),
        ("Note the buttons on stackexchange sites.", "site"),
        ("Using the APIs requested by the OP, you can do it.", "op"),
        ("Thanks @heather for the hint.", "mention"),
        ("It works.\nEdit: fixed the link.", "edit_mark"),
        ("It works.\n**UPDATE 2 (2014):** it changed.", "update_mark"),
    ],
)
def test_site_references_name_their_family(prose: str, kind: str) -> None:
    hits = wording.site_references(prose)
    assert kind in [hit.kind for hit in hits], hits


@pytest.mark.parametrize(
    "prose",
    [
        "To answer your question, yes.",  # the question itself is not another post
        "This question needs a type analysis.",
        "As mentioned above, the loop ends.",  # the answer's own earlier text
        "Write to admin@example.org for access.",
        "The answer is 42. Update the row with UPDATE t SET x = 1.",
        "Its option is better suited for the site's users.",
    ],
)
def test_site_references_leave_other_text(prose: str) -> None:
    assert wording.site_references(prose) == ()


def test_question_references_are_measured_apart() -> None:
    assert words(wording.question_references("To answer your question, see this question.")) == [
        "your question", "this question"]
    assert wording.question_references("No questions here.") == ()


# ---------------------------------------------------------------- thread talk


@pytest.mark.parametrize(
    "prose, phrase",
    [
        ("This is a follow-up question to @heather's answer.", "follow-up question"),
        ("If someone wants more, please leave a comment.", "please leave a comment"),
        ("Downvoter, care to comment?", "downvoter"),
        ("P.S. This answer could be expanded quite a bit.", "this answer could be expanded"),
        ("Apologies for the link. Edits on that are welcome.", "edits on that are welcome"),
        ("Feel free to edit.", "feel free to edit"),
    ],
)
def test_thread_talk(prose: str, phrase: str) -> None:
    assert words(wording.thread_talk(prose))[0].lower() == phrase


@pytest.mark.parametrize(
    "prose",
    [
        "Hope this helps.",  # a sign-off, as common in LIMA's picks as in the dumps
        "Follow up on the recipe with a second coat.",
        "Comments in the code start with #.",
        "Edit the config file, then restart.",
    ],
)
def test_thread_talk_leaves_other_text(prose: str) -> None:
    assert wording.thread_talk(prose) == ()


def test_phrases_are_distinct_in_first_found_order() -> None:
    hits = wording.first_person("my code, my tests, and I")
    assert wording.phrases(hits) == ("my", "I")


def test_prose_only_keeps_code_out() -> None:
    text = "Use `my_var` here:\n\n```\nI = 1\n```\n> I quoted this\n\nDone."
    assert wording.first_person(prose_only(text)) == ()


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize(
    "measure, unit",
    [
        (wording.first_person, 'I "'), (wording.first_person, "Type I "), (wording.first_person, "my "),
        (wording.first_person_extended, "me mine "), (wording.first_person_extended, '"me '),
        (wording.site_references, "as others said "), (wording.site_references, "x's answer "),
        (wording.site_references, "a@b "), (wording.site_references, "Edit:\n"), (wording.site_references, "stack "),
        (wording.question_references, "this question "),
        (wording.thread_talk, "follow-up "), (wording.thread_talk, "please leave "),
    ],
)
def test_linear_on_one_megabyte(measure, unit: str) -> None:
    assert_linear(measure, unit)


def test_phrases_are_cut_at_their_place_after_a_character_that_lowers_to_two():
    prose = "İİİİ İstanbul İzmir: as mentioned in the comments, see the image below."
    assert len(wording.lowered(prose)) == len(prose)
    assert [hit.phrase.lower() for hit in wording.site_references(prose)] == \
        [hit.phrase.lower() for hit in wording.site_references(prose.replace("İ", "I"))]
    assert [hit.phrase for hit in leftovers.removed_image_references(prose)] == ["see the image"]
