"""The WritingPrompts dataset (Fan et al., 2018) as prompt/story pairs.

Rows come from a CSV with ``prompt``/``story`` columns or from line-aligned
``.wp_source``/``.wp_target`` files (:mod:`.writingprompts`); their text is detokenised,
then decided like Reddit stories (:data:`.rules.DATASET_RULES`, then
:func:`.stories.decide_pair`). The dataset has no scores: quality is a length proxy.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Iterator

from lima_curate.config import RedditConfig
from lima_curate.records import META_QUALITY, Example, make_id
from lima_curate.rules import first_failure
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.reddit.items import terms_meta
from lima_curate.sources.reddit.rules import DATASET_RULES, nsfw_measures, prompt_measures, story_measures
from lima_curate.sources.reddit.stories import WRITINGPROMPTS, decide_pair
from lima_curate.sources.reddit.writingprompts import (
    clean_story,
    detokenize,
    iter_dataset_csv,
    iter_dataset_pairs,
    length_quality,
    split_tags,
)
from lima_curate.text.scrub import scrub

DATASET_SOURCE_ID = "writingprompts_dataset"
SUBREDDIT_URL = "https://www.reddit.com/r/WritingPrompts/"

log = logging.getLogger(__name__)


def csv_outcomes(
    root: Path, path: Path, config: RedditConfig, seed: int, stats: "Counter[str] | None" = None
) -> Iterator[Outcome]:
    """The pairs of a dataset CSV, kept or rejected."""
    yield from _row_outcomes(root, path, iter_dataset_csv(path), config, seed, stats)


def pairs_outcomes(
    root: Path, source: Path, target: Path, config: RedditConfig, seed: int, stats: "Counter[str] | None" = None
) -> Iterator[Outcome]:
    """The pairs of a ``.wp_source``/``.wp_target`` pair of files, kept or rejected."""
    yield from _row_outcomes(root, source, iter_dataset_pairs(source, target), config, seed, stats)


def _row_outcomes(
    root: Path, path: Path, rows: Iterator[tuple[str, str, str]], config: RedditConfig, seed: int,
    stats: "Counter[str] | None",
) -> Iterator[Outcome]:
    stats = Counter() if stats is None else stats
    origin = path.relative_to(root).as_posix()
    read = 0
    for row_id, raw_prompt, raw_story in rows:
        read += 1
        stats["dataset_rows"] += 1
        tags, prompt = split_tags(detokenize(raw_prompt))
        prompt = scrub(prompt)
        story, part = clean_story(scrub(detokenize(raw_story)))
        meta = {
            **terms_meta(quota=WRITINGPROMPTS, group=WRITINGPROMPTS, split="train", url=SUBREDDIT_URL),
            META_QUALITY: length_quality(len(story), config.max_story_chars),
            "quality_basis": "length_proxy",
            "subreddit": "WritingPrompts",
            "dataset_file": origin,
            "row_id": row_id,
            "prompt_tags": list(tags),
            "chars": len(story),
        }
        example = Example(
            make_id(DATASET_SOURCE_ID, path.stem, row_id), WRITINGPROMPTS, WRITINGPROMPTS,
            ({"role": "user", "content": prompt}, {"role": "assistant", "content": story}), meta,
        )
        measured = {**nsfw_measures({}, tags), **prompt_measures(tags, prompt), **story_measures(story, part)}
        drop = first_failure(measured, DATASET_RULES, config)
        if drop is not None:
            yield Rejected.by(drop, example, f"{origin} row {row_id}: ")
            continue
        yield decide_pair(example, config, seed)
    log.info("reddit: %s: %d dataset rows", origin, read)
