"""Stack Exchange measurements: what the rules of :mod:`.rules` read, and how each is taken.

=======================  ==================================================================
``answer_id``,           from the ranking (:mod:`.scan`): the top answer (None: none) and
``answer_score``         its score
``answer_chars``         characters of the cleaned answer
``first_person``,        the first first-person word, and the first phrase referring to
``refers_to``            other answers or the site, in the answer's prose ("" when none)
``not_self_contained``   why the prompt would not stand alone ("" when it would)
``language``             the answer's language code, from a sample of its prose
=======================  ==================================================================

The exact tests are described with the rules (:mod:`.rules`). Each measurement is taken
only for candidates the rules before it kept (:func:`lima_curate.rules.first_failure`),
the costliest, the language, last. When the extraction has spare cores, answers are
measured in helper processes while Posts.xml is still being read (:class:`AnswersAhead`):
the result is the same, measuring being a pure function of the answer's HTML and the seed.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from lima_curate.config import StackExchangeConfig
from lima_curate.executor import Helpers
from lima_curate.rules import decidable_from, first_failure
from lima_curate.sources.stackexchange.rules import RULES
from lima_curate.sources.stackexchange.scan import Spill
from lima_curate.text.html import CleanHtml, clean_html, prose_only
from lima_curate.text.lang import detect_language

RANKING = ("answer_id", "answer_score")
ANSWER = ("answer_chars", "first_person", "refers_to")
LANGUAGE = ("language",)
ANSWER_RULES = decidable_from(RULES, ANSWER)
ANSWER_AND_LANGUAGE_RULES = decidable_from(RULES, ANSWER + LANGUAGE)

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
    """Why the question's prompt would not stand alone ("" when it would); see :mod:`.rules`."""
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


def measure_wording(answer_text: str) -> dict[str, Any]:
    """``first_person`` and ``refers_to`` of a clean answer ("" when none)."""
    prose = prose_only(answer_text)
    return {"first_person": first_person_hit(prose), "refers_to": reference_hit(prose)}


def measure_language(answer_text: str, seed: int = 0) -> dict[str, str]:
    """The answer's ``language`` code, from a sample of its prose."""
    return {"language": detect_language(prose_only(answer_text)[:LANGUAGE_SAMPLE_CHARS], seed=seed)}


def measure_answer(
    html: str, config: StackExchangeConfig, seed: int, language: bool = False
) -> tuple[str, dict[str, Any]]:
    """The clean text of an answer and the measurements its rules needed: ``answer_chars``;
    the wording when the length rules keep it; with ``language``, the language when the
    wording rules keep it too (otherwise the caller measures it when it needs it)."""
    text = clean_html(html).text
    measurements: dict[str, Any] = {"answer_chars": len(text)}

    def wording() -> dict[str, Any]:
        return measure_wording(text)

    measure = {"first_person": wording, "refers_to": wording, "language": lambda: measure_language(text, seed)}
    first_failure(measurements, ANSWER_AND_LANGUAGE_RULES if language else ANSWER_RULES, config, measure)
    return text, measurements


def measure_batch(
    batch: list[tuple[int, str]], config: StackExchangeConfig, seed: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """Helper-process task: measure a batch of (answer id, html), language included."""
    return [(answer_id, *measure_answer(html, config, seed, language=True)) for answer_id, html in batch]


class AnswersAhead:
    """Answers measured in helper processes while Posts.xml is read, kept in the site's spill.

    The scan hints each answer that is, so far, its question's best one above the score
    threshold (:func:`.scan.scan_posts`); batches go to the helpers, results to ``spill``.
    An answer not measured ahead is measured when needed, by the caller.
    """

    BATCH = 32  # answers per task sent to a helper

    def __init__(self, helpers: Helpers, config: StackExchangeConfig, seed: int, spill: Spill) -> None:
        self.helpers, self.config, self.seed, self.spill = helpers, config, seed, spill
        self._offsets: dict[int, int] = {}  # answer id -> spill offset of (text, measurements)
        self._batch: list[tuple[int, str]] = []

    def hint(self, answer_id: int, html: str) -> None:
        """Measure this answer ahead (it may be chosen)."""
        self._batch.append((answer_id, html))
        if len(self._batch) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self.helpers.submit(measure_batch, self._batch, self.config, self.seed)
            self._batch = []
        self._keep(self.helpers.done())

    def _keep(self, results: Iterator[list[tuple[int, str, dict[str, Any]]]]) -> None:
        for batch in results:
            for answer_id, text, measurements in batch:
                self._offsets[answer_id] = self.spill.write((text, measurements))

    def finish(self) -> None:
        """Wait for every answer sent to the helpers."""
        self._send()
        self._keep(self.helpers.rest())

    def measured(self, answer_id: int) -> "tuple[str, dict[str, Any]] | None":
        """Clean text and measurements of an answer measured ahead, else None."""
        offset = self._offsets.get(answer_id)
        if offset is None:
            return None
        text, measurements = self.spill.read(offset)
        return text, measurements
