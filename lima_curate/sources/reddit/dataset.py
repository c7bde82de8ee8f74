"""The WritingPrompts dataset (Fan et al., 2018) as prompt/story pairs: rows detokenised, their
HTML character references decoded, and decided like Reddit stories (:data:`.rules.DATASET_RULES`,
then :func:`.stories.decide_pair`). The dataset has no scores (:data:`.writingprompts.UNSCORED_QUALITY`).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator

from lima_curate.config import RedditConfig
from lima_curate.records import META_QUALITY, Example, make_id
from lima_curate.rules import first_failure
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.reddit.items import terms_meta
from lima_curate.sources.reddit.rules import DATASET_RULES, nsfw_measures, prompt_measures, story_measures
from lima_curate.sources.reddit.stories import WRITINGPROMPTS, decide_pair
from lima_curate.sources.reddit.writingprompts import UNSCORED_QUALITY, clean_story, detokenize, split_tags
from lima_curate.sources.rows import Row, table_outcomes
from lima_curate.sources.table import TableCache, input_key
from lima_curate.text.leftovers import repair_entity_residue
from lima_curate.text.scrub import scrub

DATASET_SOURCE_ID = "writingprompts_dataset"
SUBREDDIT_URL = "https://www.reddit.com/r/WritingPrompts/"
#: the measurements table's version: bump it with any change to reading or measuring
VERSION = "writingprompts-dataset-table-2"

log = logging.getLogger(__name__)


def dataset_outcomes(
    root: Path, path: Path, files: list[Path], rows: Callable[[], Iterator[tuple[str, str, str]]],
    config: RedditConfig, seed: int, stats: "Counter[str] | None" = None, tables: "TableCache | None" = None,
) -> Iterator[Outcome]:
    """The pairs of the dataset file ``path`` (read from ``files`` by ``rows``), kept or rejected."""
    stats = Counter() if stats is None else stats
    origin = path.relative_to(root).as_posix()
    key = input_key(DATASET_SOURCE_ID, VERSION, {}, files) if tables is not None else ""

    def decide(measured: Iterable[Row]) -> Iterator[Outcome]:
        """Each row decided by :data:`.rules.DATASET_RULES`, then as a pair (:func:`.stories.decide_pair`,
        which adds the language to the row)."""
        read = 0
        for row in measured:
            read += 1
            example = row.record
            assert isinstance(example, Example)
            drop = first_failure(row.measured, DATASET_RULES, config)
            if drop is not None:
                yield Rejected.by(drop, example, f"{origin} row {example.meta['row_id']}: ")
            else:
                yield decide_pair(example, config, seed, row.measured)
        stats["dataset_rows"] += read
        log.info("reddit: %s: %d dataset rows", origin, read)

    yield from table_outcomes(tables, DATASET_SOURCE_ID, path, key, lambda: measure_rows(path, origin, rows()), decide)


def measure_rows(path: Path, origin: str, rows: Iterator[tuple[str, str, str]]) -> Iterator[Row]:
    """Each dataset row as a candidate with its measurements."""
    for row_id, raw_prompt, raw_story in rows:
        tags, prompt = split_tags(detokenize(raw_prompt))
        prompt = scrub(prompt)
        story, part = clean_story(repair_entity_residue(scrub(detokenize(raw_story))))
        meta = {
            **terms_meta(quota=WRITINGPROMPTS, group=WRITINGPROMPTS, split="train", url=SUBREDDIT_URL),
            META_QUALITY: UNSCORED_QUALITY,
            "quality_basis": "unscored",
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
        yield Row(example, {**nsfw_measures({}, tags), **prompt_measures(tags, prompt), **story_measures(story, part)})
