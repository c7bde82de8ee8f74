"""The Stack Exchange rules, in the order they are applied (cheapest first; the first that
fails names the drop). :data:`RULES` is the one place this order is written, and
:func:`active_rules` leaves out the rules a config turns off.

Each rule's figures: "LIMA" is how many of the 400 Stack Exchange items of the released set
(items 0-399, ``lima-curate calibrate``) it drops; "dumps", the share of the 1,493 top answers
scoring >= 3 in ``../shared/realdata`` (``benchmarks/bench_fidelity.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from lima_curate.config import StackExchangeConfig
from lima_curate.rules import Details, Rule, length_window, rule
from lima_curate.text.lang import UNDETERMINED

ENGLISH = "en"
Measurements = Mapping[str, Any]


def _first(hits: Any, what: str) -> "str | None":
    return f"{what}: {hits[0]!r}" if hits else None


def _no_answer_vector(columns: Mapping[str, Any], config: StackExchangeConfig) -> tuple[Any, Details]:
    dropped = columns["answer_id"] < 0  # the table's "no answer"
    return dropped, Details("question has no answer", count=int(dropped.sum()))


@rule("no_answer", reads=("answer_id",), vector=_no_answer_vector)
def no_answer(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The question has no answer in the dump."""
    return None if measured["answer_id"] is not None else "question has no answer"


def _score_vector(columns: Mapping[str, Any], config: StackExchangeConfig) -> tuple[Any, Details]:
    scores, minimum = columns["answer_score"], config.min_answer_score
    dropped = scores < minimum
    return dropped, Details(f"top answer score {{}} < {minimum}", scores[dropped])


@rule("answer_score_below_min", reads=("answer_score",), vector=_score_vector)
def answer_score_below_min(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The top answer scores below min_answer_score (paper: 10; the six LIMA items found in a dump
    are each the top, accepted answer, scoring >= 10)."""
    score = measured["answer_score"]
    return f"top answer score {score} < {config.min_answer_score}" if score < config.min_answer_score else None


# LIMA's answers fit the paper's window (1,200-4,096) on the raw HTML, not on the clean text:
# 45 of them (11.2%) have under 1,200 clean characters
answer_html_too_short, answer_html_too_long = length_window(
    "answer_html_chars", lambda config: (config.min_answer_chars, config.max_answer_chars),
    too_short="answer_html_too_short", too_long="answer_html_too_long", what="The answer's HTML",
)
_text_short, _text_long = length_window(
    "answer_chars", lambda config: (config.min_answer_chars, config.max_answer_chars),
    too_short="answer_too_short", too_long="answer_too_long", what="The answer's clean text",
)
# on the clean text, measured only for the rows the rules before kept: no vector form
answer_too_short, answer_too_long = replace(_text_short, vector=None), replace(_text_long, vector=None)


@rule("first_person_i_my", reads=("first_person",))
def first_person_i_my(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer's prose holds the word "I" or "my" (the paper's words; not "I'm", "I/O", "Type I"):
    LIMA 11/400 (2.8%), dumps 45.1%."""
    return _first(measured["first_person"], "first person")


@rule("first_person_me_mine", reads=("first_person_extended",))
def first_person_me_mine(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer's prose holds "me", "myself" or "mine" (only with first_person_me_mine): LIMA 5 more
    of 400, dumps 1.1% more."""
    return _first(measured["first_person_extended"], "first person")


@rule("refers_to_site", reads=("site_references",))
def refers_to_site(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer points at the site, its comments or its people (site_reference_kinds): LIMA 7/400
    (1.8%), dumps 6.7%; @name and Edit: 0 in LIMA against 2.1% and 1.5%. The kinds off by default
    are as frequent in LIMA as in the dumps (other_answers 1.2% vs 1.3%, named_answer 1.2% vs
    0.8%). "this/your question" never drops: it addresses the prompt (LIMA 5.0%, dumps 9.0%)."""
    kinds = config.site_reference_kinds
    return _first([phrase for kind, phrase in measured["site_references"] if kind in kinds], "refers to the site")


@rule("thread_talk", reads=("thread_talk",))
def thread_talk(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer talks to the thread's readers: LIMA 1/400, dumps 0.5%."""
    return _first(measured["thread_talk"], "talks to the thread")


@rule("removed_image", reads=("removed_images",))
def removed_image(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer points at a picture its text lost: LIMA 1/400, dumps 0.9%."""
    return _first(measured["removed_images"], "points at a removed image")


@rule("bare_link", reads=("bare_links",))
def bare_link(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """A line of the answer is only a link: LIMA 0/400, dumps 3.3%."""
    return _first(measured["bare_links"], "bare link line")


@rule("prompt_refers_to_thread", reads=("prompt_thread",))
def prompt_refers_to_thread(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The prompt holds thread talk, an @name or an Edit: mark: LIMA 1/400 (a Twitter handle), dump
    bodies 2.7%."""
    return _first(measured["prompt_thread"], "the question talks to the thread")


@rule("prompt_removed_image", reads=("prompt_removed_images",))
def prompt_removed_image(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The prompt points at a picture it no longer carries."""
    return _first(measured["prompt_removed_images"], "the question points at a removed image")


@rule("prompt_link_only", reads=("prompt_link_only",))
def prompt_link_only(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The prompt is the question body, and the body is only a link."""
    return "the question body is only a link" if measured["prompt_link_only"] else None


@rule("not_english", reads=("language",))
def not_english(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer's prose is not identified as English, ``und`` kept (only with english_only):
    LIMA 9/400 (2.2%; pt, es, de), so the LIMA recipe turns it off."""
    language = measured["language"]
    return None if language in (ENGLISH, UNDETERMINED) else f"language {language}"


RULES: tuple[Rule, ...] = (
    no_answer,
    answer_score_below_min,
    answer_html_too_short,
    answer_html_too_long,
    answer_too_short,
    answer_too_long,
    first_person_i_my,
    first_person_me_mine,
    refers_to_site,
    thread_talk,
    removed_image,
    bare_link,
    prompt_refers_to_thread,
    prompt_removed_image,
    prompt_link_only,
    not_english,
)


def active_rules(config: StackExchangeConfig) -> tuple[Rule, ...]:
    """:data:`RULES` without those ``config`` turns off (the other length measure,
    ``first_person_me_mine``, ``not_english``)."""
    off = {"answer_too_short", "answer_too_long"} if config.length_measure == "html" else {
        "answer_html_too_short", "answer_html_too_long"}
    if not config.first_person_me_mine:
        off.add("first_person_me_mine")
    if not config.english_only:
        off.add("not_english")
    return tuple(each for each in RULES if each.name not in off)
