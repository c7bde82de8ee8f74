"""The Reddit rules: a keep and a drop for each, with the reason; the lists in their order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lima_curate.config import RedditConfig
from lima_curate.rules import Drop, first_failure
from lima_curate.sources.reddit import rules as reddit_rules
from lima_curate.sources.reddit.rules import (
    DATASET_RULES,
    PAIR_RULES,
    PROMPT_RULES,
    QUESTION_RULES,
    STORY_RULES,
    comment_measures,
    nsfw_measures,
    prompt_measures,
    story_measures,
    submission_deleted,
)

CONFIG = RedditConfig()


def names(rules) -> list[str]:
    return [r.name for r in rules]


def test_the_lists_and_their_order():
    assert names(PROMPT_RULES) == ["deleted_or_removed", "nsfw", "prompt_tag_not_eligible", "empty_prompt"]
    assert names(STORY_RULES) == ["automoderator", "moderator_comment", "deleted_or_removed", "story_is_part",
                                  "story_too_short", "story_too_long", "author_note", "html_entity_residue",
                                  "story_score_below_min"]
    assert names(DATASET_RULES) == ["nsfw", "prompt_tag_not_eligible", "empty_prompt", "story_is_part",
                                    "story_too_short", "story_too_long", "author_note", "html_entity_residue"]
    assert names(PAIR_RULES) == ["not_english"]
    assert names(QUESTION_RULES) == ["deleted_or_removed", "nsfw", "askreddit_score_below_min",
                                     "askreddit_not_self_contained", "not_english"]
    # the shared rules are the same objects in every list: one NSFW test, one length window
    assert PROMPT_RULES[1] is DATASET_RULES[0] is QUESTION_RULES[1] is reddit_rules.nsfw
    assert STORY_RULES[4:8] == DATASET_RULES[4:8] == (reddit_rules.story_too_short, reddit_rules.story_too_long,
                                                      reddit_rules.author_note, reddit_rules.html_entity_residue)


@pytest.mark.parametrize(
    "check, keep, drop, reason",
    [
        (reddit_rules.deleted_or_removed, {"deleted": ""}, {"deleted": "body is [removed]"}, "body is [removed]"),
        (reddit_rules.nsfw, {"over_18": False, "nsfw_tag": False}, {"over_18": True, "nsfw_tag": True}, "over_18"),
        (reddit_rules.nsfw, {"over_18": False, "nsfw_tag": False}, {"over_18": False, "nsfw_tag": True},
         "tagged [NSFW]"),
        (reddit_rules.prompt_tag_not_eligible, {"tag_problem": ""}, {"tag_problem": "unknown tag [XX]"},
         "unknown tag [XX]"),
        (PROMPT_RULES[3], {"prompt_chars": 9}, {"prompt_chars": 0}, "the title is only tags"),
        (DATASET_RULES[2], {"prompt_chars": 9}, {"prompt_chars": 0}, "the prompt is only tags"),
        (reddit_rules.story_is_part, {"series_part": ""}, {"series_part": "first line 'Part 2'"}, "first line 'Part 2'"),
        (reddit_rules.story_too_short, {"story_chars": 150}, {"story_chars": 149}, "149 chars < 150"),
        (reddit_rules.story_too_long, {"story_chars": 2100}, {"story_chars": 2101}, "2101 chars > 2100"),
        (reddit_rules.author_note, {"author_notes": ()}, {"author_notes": (("first_post", "my first time posting"),)},
         "author note (first_post): 'my first time posting'"),
        (reddit_rules.html_entity_residue, {"entity_residue": ()}, {"entity_residue": ("&amp;",)},
         "HTML entity: '&amp;'"),
        (reddit_rules.automoderator, {"author": "writer"}, {"author": "AutoModerator"}, "comment by AutoModerator"),
        (reddit_rules.moderator_comment, {"distinguished": None, "stickied": False},
         {"distinguished": "moderator", "stickied": False}, "distinguished='moderator', stickied=False"),
        (reddit_rules.moderator_comment, {"distinguished": None, "stickied": False},
         {"distinguished": None, "stickied": True}, "distinguished=None, stickied=True"),
        (reddit_rules.story_score_below_min, {"score": None}, {"score": 9}, "score 9 < 10"),
        (reddit_rules.pair_not_english, {"language": "en"}, {"language": "es"}, "detected as 'es'"),
        (reddit_rules.askreddit_score_below_min, {"score": 100}, {"score": None}, "score None < 100"),
        (reddit_rules.askreddit_not_self_contained, {"not_self_contained": ""},
         {"not_self_contained": "not a question (no question mark at the end)"},
         "not a question (no question mark at the end)"),
        (reddit_rules.question_not_english, {"language": "und"}, {"language": "es"}, "title detected as 'es'"),
    ],
)
def test_each_rule_keeps_and_drops_with_its_reason(check, keep, drop, reason):
    assert check(keep, CONFIG) is None
    assert check(drop, CONFIG) == reason


def test_thresholds_and_switches_come_from_the_config():
    assert reddit_rules.nsfw({"over_18": True, "nsfw_tag": True}, replace(CONFIG, include_nsfw=True)) is None
    assert reddit_rules.story_score_below_min({"score": 3}, replace(CONFIG, min_story_score=3)) is None
    assert reddit_rules.askreddit_score_below_min({"score": 20}, replace(CONFIG, min_askreddit_score=10)) is None
    assert reddit_rules.story_too_short({"story_chars": 100}, replace(CONFIG, min_story_chars=100)) is None


def test_measurements_of_items():
    submission = {"title": "[WP] [NSFW] A dark sea", "selftext": "", "over_18": False}
    assert submission_deleted(submission) == "" and submission_deleted({**submission, "selftext": "[removed]"})
    assert nsfw_measures(submission, ("WP", "NSFW")) == {"over_18": False, "nsfw_tag": True}
    assert nsfw_measures({}, ("serious",)) == {"over_18": False, "nsfw_tag": False}
    assert prompt_measures(("WP",), "A dark sea") == {"tag_problem": "", "prompt_chars": 10}
    assert prompt_measures((), "Looking for readers")["tag_problem"] == "untagged title: not a writing prompt"
    comment = {"author": "writer", "body": "[deleted]", "score": "12", "stickied": 0, "distinguished": None}
    assert comment_measures(comment) == {"author": "writer", "distinguished": None, "stickied": False,
                                         "deleted": "body is [deleted]", "score": 12}
    assert story_measures("text", ("story_is_part", "last line 'To be continued'")) == {
        "series_part": "last line 'To be continued'", "story_chars": 4, "author_notes": (), "entity_residue": ()}
    noted = story_measures("The end.\n\nThis is my first time posting, come over to r/mystories!", None)
    assert noted["author_notes"] == (("first_post", "This is my first time posting"),
                                     ("promotion", "come over to r/m"))


def test_a_story_is_decided_by_its_list_in_order():
    measured = {"author": "AutoModerator", "distinguished": "moderator", "stickied": True, "deleted": "", "score": 1}
    assert first_failure(dict(measured), STORY_RULES, CONFIG) == Drop("automoderator", "comment by AutoModerator")
    cleaned = []
    good = {**measured, "author": "writer", "distinguished": None, "stickied": False, "score": 50}

    def clean():
        cleaned.append(1)
        return {"series_part": "", "story_chars": 1500, "author_notes": (), "entity_residue": ()}

    keys = ("series_part", "story_chars", "author_notes", "entity_residue")
    assert first_failure(good, STORY_RULES, CONFIG, dict.fromkeys(keys, clean)) is None
    assert cleaned == [1]  # the story is cleaned once, when a rule first reads it
