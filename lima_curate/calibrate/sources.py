"""The build's own rules and measurements of each source, set up for a reference set.

:data:`SOURCES` gives, for a pipeline config, each source's rules in build order and a
measure of a reference pair by the source's own functions. What needs the dump (an answer's
HTML length or score, a wikiHow page's steps, a Reddit title's tags) is left unmeasured.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from lima_curate.calibrate.references import Pair
from lima_curate.calibrate.report import SourceRules
from lima_curate.config import PipelineConfig
from lima_curate.sources.reddit import rules as reddit_rules
from lima_curate.sources.reddit import stories
from lima_curate.sources.stackexchange import measure as se_measure
from lima_curate.sources.stackexchange import rules as se_rules
from lima_curate.sources.wikihow import rules as wikihow_rules


def stackexchange(config: PipelineConfig) -> SourceRules:
    """The Stack Exchange rules the config keeps (:func:`.stackexchange.rules.active_rules`)."""
    rules = se_rules.active_rules(config.sources.stackexchange)
    keys = tuple(dict.fromkeys(key for rule in rules for key in rule.reads))

    def measure(pair: Pair) -> Mapping[str, Any]:
        return se_measure.reference_measurements(pair.prompt, pair.response, keys)

    return SourceRules("stackexchange", measure, rules, config.sources.stackexchange)


def wikihow(config: PipelineConfig) -> SourceRules:
    """The wikiHow rules (:data:`.wikihow.rules.RULES`)."""
    return SourceRules("wikihow", lambda pair: wikihow_rules.reference_measurements(pair.prompt, pair.response),
                       wikihow_rules.RULES, config.sources.wikihow)


def writingprompts(config: PipelineConfig) -> SourceRules:
    """The rules of a WritingPrompts story (the dataset's rows: :data:`.reddit.rules.DATASET_RULES`,
    then the pair's language, :data:`.reddit.rules.PAIR_RULES`)."""
    return SourceRules("writingprompts",
                       lambda pair: stories.reference_measurements(pair.prompt, pair.response, config.seed),
                       (*reddit_rules.DATASET_RULES, *reddit_rules.PAIR_RULES), config.sources.reddit)


SOURCES: dict[str, Callable[[PipelineConfig], SourceRules]] = {
    "stackexchange": stackexchange,
    "wikihow": wikihow,
    "writingprompts": writingprompts,
}
