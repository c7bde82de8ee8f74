import pytest

from lima_curate.licence import (
    SOURCE_TERMS,
    TERMS_NOTICES,
    TERMS_SHORT,
    commercial_gate,
    licence_id,
    refusal_reason,
    summarize,
    terms_notices,
)

from export_factories import askreddit, authored, mixed, se, sni, wikihow, writingprompt


@pytest.mark.parametrize(
    "text, expected",
    [
        ("CC BY-SA 4.0", "cc-by-sa-4.0"),
        ("CC BY-SA 2.5", "cc-by-sa-2.5"),
        ("cc-by-nc-sa-3.0", "cc-by-nc-sa-3.0"),
        ("https://creativecommons.org/licenses/by-sa/3.0/", "cc-by-sa-3.0"),
        ("Creative Commons Attribution-NonCommercial-ShareAlike 3.0", "cc-by-nc-sa-3.0"),
        ("Creative Commons Attribution-NoDerivatives 4.0", "cc-by-nd-4.0"),
        ("CC BY-SA 4", "cc-by-sa-4.0"),
        ("Apache License 2.0", "apache-2.0"),
        ("CC0", "cc0-1.0"),
        ("Reddit User Agreement", "other"),
        ("", "unknown"),
    ],
)
def test_licence_ids(text, expected):
    assert licence_id(text) == expected


def test_one_licence_for_all_items_is_the_sets_licence():
    summary = summarize([se(1), se(2)])
    assert summary["license"] == "cc-by-sa-4.0"
    assert summary["sharealike"] and not summary["noncommercial"] and not summary["reddit_terms"]
    assert summary["attribution_items"] == 2


def test_mixed_licences_give_other_and_propagate_nc_and_sa():
    summary = summarize([se(1), se(2, licence="CC BY-SA 3.0"), wikihow(1), sni(1)])
    assert summary["license"] == "other"
    assert summary["licenses"] == {"apache-2.0": 1, "cc-by-nc-sa-3.0": 1, "cc-by-sa-3.0": 1, "cc-by-sa-4.0": 1}
    assert summary["noncommercial_items"] == 1 and summary["sharealike_items"] == 3
    assert "may not be used commercially" in summary["explanation"]
    assert "--commercial" in summary["explanation"]


def test_reddit_terms_are_flagged_even_under_one_licence_string():
    summary = summarize([writingprompt(1), writingprompt(2)])
    assert summary["license"] == "other" and summary["reddit_items"] == 2 and summary["noncommercial"]
    assert "Reddit" in summary["explanation"]


def test_empty_set():
    assert summarize([])["license"] == "unknown"


def test_gate_keeps_everything_without_commercial():
    items = mixed()["train"]
    assert commercial_gate(items, False) == (items, [])


def test_gate_refuses_nc_and_reddit_items_with_commercial():
    items = [se(1), wikihow(1), writingprompt(1), askreddit(1), sni(1), authored(1)]
    kept, refused = commercial_gate(items, True)
    assert [e.source for e in kept] == ["stackexchange", "sni", "authored"]
    assert [e.source for e in refused] == ["wikihow", "writingprompts", "askreddit"]
    assert "CC BY-NC-SA 3.0 forbids commercial use" in refusal_reason(wikihow(1))
    assert "Reddit" in refusal_reason(askreddit(1))
    assert refusal_reason(se(1)) is None


def test_flag_alone_refuses_an_item():
    flagged = sni(1).with_meta(noncommercial=True)
    assert commercial_gate([flagged], True) == ([], [flagged])
    assert "marked non-commercial" in refusal_reason(flagged)


def test_every_source_has_a_terms_notice():
    assert set(SOURCE_TERMS.values()) <= set(TERMS_NOTICES) == set(TERMS_SHORT)
    assert "CC BY-SA" in TERMS_NOTICES["stackexchange"] and "2024" in TERMS_NOTICES["stackexchange"]
    assert "CC BY-NC-SA 3.0" in TERMS_NOTICES["wikihow"] and "2025-03-24" in TERMS_NOTICES["wikihow"]
    assert "train" in TERMS_NOTICES["reddit"] and "Apache-2.0" in TERMS_NOTICES["sni"]
    assert list(terms_notices([sni(1), se(1)])) == ["sni", "stackexchange"]
    assert "No terms notice" in terms_notices([se(1).with_meta(terms="mystery")])["mystery"]
