"""The wikiHow rules: a keep and a drop for each, with the reason, in their order."""

from __future__ import annotations

import pytest

from lima_curate.config import WikiHowConfig
from lima_curate.rules import Drop, first_failure
from lima_curate.sources.wikihow import rules as wikihow_rules
from lima_curate.sources.wikihow.rules import RULES, measure_language

CONFIG = WikiHowConfig()
GOOD = {"not_article": "", "steps": 5, "prompt_chars": 20, "response_chars": 2000, "language": "en",
        "bare_links": (), "entity_residue": ()}
WINDOW = WikiHowConfig(min_response_chars=1200, max_response_chars=4096)


def test_names_and_order():
    assert [r.name for r in RULES] == ["not_an_article", "empty_title", "response_too_short", "response_too_long",
                                       "bare_link", "html_entity_residue", "not_english"]


def test_no_upper_bound_unless_the_recipe_sets_one():
    assert CONFIG.max_response_chars is None
    assert wikihow_rules.response_too_long({**GOOD, "response_chars": 50_000}, CONFIG) is None
    assert wikihow_rules.response_too_short({**GOOD, "response_chars": 999}, CONFIG) == "999 chars < 1000"


@pytest.mark.parametrize(
    "check, drop, reason",
    [
        (wikihow_rules.not_an_article, {"not_article": "community Q&A file"}, "community Q&A file"),
        (wikihow_rules.not_an_article, {"steps": 0}, "no steps left after pruning sections"),
        (wikihow_rules.empty_title, {"prompt_chars": 0}, "no title"),
        (wikihow_rules.response_too_short, {"response_chars": 1199}, "1199 chars < 1200"),
        (wikihow_rules.response_too_long, {"response_chars": 4097}, "4097 chars > 4096"),
        (wikihow_rules.bare_link, {"bare_links": ("Source: http://x.org",)}, "bare link line: 'Source: http://x.org'"),
        (wikihow_rules.html_entity_residue, {"entity_residue": ("& nbsp;",)}, "HTML entity: '& nbsp;'"),
        (wikihow_rules.not_english, {"language": "de"}, "language de"),
    ],
)
def test_each_rule_keeps_and_drops_with_its_reason(check, drop, reason):
    assert check(GOOD, WINDOW) is None
    assert check({**GOOD, **drop}, WINDOW) == reason


def test_the_language_is_measured_last_and_only_when_needed():
    taken = []

    def language():
        taken.append(1)
        return measure_language("Die Katze sitzt auf der Matte und schaut aus dem Fenster in den Garten hinaus.")

    cheap = {key: value for key, value in GOOD.items() if key != "language"}
    assert first_failure({**cheap, "steps": 0}, RULES, CONFIG, {"language": language}).rule == "not_an_article"
    assert taken == []
    assert first_failure(dict(cheap), RULES, CONFIG, {"language": language}) == Drop("not_english", "language de")
    assert taken == [1]
