"""The Stack Exchange rules, in the order they are applied (cheapest first; the first that
fails names the drop). Each reads measurements of :mod:`.measure`; :data:`RULES` is the one
place this order is written, and :func:`active_rules` leaves out the rules a config turns off.

The evidence behind each rule is the released LIMA set (items 0-399 of
``lima_train_alpaca_format.json`` are its 400 Stack Exchange picks; ``lima-curate calibrate``
measures them) against the top answers of the four real dumps in ``../shared/realdata``
(1,493 answers scoring >= 3: the "dump rate"). A rule whose words occur in LIMA's picks
about as often as in the dumps shows no sign that the authors filtered on them; a much
lower rate in LIMA shows they did. Figures: ``benchmarks/bench_fidelity.py``.

``no_answer``
    The question has no answer in the dump.
``answer_score_below_min``
    The top answer's score is below ``min_answer_score`` (paper: 10). Every LIMA item
    found in a dump (six: two in ``../shared``, four on other sites) is the top-scored,
    accepted answer with score >= 10.
``answer_html_too_short`` / ``answer_html_too_long``
    With ``length_measure: html`` (the default): the answer's HTML, as the dump holds it,
    has fewer than ``min_answer_chars`` / more than ``max_answer_chars`` characters (paper:
    1,200-4,096). The window fits the raw HTML, not the clean text: a LIMA answer of 1,176
    clean / 1,647 HTML characters was kept while a higher-ranked one of 3,335 / 4,301 was
    skipped, and 45 of LIMA's 400 answers are under 1,200 clean characters (11.2%; under an
    HTML window 24% of the dumps' kept answers are, under a clean-text window none).
``answer_too_short`` / ``answer_too_long``
    With ``length_measure: text``: the same window on the clean text (the earlier rule).
``first_person_i_my``
    The answer's prose (code, math, quotations and one-line quoted spans excluded) holds
    the word "I" or "my", the paper's words (§2.1: "written in the first person ('I',
    'my')"); "I'm", "I've" and the like are not the word, nor a letter "I" ("I/O",
    "Ctrl+Shift+I", "Type I", "I.e."). LIMA picks 11 of 400 (2.8%) against 45.1% of the
    dumps' top answers. Replaces ``first_person``, which also dropped "I'm", "me", "mine"
    and false hits (44 LIMA picks, 8 of them no pronoun).
``first_person_me_mine``
    With ``first_person_me_mine: true``: "me", "myself", "mine" as a pronoun. Off by
    default: 5 more LIMA picks, 1.1% more of the dumps.
``refers_to_site``
    The answer points at the site, its comments or its people, in one of the families of
    ``site_reference_kinds`` (default: ``@name``, an ``Edit:`` mark, "Stack Exchange"/"this
    site", "as others have said", "in the comments", "the OP"): LIMA 7 of 400 (1.8%),
    dumps 6.7%; "@name" and "Edit:" 0 in LIMA against 2.1% and 1.5%. "another answer" and
    "<name>'s answer" (kinds ``other_answers``, ``named_answer``) are as frequent in LIMA
    as in the dumps (1.2% vs 1.3%, 1.2% vs 0.8%) and off by default. "this question" and
    "your question" never drop: they address the question the prompt carries (LIMA 5.0%,
    dumps 9.0%). Replaces ``refers_to_other_answers`` (24 LIMA picks, 12 only for "this
    question").
``thread_talk``
    Talk to the thread's readers ("please leave a comment", "Downvoter", "This answer could
    be expanded", "Edits on that are welcome", "follow-up question"): LIMA 1 of 400, dumps
    0.5%, and two answers of a real build of the earlier rules.
``removed_image``
    Words pointing at a picture the text lost ("in the above picture", "the image below",
    "(screenshot)"): LIMA 1 of 400, dumps 0.9%.
``bare_link``
    A line that is only a URL with a short label ("Sourced from http://..."): LIMA 0 of
    400, dumps 3.3%.
``prompt_refers_to_thread``
    The prompt (title or body) holds thread talk, an ``@name`` or an ``Edit:`` mark ("This
    is a follow-up question to @heather's answer"): LIMA 1 of 400 alone (a Twitter
    handle), dump bodies 2.7%.
``prompt_removed_image``
    The prompt points at a picture it no longer carries ("in the attached photo"), or it is
    the body and the body had an image.
``prompt_link_only``
    The prompt is the body and the body is only a link.
``not_english``
    With ``english_only: true`` (the default): the answer's prose is not identified as
    English (``und``, too little prose to tell, is kept). LIMA picked 9 answers in other
    languages (6 Portuguese, 2 Spanish, 1 German: Stack Overflow em Português and en
    español, German Language), so the LIMA recipe turns this off; the language is
    measured either way.

The title-must-read-as-a-question test of ``question_not_self_contained`` is gone: it
dropped 8 LIMA picks ("Understanding the Rails Authenticity Token"); its body tests live
on as the three prompt rules.
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


@rule("no_answer", reads=("answer_id",))
def _no_answer(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The question has no answer in the dump."""
    return None if measured["answer_id"] is not None else "question has no answer"


no_answer = replace(_no_answer, vector=_no_answer_vector)

@rule("answer_score_below_min", reads=("answer_score",))
def _answer_score_below_min(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The top answer scores below min_answer_score."""
    score = measured["answer_score"]
    return f"top answer score {score} < {config.min_answer_score}" if score < config.min_answer_score else None


def _score_vector(columns: Mapping[str, Any], config: StackExchangeConfig) -> tuple[Any, Details]:
    scores, minimum = columns["answer_score"], config.min_answer_score
    dropped = scores < minimum
    return dropped, Details(f"top answer score {{}} < {minimum}", scores[dropped])


answer_score_below_min = replace(_answer_score_below_min, vector=_score_vector)

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
    """The answer's prose holds "I" or "my" (the paper's words)."""
    return _first(measured["first_person"], "first person")


@rule("first_person_me_mine", reads=("first_person_extended",))
def first_person_me_mine(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer's prose holds "me", "myself" or "mine" (only with first_person_me_mine)."""
    return _first(measured["first_person_extended"], "first person")


@rule("refers_to_site", reads=("site_references",))
def refers_to_site(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer points at the site, its comments or its people (site_reference_kinds)."""
    kinds = config.site_reference_kinds
    return _first([phrase for kind, phrase in measured["site_references"] if kind in kinds], "refers to the site")


@rule("thread_talk", reads=("thread_talk",))
def thread_talk(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer talks to the thread's readers."""
    return _first(measured["thread_talk"], "talks to the thread")


@rule("removed_image", reads=("removed_images",))
def removed_image(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The answer points at a picture its text lost."""
    return _first(measured["removed_images"], "points at a removed image")


@rule("bare_link", reads=("bare_links",))
def bare_link(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """A line of the answer is only a link."""
    return _first(measured["bare_links"], "bare link line")


@rule("prompt_refers_to_thread", reads=("prompt_thread",))
def prompt_refers_to_thread(measured: Measurements, config: StackExchangeConfig) -> "str | None":
    """The prompt holds thread talk, an @name or an Edit: mark."""
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
    """The answer's prose is not identified as English (only with english_only)."""
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
