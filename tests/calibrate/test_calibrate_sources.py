"""The build's own rules on reference pairs, and the targets on the released LIMA set."""

from __future__ import annotations

from pathlib import Path

import pytest

from lima_curate.calibrate.references import Pair, ReferenceItem, read_reference
from lima_curate.calibrate.report import calibrate
from lima_curate.calibrate.sources import SOURCES
from lima_curate.config import PipelineConfig, load_pipeline
from lima_curate.sources.stackexchange.measure import reference_prompt_kind
from lima_curate.sources.stackexchange.rules import active_rules

LIMA = Path("lima") / "lima_train_alpaca_format.json"
LIMA_RECIPE = Path(__file__).resolve().parents[2] / "pipelines" / "lima.yaml"
LONG = "A plain, well written explanation of the method. " * 30
STORY = "The door creaked open and the old lighthouse keeper stepped into the storm. " * 8


def one(source: str, prompt: str, response: str, config: PipelineConfig = PipelineConfig()):
    report = calibrate([ReferenceItem(0, (Pair(prompt, response),))], SOURCES[source](config))
    return next((name for name, n in report.dropped.items() if n), None), report


def test_stack_exchange_runs_the_builds_rules_in_order():
    rules = SOURCES["stackexchange"](PipelineConfig()).rules
    assert rules == active_rules(PipelineConfig().sources.stackexchange)
    assert one("stackexchange", "How does it work?", LONG)[0] is None
    assert one("stackexchange", "How does it work?", LONG + " I think so.")[0] == "first_person_i_my"
    assert one("stackexchange", "How does it work?", LONG + " Please leave a comment.")[0] == "thread_talk"
    body = "This is a follow-up question to @heather's answer.\nWhat does it do?"
    assert one("stackexchange", body, LONG)[0] == "prompt_refers_to_thread"


def test_what_a_reference_cannot_give_is_unmeasured():
    _, report = one("stackexchange", "How?", LONG)
    assert report.unmeasured["answer_html_too_short"] == 1 and report.unmeasured["answer_score_below_min"] == 1
    _, report = one("wikihow", "How to bake bread?", "Mix the flour and the water. " * 60)
    assert report.unmeasured["not_an_article"] == 1 and report.kept == 1


def test_the_config_chooses_the_rules():
    text = PipelineConfig(sources={"stackexchange": {"length_measure": "text", "english_only": False}})
    names = [rule.name for rule in SOURCES["stackexchange"](text).rules]
    assert "answer_too_short" in names and "not_english" not in names
    assert one("stackexchange", "How?", "Too short.", text)[0] == "answer_too_short"


def test_non_english_items_are_counted_with_or_without_the_rule():
    german = ("Es gibt im heutigen Deutschen keinen semantischen Unterschied zwischen den drei Frageadverbien, "
              "die alle dasselbe bedeuten und gleich verwendet werden. ") * 12
    on = one("stackexchange", "Was ist der Unterschied?", german)
    off = one("stackexchange", "Was ist der Unterschied?", german,
              PipelineConfig(sources={"stackexchange": {"english_only": False}}))
    assert on[0] == "not_english" and off[0] is None
    assert on[1].not_english_items == off[1].not_english_items == 1 and off[1].languages == {"de": 1}


def test_writingprompts_stories_are_cleaned_and_measured_as_the_extractor_does():
    assert one("writingprompts", "A prompt.", STORY)[0] is None
    assert one("writingprompts", "A prompt.", "Too short.")[0] == "story_too_short"
    assert one("writingprompts", "A prompt.", STORY + "\n\nWe met again. This is my first time posting.\n\n" + STORY)[0] \
        == "author_note"
    assert one("writingprompts", "A prompt.", "Part 2\n\n" + STORY)[0] == "story_is_part"
    assert one("writingprompts", "A prompt.", STORY.replace("storm", "storm& nbsp;"))[0] is None  # decoded first


def test_reference_prompt_kind():
    assert reference_prompt_kind("Understanding the Rails Authenticity Token") == "title"
    assert reference_prompt_kind("A question\nwith two lines") == "body"
    assert reference_prompt_kind("x" * 151) == "body"


# ---------------------------------------------------------------- the released LIMA set


@pytest.mark.realdata
@pytest.mark.parametrize(
    "source, rows, most",
    [
        ("stackexchange", slice(0, 400), 20),  # 5%
        ("wikihow", slice(600, 800), 10),  # 5%
        ("writingprompts", slice(850, 1000), 15),  # 10%, the non-English story counted as a drop
    ],
)
def test_the_lima_recipe_keeps_limas_picks(realdata: Path, source: str, rows: slice, most: int) -> None:
    report = calibrate(read_reference(realdata / LIMA, rows), SOURCES[source](load_pipeline(LIMA_RECIPE)))
    assert report.items - report.kept <= most, report.dropped


@pytest.mark.realdata
def test_limas_stack_exchange_picks_in_other_languages(realdata: Path) -> None:
    items = read_reference(realdata / LIMA, slice(0, 400))
    off = calibrate(items, SOURCES["stackexchange"](load_pipeline(LIMA_RECIPE)))
    on = calibrate(items, SOURCES["stackexchange"](PipelineConfig()))  # english_only: true
    assert off.not_english_items == on.not_english_items == 9 and off.languages == {"pt": 6, "es": 2, "de": 1}
    assert on.dropped["not_english"] == 9 and on.items - on.kept == off.items - off.kept + 9
