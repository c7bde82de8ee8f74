"""N-gram overlap with evaluation prompts: containment, short prompts, coverage, settings."""

from __future__ import annotations

import pytest

from lima_curate.select.ngrams import NGramIndex, detail, ngrams, words

EVAL = [
    "What is the difference between a sheep and a goat, and how can I tell them apart on a farm?",
    "Write a haiku about autumn rain",  # short: 6 words, fewer than n = 8
    "Tell a joke",  # too short: left to the exact-text test
]


def test_words_normalise_like_the_exact_test() -> None:
    assert words("Ｗhat's  THE   difference—between?") == ["whats", "the", "differencebetween"]
    assert ngrams(["a", "b", "c", "d", "a", "b", "c"], 3) == ("a b c", "b c d", "c d a", "d a b")
    assert ngrams(["a", "b"], 3) == ()


def test_a_prompt_inside_a_longer_text_is_found() -> None:
    index = NGramIndex(EVAL)
    text = ("Sheep vs goat?\n\nI keep both. What is the difference between a sheep and a goat, and how can "
            "I tell them apart on a farm? Thanks.")
    hit = index.best(text)
    assert hit is not None and hit.prompt == 0 and hit.coverage == 1.0


def test_a_short_prompt_must_be_held_whole() -> None:
    index = NGramIndex(EVAL)
    assert index.best("Please write a haiku about autumn rain for my class.").prompt == 1
    assert index.best("Write a haiku about spring rain") is None
    assert index.best("Tell a joke about cats") is None  # under min_words: not indexed


def test_coverage_threshold() -> None:
    index = NGramIndex(EVAL, min_coverage=0.5)
    half = "what is the difference between a sheep and a goat and how"  # 5 of the prompt's 13 8-grams
    found = index.overlaps(half)
    assert found and found[0].prompt == 0 and found[0].shared == 5 and found[0].total == 13
    assert index.best(half) is None
    assert NGramIndex(EVAL, min_coverage=0.3).best(half).prompt == 0


def test_unrelated_text_matches_nothing() -> None:
    index = NGramIndex(EVAL)
    assert index.overlaps("Goats climb trees in Morocco; sheep graze on hills.") == []


def test_detail_names_the_overlap() -> None:
    hit = NGramIndex(EVAL).best(EVAL[0])
    assert detail(hit, "test.jsonl:1") == (
        "n-gram overlap 13/13 with eval prompt test.jsonl:1: 'what is the difference between a sheep and'")


@pytest.mark.parametrize("settings", [{"n": 1}, {"min_words": 0}, {"min_words": 9}, {"min_coverage": 0.0}, {"min_coverage": 1.5}])
def test_bad_settings_are_refused(settings: dict) -> None:
    with pytest.raises(ValueError, match="bad n-gram settings"):
        NGramIndex(EVAL, **settings)
