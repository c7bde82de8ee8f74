"""Calibration counts: first failing rule, rules alone, unmeasured rules, examples, the JSON."""

from __future__ import annotations

import pytest

from lima_curate.calibrate.references import Pair, ReferenceItem
from lima_curate.calibrate.report import SourceRules, calibrate, format_report
from lima_curate.rules import Rule

ITEMS = [
    ReferenceItem(0, (Pair("short?", "tiny"),)),
    ReferenceItem(1, (Pair("fine?", "a good long answer"),)),
    ReferenceItem(2, (Pair("mine?", "I wrote this long answer"),)),
    ReferenceItem(3, (Pair("both?", "I"),)),
    ReferenceItem(4, (Pair("turn 1", "a fine long first turn"), Pair("turn 2", "I then"))),
]


def measure(pair: Pair) -> dict:
    language = "de" if pair.response.startswith("Ich") else "en"
    return {"chars": len(pair.response), "first_word": pair.response.split()[0], "html_chars": None,
            "language": language}


RULES = SourceRules("toy", measure, (
    Rule("too_short", ("chars",), lambda m, c: f"{m['chars']} chars" if m["chars"] < c else None),
    Rule("first_person", ("first_word",), lambda m, c: "I" if m["first_word"] == "I" else None),
    Rule("html_too_short", ("html_chars",), lambda m, c: "short HTML" if m["html_chars"] < 10 else None),
), config=6)


def test_counts_follow_the_rule_order() -> None:
    report = calibrate(ITEMS, RULES)
    assert report.as_json() == {"items": 5, "kept": 1, "dropped": {"too_short": 2, "first_person": 2, "html_too_short": 0}}
    assert report.hits == {"too_short": 2, "first_person": 3, "html_too_short": 0}  # item 3 fails both
    assert report.unmeasured == {"too_short": 0, "first_person": 0, "html_too_short": 5}


def test_examples_name_the_row_and_why() -> None:
    report = calibrate(ITEMS, RULES, examples_per_rule=1)
    assert [(e.row, e.detail, e.prompt) for e in report.examples["first_person"]] == [(2, "I", "mine?")]
    assert [e.row for e in calibrate(ITEMS, RULES).examples["first_person"]] == [2, 4]  # item 4: its 2nd turn


def test_text_report() -> None:
    text = format_report(calibrate(ITEMS, RULES))
    assert text.splitlines()[0] == "toy: 5 reference items, 1 kept, 4 dropped (80.0%)"
    assert "  first_person        2 (40.0%), alone 3" in text
    assert "html_too_short      0 (0.0%), alone 0, 5 unmeasured" in text
    assert "      row 2: I | mine?" in text


def test_items_not_in_english_are_counted_whatever_the_rules() -> None:
    report = calibrate([*ITEMS, ReferenceItem(5, (Pair("Was?", "Ich weiss es nicht, leider"),))], RULES)
    assert (report.not_english_items, report.languages) == (1, {"de": 1})
    assert report.dropped["first_person"] == 2  # no rule on the language here
    assert "not English: 1 items (16.7%; de 1); no rule on the language here" in format_report(report)


def test_repeated_rule_names_are_refused() -> None:
    twice = SourceRules("toy", measure, (RULES.rules[0], RULES.rules[0]))
    with pytest.raises(ValueError, match="rule names repeat"):
        calibrate(ITEMS, twice)


def test_empty_reference() -> None:
    report = calibrate([], RULES)
    assert report.as_json() == {"items": 0, "kept": 0, "dropped": {"too_short": 0, "first_person": 0, "html_too_short": 0}}
    assert format_report(report).startswith("toy: 0 reference items")
