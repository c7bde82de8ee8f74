"""The Stack Exchange filters: measurements written onto ``meta``, and the named rules.

Measurements (:func:`measure_answer`, :func:`not_self_contained`,
:func:`measure_language`) are taken once and stored on the candidate's meta
(``answer_chars``, ``first_person``, ``refers_to``, ``not_self_contained``,
``language``); the rules only compare them with the configured thresholds. Each
measurement is taken only for candidates that passed the rules before it. The rules,
in the order they are applied (cheapest first; the first that fails names the drop):

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
    first ``LANGUAGE_SAMPLE_CHARS`` characters of its prose (``und``, for text too short
    to tell, is dropped too); the detail is the language code. Measured last, on the
    candidates that passed every other rule: it is by far the costliest measurement
    (milliseconds a call), and a sample of a few hundred characters of prose tells
    English as reliably as the whole text. The question is not tested: a site's
    questions and answers share its language.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from lima_curate.config import StackExchangeConfig
from lima_curate.records import Example
from lima_curate import rules
from lima_curate.rules import Rule
from lima_curate.text.html import CleanHtml, prose_only
from lima_curate.text.lang import detect_language

ENGLISH = "en"
LINK_ONLY_LETTERS = 20  # a body with links and fewer letters than this outside them is link-only
LANGUAGE_SAMPLE_CHARS = 400  # prose characters given to language identification

# Patterns below start every alternative with a literal character, so that ``re`` can skip
# quickly to candidate positions; the word boundary before a match is checked in Python
# (:func:`_words`), as a leading ``\b`` or lookbehind would disable that skipping.
FIRST_PERSON = re.compile(
    r"I(?:['’](?:m|ve|d|ll))?(?![\w/'’-])"  # I, I'm, I've, I'd, I'll
    r"|M(?:e|y|yself)(?![\w'’-])|m(?:e|y|yself)(?![\w'’-])"
    r"|of mine\b|is mine\b|was mine\b|are mine\b|were mine\b"
    r"|Mine (?:is|was|are|were)\b|mine (?:is|was|are|were)\b"
)
# a capital "I" that is a numeral or part of a name, not the pronoun
_NOT_PRONOUN = re.compile(
    r"\b(?:type|class|phase|part|war|chapter|appendix|section|grade|stage|schedule|level|"
    r"category|article|act|volume|book|king|queen|pope|henry|louis|charles|george|james|"
    r"elizabeth|edward|william|mark|series|model|tier|division|league|site|complex)\s+$",
    re.IGNORECASE,
)
# matched against the lower-cased prose
REFERS_TO_OTHERS = re.compile(
    r"as (?:(?:was|has been|is|i) )?(?:already |previously |also |others have |others )?"
    r"(?:mentioned|said|stated|noted|pointed out|suggested)\b"
    r"|other answers?\b|another answer\b|previous answers?\b|earlier answers?\b"
    r"|accepted answer\b|top answers?\b|above answers?\b"
    r"|answers? (?:above|below)\b|answer by\b"
    r"|stack ?exchange\b|stack ?overflow\b|super ?user\.com\b|server ?fault\b"
    r"|edit(?:ed)?\s*(?:\d+\s*)?:|update[d]?\s*(?:\d+\s*)?:"  # not \s*\d*\s*: quadratic on blanks
    r"|@[a-z][\w.-]*"
    r"|this question\b|your question\b|the original question\b"
    r"|this site\b"
    r"|comments? (?:above|below|section)\b|in the comments\b"
)
# every REFERS_TO_OTHERS match contains one of these: a text with none is skipped at once
_REFERS_KEYWORDS = (
    "mentioned", "said", "stated", "noted", "pointed out", "suggested", "answer", "stack", "super",
    "server", "edit", "update", "@", "question", "site", "comment",
)
ORIGINAL_POSTER = re.compile(r"OP(?:['’]s)?\b")  # capitals only: "the OP", "OP's"
EXTERNAL_REFERENCE = re.compile(
    r"\b(?:see|seen|shown|pictured|illustrated|linked|attached|displayed)\s+(?:below|above|here)\b"
    r"|\b(?:this|these|the following|the attached|the above|the below|that|my)\s+"
    r"(?:images?|pictures?|photos?|photographs?|screenshots?|screen shots?|diagrams?|figures?|"
    r"graphs?|charts?|videos?|links?|files?|attachments?)\b"
    r"|\b(?:images?|pictures?|photos?|photographs?|screenshots?|diagrams?|figures?|graphs?|charts?|videos?)"
    r"\s+(?:below|above)\b"
    r"|\battach(?:ed|ment)\b|\bscreen ?shots?\b|\bas you can see\b",
    re.IGNORECASE,
)
QUESTION_WORDS = frozenset(
    "what why how when where which who whom whose whether is are was were am do does did can "
    "could should would will shall may might must has have had isn't aren't wasn't doesn't "
    "don't didn't can't couldn't shouldn't wouldn't won't what's how's who's where's why's "
    "explain describe compare identify list name suggest recommend calculate find prove show "
    "determine derive define tell help give".split()
)
TITLE_POINTS_AT_BODY = re.compile(
    r"\b(?:this|these|those|above|below|following|attached|here)\b", re.IGNORECASE
)
_FIRST_WORD = re.compile(r"[\w'’]+")


def _words(pattern: re.Pattern, text: str, not_before: str = "") -> Iterator[re.Match]:
    """Matches of ``pattern`` that start a word (no letter, digit, "_" or ``not_before`` char before)."""
    for match in pattern.finditer(text):
        start = match.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before == "_" or before in not_before:
                continue
        yield match


def first_person_hit(prose: str) -> str:
    """The first first-person word in ``prose`` (already without code, math and quotes), or ""."""
    for match in _words(FIRST_PERSON, prose, "'’-/"):
        word = match.group(0)
        if word == "I" and _NOT_PRONOUN.search(prose[max(0, match.start() - 30) : match.start()]):
            continue
        return word
    return ""


def reference_hit(prose: str) -> str:
    """The first phrase of ``prose`` that refers to other answers or the site, or ""."""
    lower = prose.lower()
    found = []
    if any(keyword in lower for keyword in _REFERS_KEYWORDS):
        found.append(next(_words(REFERS_TO_OTHERS, lower, ".@"), None))
    if "OP" in prose:
        found.append(next(_words(ORIGINAL_POSTER, prose), None))
    hits = [m.start() for m in found if m]
    if not hits:
        return ""
    start = min(hits)
    match = REFERS_TO_OTHERS.match(lower, start) or ORIGINAL_POSTER.match(prose, start)
    return prose[start : match.end()].strip()


def title_is_question(title: str) -> bool:
    """A title reads as a question: ends with '?' or starts with a question/imperative word."""
    title = title.strip()
    if title.endswith("?"):
        return True
    first = _FIRST_WORD.search(title)
    return bool(first) and first.group(0).lower().replace("’", "'") in QUESTION_WORDS


def not_self_contained(title: str, body: CleanHtml, prompt_kind: str) -> str:
    """Why the question's prompt would not stand alone ("" when it would); see the module docstring."""
    if body.images:
        return "body has an image"
    if body.links and body.letters - body.link_letters < LINK_ONLY_LETTERS:
        return "body is only a link"
    found = EXTERNAL_REFERENCE.search(prose_only(body.text))
    if found:
        return f"body refers to {found.group(0)!r}"
    if prompt_kind == "title":
        if not title_is_question(title):
            return "title is not a question"
        pointer = TITLE_POINTS_AT_BODY.search(title)
        if pointer:
            return f"title refers to the body ({pointer.group(0)!r})"
    return ""


def measure_length(answer_text: str) -> dict[str, Any]:
    """Meta ``answer_chars`` of a clean answer."""
    return {"answer_chars": len(answer_text)}


def measure_wording(answer_text: str) -> dict[str, Any]:
    """Meta ``first_person`` and ``refers_to`` of a clean answer ("" when none)."""
    prose = prose_only(answer_text)
    return {"first_person": first_person_hit(prose), "refers_to": reference_hit(prose)}


def measure_answer(answer_text: str) -> dict[str, Any]:
    """All the answer's cheap measurements (meta keys)."""
    return {**measure_length(answer_text), **measure_wording(answer_text)}


def measure_language(answer_text: str, seed: int = 0) -> dict[str, str]:
    """The answer's language code (meta ``language``), from a sample of its prose."""
    return {"language": detect_language(prose_only(answer_text)[:LANGUAGE_SAMPLE_CHARS], seed=seed)}


# ---------------------------------------------------------------- rules


def pairing_rules(config: StackExchangeConfig) -> tuple[Rule, ...]:
    """Rules on the question/answer pairing, checked before any HTML is cleaned."""

    def no_answer(ex: Example) -> "str | None":
        return None if ex.meta.get("answer_id") is not None else "question has no answer"

    def score_below(ex: Example) -> "str | None":
        score = ex.meta["answer_score"]
        return f"top answer score {score} < {config.min_answer_score}" if score < config.min_answer_score else None

    return (
        Rule("no_answer", no_answer, "The question has no answer in the dump."),
        Rule("answer_score_below_min", score_below, "The top answer scores below min_answer_score."),
    )


def length_rules(config: StackExchangeConfig) -> tuple[Rule, ...]:
    """Rules on the length of the clean answer."""
    return rules.length_rules("answer_chars", config.min_answer_chars, config.max_answer_chars,
                              too_short="answer_too_short", too_long="answer_too_long", what="Cleaned answer")


def wording_rules() -> tuple[Rule, ...]:
    """Rules on the wording of the clean answer."""

    def first_person(ex: Example) -> "str | None":
        return ex.meta["first_person"] or None

    def refers(ex: Example) -> "str | None":
        return ex.meta["refers_to"] or None

    return (
        Rule("first_person", first_person, "Answer written in the first person singular."),
        Rule("refers_to_other_answers", refers, "Answer refers to other answers, the thread or the site."),
    )


def answer_rules(config: StackExchangeConfig) -> tuple[Rule, ...]:
    """Rules on the clean answer, cheapest first: length, then wording."""
    return (*length_rules(config), *wording_rules())


def question_rules() -> tuple[Rule, ...]:
    """``question_not_self_contained``: the prompt must stand on its own."""

    def self_contained(ex: Example) -> "str | None":
        return ex.meta["not_self_contained"] or None

    return (Rule("question_not_self_contained", self_contained, "The prompt does not stand on its own."),)


def language_rules() -> tuple[Rule, ...]:
    """``not_english``: compares the measured language with English."""

    def not_english(ex: Example) -> "str | None":
        return None if ex.meta["language"] == ENGLISH else ex.meta["language"]

    return (Rule("not_english", not_english, "Answer not identified as English."),)


def all_rules(config: StackExchangeConfig) -> tuple[Rule, ...]:
    """Every rule, in the order applied."""
    return (*pairing_rules(config), *answer_rules(config), *question_rules(), *language_rules())
