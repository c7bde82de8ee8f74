"""The wikiHow rules, in the order they are applied (the first that fails names the drop),
and the measurements they read. ``duplicate_article`` and ``unreadable_file`` are decided in
:mod:`.extract`.
"""

from __future__ import annotations

from typing import Any, Mapping

from lima_curate.config import WikiHowConfig
from lima_curate.records import Example
from lima_curate.rules import length_window, rule
from lima_curate.text import leftovers, wording
from lima_curate.text.lang import detect_language

ENGLISH = "en"
Measurements = Mapping[str, Any]


def measure(example: Example) -> dict[str, Any]:
    """Every measurement of a candidate but the language: ``not_article``, ``steps``,
    ``prompt_chars``, ``response_chars``, ``bare_links``, ``entity_residue`` and
    ``removed_images`` (informative: LIMA keeps 3 of 200 articles pointing at a picture)."""
    meta, response = example.meta, example.response
    return {"not_article": meta.get("not_article", ""), "steps": meta["steps"],
            "prompt_chars": len(example.prompt), "response_chars": meta["response_chars"],
            "bare_links": wording.phrases(leftovers.bare_link_lines(response)),
            "entity_residue": wording.phrases(leftovers.entity_residue(response)),
            "removed_images": wording.phrases(leftovers.removed_image_references(response))}


def measure_language(response: str) -> dict[str, str]:
    """The response's ``language`` code."""
    return {"language": detect_language(response)}


@rule("not_an_article", reads=("not_article", "steps"))
def not_an_article(measured: Measurements, config: WikiHowConfig) -> "str | None":
    """Input item with no steps (category page, Q&A, ingredient list)."""
    if measured["not_article"]:
        return str(measured["not_article"])
    return None if measured["steps"] else "no steps left after pruning sections"


@rule("empty_title", reads=("prompt_chars",))
def empty_title(measured: Measurements, config: WikiHowConfig) -> "str | None":
    """No usable title for the prompt."""
    return None if measured["prompt_chars"] else "no title"


# LIMA's 200 wikiHow answers (items 600-799): 883 to far above 4,096 chars; the default
# 1,000 and no upper bound drop 1/200 (0.5%)
response_too_short, response_too_long = length_window(
    "response_chars", lambda config: (config.min_response_chars, config.max_response_chars),
    too_short="response_too_short", too_long="response_too_long", what="Cleaned article body",
)


@rule("bare_link", reads=("bare_links",))
def bare_link(measured: Measurements, config: WikiHowConfig) -> "str | None":
    """A line of the body is only a link with a short label. LIMA 0/200."""
    links = measured["bare_links"]
    return f"bare link line: {links[0]!r}" if links else None


@rule("html_entity_residue", reads=("entity_residue",))
def html_entity_residue(measured: Measurements, config: WikiHowConfig) -> "str | None":
    """The body holds an HTML character reference left as text ("&amp;", "& nbsp;"). LIMA 0/200."""
    found = measured["entity_residue"]
    return f"HTML entity: {found[0]!r}" if found else None


@rule("not_english", reads=("language",))
def not_english(measured: Measurements, config: WikiHowConfig) -> "str | None":
    """Response not detected as English (seed 0, whatever the build's seed). LIMA 0/200."""
    return None if measured["language"] == ENGLISH else f"language {measured['language']}"


RULES = (not_an_article, empty_title, response_too_short, response_too_long, bare_link, html_entity_residue,
         not_english)


def reference_measurements(prompt: str, response: str) -> dict[str, Any]:
    """The measurements a reference pair can give (for ``lima-curate calibrate``): the same
    as :func:`measure` and :func:`measure_language` on its text; what only an input file
    tells (``not_article``, ``steps``) is None."""
    example = Example("reference", "wikihow", "", ({"role": "user", "content": prompt},
                                                    {"role": "assistant", "content": response}),
                      {"steps": None, "response_chars": len(response)})
    return {**measure(example), "not_article": None, **measure_language(response)}
