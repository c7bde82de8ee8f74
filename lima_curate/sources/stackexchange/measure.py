"""Stack Exchange measurements: what the rules of :mod:`.rules` read, and how each is taken.

:data:`MEASURES` maps each measurement to the function taking it from a :class:`Candidate`
(one question and its top answer); a measurement is taken once, when a rule first reads it,
and what one needs of another (the clean text, the prose) is taken through the candidate. The
build (:mod:`.table`) and ``lima-curate calibrate`` (on reference items) share these functions.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, Mapping, MutableMapping

from lima_curate.text import leftovers, wording
from lima_curate.text.html import CleanHtml, clean_html, prose_only
from lima_curate.text.lang import detect_language

LINK_ONLY_LETTERS = 20  # a body with links and fewer letters than this outside them is link-only
# characters of prose, blanks collapsed, given to language identification (code is blanked
# out of the prose, so an answer that opens with code would otherwise give a sample of spaces)
LANGUAGE_SAMPLE_CHARS = 400
THREAD_KINDS = ("mention", "edit_mark", "update_mark")  # site references that tie a question to its thread


class Candidate:
    """One question and its top answer, as the measurements read them.

    ``measured``: the measurements taken so far, which receives those taken by :meth:`get`.
    ``html(name)`` gives the ``answer_html`` or ``question_html`` when a measurement needs it
    (a reference item has none: it gives ``answer_text``). ``title_is_prompt``: the seeded
    coin's side (:func:`.table.prompt_is_title`), or a function tossing it; ``prompt_form``:
    the config's ``prompt``.
    """

    def __init__(
        self,
        measured: MutableMapping[str, Any],
        *,
        title: str = "",
        html: "Callable[[str], str | None] | None" = None,
        title_is_prompt: "bool | Callable[[], bool]" = True,
        prompt_form: str = "title_or_body",
    ) -> None:
        self.measured = measured
        self.title, self._html = title, html
        self._title_is_prompt, self.prompt_form = title_is_prompt, prompt_form

    @cached_property
    def title_is_prompt(self) -> bool:
        """The coin's side (tossed when first asked for: only the prompt rules need it)."""
        coin = self._title_is_prompt
        return coin() if callable(coin) else coin

    @cached_property
    def answer_html(self) -> "str | None":
        """The answer's HTML (None for a reference item, which has only text)."""
        return self._html("answer_html") if self._html is not None else None

    @cached_property
    def question_html(self) -> "str | None":
        return self._html("question_html") if self._html is not None else None

    def get(self, key: str) -> Any:
        """The measurement ``key``, taken now if it was not yet."""
        if key not in self.measured:
            self.measured[key] = MEASURES[key](self)
        return self.measured[key]

    @cached_property
    def answer_prose(self) -> str:
        return prose_only(self.get("answer_text"))

    @cached_property
    def body(self) -> CleanHtml:
        return clean_html(self.question_html or "")

    @cached_property
    def body_prose(self) -> str:
        return prose_only(self.get("body_text"))

    @cached_property
    def title_prose(self) -> str:
        return prose_only(self.title)

    @property
    def measures(self) -> "dict[str, Callable[[], Mapping[str, Any]]]":
        """For :func:`lima_curate.rules.first_failure`: key -> the function taking it."""
        return {key: lambda key=key: {key: self.get(key)} for key in MEASURES}


def _kinds(hits: "Iterator[wording.Hit] | tuple[wording.Hit, ...]") -> tuple[tuple[str, str], ...]:
    """``(kind, phrase)`` pairs, distinct, in text order."""
    return tuple(dict.fromkeys((hit.kind, hit.phrase) for hit in hits))


def thread_phrases(prose: str) -> tuple[str, ...]:
    """Thread talk, ``@name`` mentions and ``Edit:`` marks in a question's ``prose``."""
    hits = [*wording.thread_talk(prose), *(h for h in wording.site_references(prose) if h.kind in THREAD_KINDS)]
    return wording.phrases(tuple(sorted(hits, key=lambda hit: hit.start)))


def _answer_text(c: Candidate) -> str:
    if c.answer_html is None:
        raise ValueError("no answer HTML to measure")  # a programming error: the row has no answer
    return clean_html(c.answer_html).text


def _prompt_kind(c: Candidate) -> str:
    """``title`` when the coin says so or the body is empty; else ``body`` (or
    ``title_and_body`` with the prompt form ``title_or_title_and_body``)."""
    if c.title_is_prompt or not c.get("body_text"):
        return "title"
    return "title_and_body" if c.prompt_form == "title_or_title_and_body" else "body"


def _prompt_thread(c: Candidate) -> tuple[str, ...]:
    kind = c.get("prompt_kind")
    found = c.get("title_thread") if kind != "body" else ()
    return tuple(dict.fromkeys((*found, *(c.get("body_thread") if kind != "title" else ()))))


def _prompt_removed_images(c: Candidate) -> tuple[str, ...]:
    kind = c.get("prompt_kind")
    found = list(c.get("title_removed_images") if kind != "body" else ())
    if kind != "title":
        found += c.get("body_removed_images")
        images = c.get("body_images")
        if images:
            found.append(f"{images} image{'s' if images > 1 else ''} in the body")
    return tuple(dict.fromkeys(found))


#: measurement -> how it is taken from a :class:`Candidate`
MEASURES: dict[str, Callable[[Candidate], Any]] = {
    "answer_text": _answer_text,
    "answer_chars": lambda c: len(c.get("answer_text")),
    "first_person": lambda c: wording.phrases(wording.first_person(c.answer_prose)),
    "first_person_extended": lambda c: wording.phrases(wording.first_person_extended(c.answer_prose)),
    "site_references": lambda c: _kinds(wording.site_references(c.answer_prose)),
    # question_references and entity_residue are informative: no rule reads them
    "question_references": lambda c: wording.phrases(wording.question_references(c.answer_prose)),
    "thread_talk": lambda c: wording.phrases(wording.thread_talk(c.answer_prose)),
    "removed_images": lambda c: wording.phrases(leftovers.removed_image_references(c.answer_prose)),
    "bare_links": lambda c: wording.phrases(leftovers.bare_link_lines(c.get("answer_text"))),
    "entity_residue": lambda c: wording.phrases(leftovers.entity_residue(c.get("answer_text"))),
    "language": lambda c: detect_language(" ".join(c.answer_prose[: 8 * LANGUAGE_SAMPLE_CHARS].split())
                                          [:LANGUAGE_SAMPLE_CHARS]),
    "body_text": lambda c: c.body.text,
    "body_chars": lambda c: len(c.get("body_text")),
    "body_images": lambda c: c.body.images,
    "body_link_only": lambda c: bool(c.body.links) and c.body.letters - c.body.link_letters < LINK_ONLY_LETTERS,
    "title_thread": lambda c: thread_phrases(c.title_prose),
    "body_thread": lambda c: thread_phrases(c.body_prose),
    "title_removed_images": lambda c: wording.phrases(leftovers.removed_image_references(c.title_prose)),
    "body_removed_images": lambda c: wording.phrases(leftovers.removed_image_references(c.body_prose)),
    # derived: not stored in the table (they change with the seed and title_prompt_probability)
    "prompt_kind": _prompt_kind,
    "prompt_thread": _prompt_thread,
    "prompt_removed_images": _prompt_removed_images,
    "prompt_link_only": lambda c: c.get("prompt_kind") != "title" and bool(c.get("body_link_only")),
}


def answer_measurements(html: str) -> dict[str, Any]:
    """Every answer measurement of one answer's HTML (for a helper process; see :mod:`.table`)."""
    candidate = Candidate({}, html={"answer_html": html}.get)
    for key in ANSWER_KEYS:
        candidate.get(key)
    return candidate.measured


ANSWER_KEYS = ("answer_text", "answer_chars", "first_person", "site_references", "question_references",
               "thread_talk", "removed_images", "bare_links", "entity_residue", "language")


# ---------------------------------------------------------------- reference items (calibrate)

TITLE_MAX_CHARS = 150  # a reference prompt of one line up to this long is taken for a title


def reference_prompt_kind(prompt: str) -> str:
    """A reference prompt's kind: ``title`` for one line of at most :data:`TITLE_MAX_CHARS`
    characters, else ``body`` (LIMA's prompts are one or the other, never both)."""
    text = prompt.strip()
    return "title" if "\n" not in text and len(text) <= TITLE_MAX_CHARS else "body"


def reference_measurements(prompt: str, response: str, keys: "Iterable[str]") -> dict[str, Any]:
    """The measurements ``keys`` of a reference pair (no HTML: the response is the answer's
    text, the prompt the title or the body by :func:`reference_prompt_kind`); what a
    reference cannot give (scores, the HTML length, the body's images) is None."""
    kind = reference_prompt_kind(prompt)
    known: dict[str, Any] = {"answer_text": response}
    if kind == "body":
        known.update(body_text=prompt, body_images=None, body_link_only=None)
    candidate = Candidate(known, title=prompt if kind == "title" else "", title_is_prompt=kind == "title")
    return {key: candidate.get(key) if key in MEASURES else None for key in (*keys, "language")}
