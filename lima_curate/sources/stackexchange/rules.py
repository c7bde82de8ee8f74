"""The Stack Exchange rules, in the order they are applied (cheapest first; the first that
fails names the drop). Each reads measurements taken by :mod:`.measure`, and each is taken
only for candidates the rules before it kept; :data:`RULES` is the one place this order
is written.

``no_answer``
    The question has no answer in the dump.
``answer_score_below_min``
    The top answer's score is below ``min_answer_score``.
``answer_too_short`` / ``answer_too_long``
    The cleaned answer has fewer than ``min_answer_chars`` / more than
    ``max_answer_chars`` characters.
``first_person``
    The answer's own prose (code, math and quotations excluded) uses the first person
    singular: the pronoun "I" (also "I'm", "I've", "I'd", "I'll"), "me", "my", "myself",
    and "mine" as a pronoun ("of mine", "is mine", "mine is"; not "a coal mine"). "We",
    "us" and "our" are allowed: explanations use the inclusive "we" ("we can write the
    state as ..."), which is not a personal anecdote. A capital
    "I" that is a numeral or a symbol is not a pronoun: after "type", "class",
    "phase", "part", "war", "king" and similar, or next to "/" or "-" ("I/O", "I-beam").
``refers_to_other_answers``
    The answer's prose points at the site or its threads: "as mentioned", "as others
    have said", "other/another/previous/accepted/top answer", "answer(s) above/below",
    "answer by",
    "Stack Exchange", "Stack Overflow", "Edit:", "Update:", an ``@name`` mention, "this
    question", "your question", "the OP", "this site", "the comments".
``question_not_self_contained``
    The prompt would not stand on its own. A question fails when
    (a) its body holds an image, or is link-only (it has a link, and fewer than 20
    letters outside anchor text), or its text points at something the text cannot carry:
    "see/shown/pictured/attached below|above|here", "this/the following/the attached
    image|picture|photo|screenshot|diagram|figure|graph|video|link|file", "image/picture/...
    below|above", "attached", "attachment", "screenshot", "as you can see"; or
    (b) the prompt is the title alone and the title does not read as a question: it must
    end with "?" or start with a question word (what, why, how, is, can, should, ...) or
    an imperative (explain, describe, compare, ...), and it must not point at the body
    ("this", "these", "those", "above", "below", "following", "attached", "here").
``not_english``
    The answer is not English by :func:`lima_curate.text.lang.detect_language` on the
    first ``LANGUAGE_SAMPLE_CHARS`` (400) characters of its prose (``und``, for text too short
    to tell, is dropped too); the detail is the language code. Measured last, on the
    candidates that passed every other rule: it is by far the costliest measurement
    (milliseconds a call), and a sample of a few hundred characters of prose tells
    English as reliably as the whole text. The question is not tested: a site's
    questions and answers share its language.
"""

from __future__ import annotations

from typing import Any, Mapping

from lima_curate.config import StackExchangeConfig
from lima_curate.rules import length_window, rule

ENGLISH = "en"
Measurements = Mapping[str, Any]


@rule("no_answer", reads=("answer_id",))
def no_answer(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The question has no answer in the dump."""
    return None if measured["answer_id"] is not None else "question has no answer"


@rule("answer_score_below_min", reads=("answer_score",))
def answer_score_below_min(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The top answer scores below min_answer_score."""
    score = measured["answer_score"]
    return f"top answer score {score} < {config.min_answer_score}" if score < config.min_answer_score else None


answer_too_short, answer_too_long = length_window(
    "answer_chars", lambda config: (config.min_answer_chars, config.max_answer_chars),
    too_short="answer_too_short", too_long="answer_too_long", what="Cleaned answer",
)


@rule("first_person", reads=("first_person",))
def first_person(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """Answer written in the first person singular."""
    return measured["first_person"] or None


@rule("refers_to_other_answers", reads=("refers_to",))
def refers_to_other_answers(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """Answer refers to other answers, the thread or the site."""
    return measured["refers_to"] or None


@rule("question_not_self_contained", reads=("not_self_contained",))
def question_not_self_contained(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The prompt does not stand on its own."""
    return measured["not_self_contained"] or None


@rule("not_english", reads=("language",))
def not_english(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """Answer not identified as English; the detail is the language code."""
    return None if measured["language"] == ENGLISH else measured["language"]


RULES = (
    no_answer,
    answer_score_below_min,
    answer_too_short,
    answer_too_long,
    first_person,
    refers_to_other_answers,
    question_not_self_contained,
    not_english,
)
