"""Today's rules (``lima_curate.sources``) as :class:`~lima_curate.calibrate.report.SourceRules`.

The yardstick for the proposed rules: the same reference items through the rules the
build applies now, with their measurement functions. Rules that look at what a
reference item cannot have (a question with no answer, a score, the article's steps)
are left out; the rest keep their names and order. A Stack Exchange reference prompt
is taken for a title when it is one line of at most 150 characters
(:func:`~lima_curate.calibrate.proposed.guess_prompt_kind`); the title and the body are
then that prompt.
"""

from __future__ import annotations

from typing import Any, Mapping

from lima_curate import rules as today_rules
from lima_curate.calibrate.proposed import guess_prompt_kind
from lima_curate.calibrate.references import Pair
from lima_curate.calibrate.report import MeasuredRule, SourceRules
from lima_curate.config import RedditConfig, StackExchangeConfig, WikiHowConfig
from lima_curate.records import Example
from lima_curate.sources import se_rules, wikihow, writingprompts
from lima_curate.text.html import CleanHtml
from lima_curate.text.lang import detect_language

WP_LANGUAGE_SAMPLE_CHARS = 1500  # as lima_curate.sources.reddit


def from_example_rule(rule: today_rules.Rule) -> MeasuredRule:
    """Today's rule (it reads an Example's meta) on measurements: the measurements become
    the meta, and ``prompt``/``response`` the messages."""

    def check(measurements: Mapping[str, Any]) -> "str | None":
        messages = ({"role": "user", "content": measurements.get("prompt", "")},
                    {"role": "assistant", "content": measurements.get("response", "")})
        return rule(Example(id="reference", source="reference", domain="", messages=messages, meta=dict(measurements)))

    return MeasuredRule(rule.name, check, description=rule.description)


def stackexchange_source(config: StackExchangeConfig = StackExchangeConfig()) -> SourceRules:
    """Today's Stack Exchange answer, question and language rules, on reference pairs."""

    def measure(pair: Pair) -> dict[str, Any]:
        kind = guess_prompt_kind(pair.prompt)
        body = CleanHtml(text="" if kind == "title" else pair.prompt)
        return {
            "prompt": pair.prompt,
            "response": pair.response,
            **se_rules.measure_answer(pair.response),
            "not_self_contained": se_rules.not_self_contained(pair.prompt, body, kind),
            "prompt_kind": kind,
            **se_rules.measure_language(pair.response),
        }

    checks = (*se_rules.answer_rules(config), *se_rules.question_rules(), *se_rules.language_rules())
    return SourceRules("stackexchange", measure, tuple(from_example_rule(rule) for rule in checks))


def wikihow_source(config: WikiHowConfig = WikiHowConfig()) -> SourceRules:
    """Today's wikiHow length window and language rule, on reference pairs."""

    def measure(pair: Pair) -> dict[str, Any]:
        return {"prompt": pair.prompt, "response": pair.response, "response_chars": len(pair.response),
                "language": detect_language(pair.response)}

    checks = [rule for rule in wikihow.rules(config) if rule.name.startswith("response_")]
    return SourceRules("wikihow", measure, tuple(from_example_rule(rule) for rule in (*checks, wikihow.NOT_ENGLISH)))


def writingprompts_source(config: RedditConfig = RedditConfig()) -> SourceRules:
    """Today's story rules (part of a series, length window, language) on reference pairs;
    the story is cleaned as the extractor cleans it (notes at its ends stripped)."""

    def measure(pair: Pair) -> dict[str, Any]:
        story, part = writingprompts.clean_story(pair.response)
        sample = f"{pair.prompt}\n\n{story[:WP_LANGUAGE_SAMPLE_CHARS]}"
        return {"story": story, "story_part": part[1] if part else "", "story_chars": len(story),
                "language": detect_language(sample)}

    def is_part(m: Mapping[str, Any]) -> "str | None":
        return m["story_part"] or None

    def too_short(m: Mapping[str, Any]) -> "str | None":
        return f"{m['story_chars']} chars < {config.min_story_chars}" if m["story_chars"] < config.min_story_chars else None

    def too_long(m: Mapping[str, Any]) -> "str | None":
        return f"{m['story_chars']} chars > {config.max_story_chars}" if m["story_chars"] > config.max_story_chars else None

    def not_english(m: Mapping[str, Any]) -> "str | None":
        return None if m["language"] == "en" else f"detected as {m['language']!r}"

    # lima_curate.sources.reddit writes these checks inline, in this order
    return SourceRules("writingprompts", measure, (
        MeasuredRule(writingprompts.STORY_IS_PART, is_part), MeasuredRule("story_too_short", too_short),
        MeasuredRule("story_too_long", too_long), MeasuredRule("not_english", not_english),
    ))


SOURCES = {"stackexchange": stackexchange_source, "wikihow": wikihow_source, "writingprompts": writingprompts_source}
