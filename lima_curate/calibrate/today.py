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

from lima_curate.calibrate.proposed import guess_prompt_kind
from lima_curate.calibrate.references import Pair
from lima_curate.calibrate.report import MeasuredRule, SourceRules
from lima_curate.config import RedditConfig, StackExchangeConfig, WikiHowConfig
from lima_curate.rules import Rule
from lima_curate.sources.reddit import rules as reddit_rules
from lima_curate.sources.reddit import writingprompts
from lima_curate.sources.stackexchange import measure as se_measure
from lima_curate.sources.stackexchange import rules as se_rules
from lima_curate.sources.wikihow import rules as wikihow_rules
from lima_curate.text.html import CleanHtml
from lima_curate.text.lang import detect_language

WP_LANGUAGE_SAMPLE_CHARS = 1500  # as lima_curate.sources.reddit


def measured_rule(rule: Rule, config: Any) -> MeasuredRule:
    """A source's rule (measurements and config in) with its config bound."""
    return MeasuredRule(rule.name, lambda measurements: rule(measurements, config), description=rule.description)


def stackexchange_source(config: StackExchangeConfig = StackExchangeConfig()) -> SourceRules:
    """Today's Stack Exchange answer, question and language rules, on reference pairs."""

    def measure(pair: Pair) -> dict[str, Any]:
        kind = guess_prompt_kind(pair.prompt)
        body = CleanHtml(text="" if kind == "title" else pair.prompt)
        return {
            "prompt": pair.prompt,
            "response": pair.response,
            "answer_chars": len(pair.response),
            **se_measure.measure_wording(pair.response),
            "not_self_contained": se_measure.not_self_contained(pair.prompt, body, kind),
            "prompt_kind": kind,
            **se_measure.measure_language(pair.response),
        }

    # the pairing rules look at what a reference item cannot have (an answer id, a score)
    checks = [rule for rule in se_rules.RULES if rule.name not in ("no_answer", "answer_score_below_min")]
    return SourceRules("stackexchange", measure, tuple(measured_rule(rule, config) for rule in checks))


def wikihow_source(config: WikiHowConfig = WikiHowConfig()) -> SourceRules:
    """Today's wikiHow length window and language rule, on reference pairs."""

    def measure(pair: Pair) -> dict[str, Any]:
        return {"prompt": pair.prompt, "response": pair.response, "response_chars": len(pair.response),
                "language": detect_language(pair.response)}

    checks = (wikihow_rules.response_too_short, wikihow_rules.response_too_long, wikihow_rules.not_english)
    return SourceRules("wikihow", measure, tuple(measured_rule(rule, config) for rule in checks))


def writingprompts_source(config: RedditConfig = RedditConfig()) -> SourceRules:
    """Today's story rules (part of a series, length window, language) on reference pairs;
    the story is cleaned as the extractor cleans it (notes at its ends stripped)."""

    def measure(pair: Pair) -> dict[str, Any]:
        story, part = writingprompts.clean_story(pair.response)
        sample = f"{pair.prompt}\n\n{story[:WP_LANGUAGE_SAMPLE_CHARS]}"
        return {**reddit_rules.story_measures(story, part), "language": detect_language(sample)}

    checks = (reddit_rules.story_is_part, reddit_rules.story_too_short, reddit_rules.story_too_long,
              reddit_rules.pair_not_english)
    return SourceRules("writingprompts", measure, tuple(measured_rule(rule, config) for rule in checks))


SOURCES = {"stackexchange": stackexchange_source, "wikihow": wikihow_source, "writingprompts": writingprompts_source}
