"""The proposed rules: a keep and a drop for each (with its reason), and the LIMA blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from lima_curate.calibrate import proposed, today
from lima_curate.calibrate.references import Pair, read_reference
from lima_curate.calibrate.report import calibrate

LONG = "A plain, well written explanation of the method. " * 30  # 1,500 chars of prose


def se_rule(name: str, settings: proposed.StackExchangeSettings = proposed.StackExchangeSettings(english_only=True)):
    return next(rule for rule in proposed.stackexchange_rules(settings) if rule.name == name)


def se(answer: str = LONG, prompt: str = "How does it work?", html: "str | None" = None) -> dict:
    return proposed.stackexchange_measurements(prompt, answer, answer_html=html, prompt_kind="title")


@pytest.mark.parametrize(
    "name, answer, prompt, reason",
    [
        ("first_person_i_my", LONG + " I think so.", "Q?", "first person: 'I'"),
        ("refers_to_site", LONG + " Ask on Stack Overflow.", "Q?", "refers to the site: 'Stack Overflow'"),
        ("thread_talk", LONG + " Please leave a comment.", "Q?", "talks to the thread: 'Please leave a comment'"),
        ("removed_image", LONG + " Notice in the above picture the lines.", "Q?",
         "points at a removed image: 'in the above picture'"),
        ("bare_link", LONG + "\n\nSourced from http://example.com/", "Q?",
         "bare link line: 'Sourced from http://example.com/'"),
        ("prompt_refers_to_thread", LONG, "This is a follow-up question to @heather's answer.",
         "the question talks to the thread: 'follow-up question'"),
        ("prompt_removed_image", LONG, "What is the bird in the attached photo?",
         "the question points at a removed image: 'in the attached photo'"),
        ("not_english", "Es gibt im heutigen Deutschen keinen semantischen Unterschied zwischen den drei "
                        "Frageadverbien, die alle dasselbe bedeuten und gleich verwendet werden.", "Q?", "language de"),
    ],
)
def test_stackexchange_rule_drops_and_keeps(name: str, answer: str, prompt: str, reason: str) -> None:
    rule = se_rule(name)
    assert rule(se(answer, prompt)) == reason
    assert rule(se()) is None


def test_stackexchange_question_and_other_answers_are_kept_by_default() -> None:
    measured = se(LONG + " To answer your question, another answer suggests X.")
    assert se_rule("refers_to_site")(measured) is None
    wide = proposed.StackExchangeSettings(reference_kinds=proposed.SE_REFERENCE_KINDS_WIDE)
    assert se_rule("refers_to_site", wide)(measured) == "refers to the site: 'another answer'"


def test_stackexchange_length_on_raw_html_or_text() -> None:
    short_text, long_html = "x" * 1100, "<p>" + "x" * 1300 + "</p>"
    assert se_rule("answer_html_too_short")(se(short_text, html=long_html)) is None
    assert se_rule("answer_html_too_short")(se(short_text, html=short_text)) == "1100 chars < 1200"
    assert se_rule("answer_html_too_long")(se(html="y" * 4097)) == "4097 chars > 4096"
    text_rules = proposed.StackExchangeSettings(length_measure="text")
    assert se_rule("answer_too_short", text_rules)(se(short_text, html=long_html)) == "1100 chars < 1200"
    assert se_rule("answer_html_too_short").needs == ("answer_html_chars",)
    with pytest.raises(ValueError, match="length_measure"):
        proposed.StackExchangeSettings(length_measure="tokens")


def test_stackexchange_options_add_rules() -> None:
    names = [r.name for r in proposed.stackexchange_rules(proposed.StackExchangeSettings(
        first_person_me_mine=True, entity_residue=True))]
    assert "first_person_me_mine" in names and "html_entity_residue" in names and "not_english" not in names
    assert "not_english" in [r.name for r in proposed.stackexchange_rules(proposed.StackExchangeSettings(english_only=True))]
    assert se_rule("first_person_me_mine", proposed.StackExchangeSettings(first_person_me_mine=True))(
        se(LONG + " Tell me.")) == "first person: 'me'"


def wp_rule(name: str):
    return next(rule for rule in proposed.writingprompts_rules() if rule.name == name)


STORY = "The door creaked open and the old lighthouse keeper stepped into the storm. " * 8


@pytest.mark.parametrize(
    "name, story, reason",
    [
        ("story_too_short", "Too short.", "10 chars < 150"),
        ("story_too_long", STORY * 5, f"{len(STORY * 5)} chars > 2100"),
        ("author_note", STORY + "\n\nThis is my first time posting.", "author note: 'This is my first time posting'"),
        ("html_entity_residue", "& nbsp; " + STORY, "HTML entity: '& nbsp;'"),
        ("story_is_part", "Part 2\n\n" + STORY, "first line 'Part 2' labels a part of a series"),
    ],
)
def test_writingprompts_rule_drops_and_keeps(name: str, story: str, reason: str) -> None:
    rule = wp_rule(name)
    assert rule(proposed.writingprompts_measurements("A prompt.", story)) == reason
    assert rule(proposed.writingprompts_measurements("A prompt.", STORY)) is None


def test_wikihow_has_no_cap_by_default() -> None:
    rules = proposed.wikihow_rules()
    assert [r.name for r in rules] == ["response_too_short", "bare_link", "html_entity_residue", "not_english"]
    long_article = "Step one: mix the flour and the water in the bowl. " * 400
    measured = proposed.wikihow_measurements("How to bake bread?", long_article)
    assert all(rule(measured) is None for rule in rules)
    assert rules[0](proposed.wikihow_measurements("How to?", "Too short.")) == "10 chars < 1000"


def test_guess_prompt_kind() -> None:
    assert proposed.guess_prompt_kind("Understanding the Rails Authenticity Token") == "title"
    assert proposed.guess_prompt_kind("A question\nwith two lines") == "body"
    assert proposed.guess_prompt_kind("x" * 151) == "body"


def test_todays_rules_on_measurements() -> None:
    source = today.stackexchange_source()
    measured = source.measure(Pair("Why?", "I think so. " * 120))
    failed = [rule.name for rule in source.rules if rule(measured) is not None]
    assert failed == ["first_person"]


# ---------------------------------------------------------------- the released LIMA set

LIMA = Path("lima") / "lima_train_alpaca_format.json"


@pytest.mark.realdata
@pytest.mark.parametrize(
    "source, rows, settings, most",
    [
        ("stackexchange", slice(0, 400), proposed.StackExchangeSettings(), 20),  # 5%
        ("wikihow", slice(600, 800), proposed.WikiHowSettings(), 10),  # 5%
        ("writingprompts", slice(850, 1000), proposed.WritingPromptsSettings(), 15),  # 10%, not_english counted
    ],
)
def test_proposed_rules_keep_limas_picks(realdata: Path, source: str, rows: slice, settings, most: int) -> None:
    makers = {"stackexchange": proposed.stackexchange_source, "wikihow": proposed.wikihow_source,
              "writingprompts": proposed.writingprompts_source}
    report = calibrate(read_reference(realdata / LIMA, rows), makers[source](settings))
    assert report.items - report.kept <= most, report.dropped


@pytest.mark.realdata
def test_todays_rules_drop_a_third_of_limas_stack_exchange_picks(realdata: Path) -> None:
    report = calibrate(read_reference(realdata / LIMA, slice(0, 400)), today.stackexchange_source())
    assert report.items - report.kept == 127
    assert report.hits["first_person"] == 44 and report.hits["refers_to_other_answers"] == 24
