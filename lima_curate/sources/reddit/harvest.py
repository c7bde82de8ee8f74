"""Reading Reddit items from dump files and thread pages, each routed to what uses it.

WritingPrompts submissions and top-level comments go to :class:`.stories.WritingPromptsHarvest`,
AskReddit submissions to :class:`.askreddit.AskRedditPrompts`; the rest is only counted. A dump
line that is no JSON object, not UTF-8 or no item is dropped with its file and line; an item met
twice (overlapping dumps) counts once. The routed items and the drops are the unit's measurements
table, so the next build need not read the dumps.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from lima_curate.config import RedditConfig
from lima_curate.rules import Drop
from lima_curate.sources.outcome import Outcome
from lima_curate.sources.reddit import pushshift, threads
from lima_curate.sources.rows import Row, table_outcomes
from lima_curate.sources.table import TableCache, input_key
from lima_curate.sources.reddit.askreddit import ASKREDDIT, AskRedditPrompts
from lima_curate.sources.reddit.items import COMMENT, SUBMISSION, is_top_level, kind_of
from lima_curate.sources.reddit.stories import WRITINGPROMPTS, WritingPromptsHarvest

log = logging.getLogger(__name__)

SOURCE = "reddit"
#: the measurements table's version: bump it with any change to reading or routing
VERSION = "reddit-harvest-table-2"
STATS = "stats"  # the kind of the row holding the counts of what was read


def harvest_outcomes(
    root: Path, dumps: Sequence[Path], pages: Sequence[Path], config: RedditConfig, seed: int,
    stats: "Counter[str] | None" = None, tables: "TableCache | None" = None,
) -> Iterator[Outcome]:
    """Read ``dumps`` then thread ``pages`` (or the table of a previous build); yield the
    drops in reading order, then the WritingPrompts outcomes
    (:meth:`.stories.WritingPromptsHarvest.finish`), then the kept AskReddit prompts.
    ``stats`` receives counts of what was read."""
    stats = Counter() if stats is None else stats
    key = input_key(SOURCE, VERSION, {}, [*dumps, *pages]) if tables is not None else ""

    def decide(rows: Iterable[Row]) -> Iterator[Outcome]:
        stories, questions = WritingPromptsHarvest(config, seed, stats), AskRedditPrompts(config, seed, stats)
        add = {"story": stories.add_story, "prompt": stories.add_prompt, "question": questions.add}
        for row in rows:
            if row.drop is not None:
                yield row.rejected()
            elif row.record["kind"] == STATS:
                stats.update(row.record["counts"])
            else:
                yield from add[row.record["kind"]](row.record["item"], row.record["origin"])
        yield from stories.finish()
        yield from questions.finish()
        log.info("reddit: %s", ", ".join(f"{key}={value}" for key, value in sorted(stats.items())))

    yield from table_outcomes(tables, SOURCE, root / "harvest", key, lambda: read_items(root, dumps, pages), decide)


def read_items(root: Path, dumps: Sequence[Path], pages: Sequence[Path]) -> Iterator[Row]:
    """The items of ``dumps`` then ``pages`` that some use takes, as rows in reading order
    (record ``{kind, origin, item}``), the drops of bad lines, and a last row with the
    counts of what was read."""
    reader = _Reader(root)
    for path in dumps:
        yield from reader.read_dump(path)
    for path in pages:
        yield from reader.read_thread(path)
    yield Row({"kind": STATS, "counts": dict(sorted(reader.stats.items()))})


class _Reader:
    """Reads dumps and thread pages into rows, counting what it reads."""

    def __init__(self, root: Path) -> None:
        self.root, self.stats = root, Counter()

    def read_dump(self, path: Path) -> Iterator[Row]:
        origin = path.relative_to(self.root).as_posix()
        stats = self.stats
        for number, record in pushshift.iter_records(path):
            stats["lines"] += 1
            if type(record) is not dict:
                stats[record.rule] += 1
                yield _line_rejected(origin, record.line, record.rule, record.detail)
                continue
            yield from self.route(record, origin, number)

    def read_thread(self, path: Path) -> Iterator[Row]:
        origin = path.relative_to(self.root).as_posix()
        thread = threads.read_thread(path)
        self.stats["threads"] += 1
        self.stats["more_stubs"] += thread.more_stubs
        yield from self.route(thread.submission, origin, 0)
        for comment in thread.comments:
            yield from self.route(comment, origin, 0)

    def route(self, record: "dict[str, Any]", origin: str, number: int) -> Iterator[Row]:
        """The row of an item some use takes; the others are only counted."""
        kind = kind_of(record)
        subreddit = str(record.get("subreddit") or "").lower()
        if kind == COMMENT:
            self.stats["comments"] += 1
            if subreddit == WRITINGPROMPTS:
                if is_top_level(record):
                    yield Row({"kind": "story", "origin": origin, "item": record})
                else:
                    self.stats["writingprompts_replies_skipped"] += 1
        elif kind == SUBMISSION:
            self.stats["submissions"] += 1
            if subreddit == WRITINGPROMPTS:
                yield Row({"kind": "prompt", "origin": origin, "item": record})
            elif subreddit == ASKREDDIT:
                yield Row({"kind": "question", "origin": origin, "item": record})
        else:
            self.stats["unknown_records"] += 1
            keys = ", ".join(sorted(record)[:8])
            yield _line_rejected(origin, number, "unknown_record", f"neither a submission nor a comment (keys: {keys})")


def _line_rejected(origin: str, line: int, rule: str, detail: str) -> Row:
    where = f"{origin}:{line}"
    record = {"id": where, "source": "reddit", "meta": {"file": origin, "line": line}}
    return Row(record, drop=Drop(rule, f"{where}: {detail}"), malformed=True)
