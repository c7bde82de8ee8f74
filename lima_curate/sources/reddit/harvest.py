"""Reading Reddit items from dump files and thread pages, each routed to what uses it.

Submissions and top-level comments of r/WritingPrompts go to
:class:`.stories.WritingPromptsHarvest`, submissions of r/AskReddit to
:class:`.askreddit.AskRedditPrompts`; replies, AskReddit comments and other subreddits
are counted and let go, line by line. A dump line that is no JSON object
(``bad_json_line``), not UTF-8 (``invalid_utf8``) or neither a submission nor a comment
(``unknown_record``) is dropped with its file and line. Items met twice (overlapping
dumps) count once, the first file in reading order winning; a dropped item met twice is
dropped twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Sequence

from lima_curate.config import RedditConfig
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.reddit import pushshift, threads
from lima_curate.sources.reddit.askreddit import ASKREDDIT, AskRedditPrompts
from lima_curate.sources.reddit.items import COMMENT, SUBMISSION, is_top_level, kind_of
from lima_curate.sources.reddit.stories import WRITINGPROMPTS, WritingPromptsHarvest

log = logging.getLogger(__name__)


def harvest_outcomes(
    root: Path, dumps: Sequence[Path], pages: Sequence[Path], config: RedditConfig, seed: int,
    stats: "Counter[str] | None" = None,
) -> Iterator[Outcome]:
    """Read ``dumps`` then thread ``pages``; yield the drops as they come, then the
    WritingPrompts outcomes (:meth:`.stories.WritingPromptsHarvest.finish`), then the kept
    AskReddit prompts. ``stats`` receives counts of what was read."""
    harvest = _Harvest(root, config, seed, Counter() if stats is None else stats)
    for path in dumps:
        yield from harvest.read_dump(path)
    for path in pages:
        yield from harvest.read_thread(path)
    yield from harvest.stories.finish()
    yield from harvest.questions.finish()
    log.info("reddit: %s", ", ".join(f"{key}={value}" for key, value in sorted(harvest.stats.items())))


class _Harvest:
    def __init__(self, root: Path, config: RedditConfig, seed: int, stats: "Counter[str]") -> None:
        self.root, self.stats = root, stats
        self.stories = WritingPromptsHarvest(config, seed, stats)
        self.questions = AskRedditPrompts(config, seed, stats)

    def read_dump(self, path: Path) -> Iterator[Outcome]:
        origin = path.relative_to(self.root).as_posix()
        stats = self.stats
        for number, record in pushshift.iter_records(path):
            stats["lines"] += 1
            if type(record) is not dict:
                stats[record.rule] += 1
                yield self._line_rejected(origin, record.line, record.rule, record.detail)
                continue
            yield from self.add(record, origin, number)

    def read_thread(self, path: Path) -> Iterator[Outcome]:
        origin = path.relative_to(self.root).as_posix()
        thread = threads.read_thread(path)
        self.stats["threads"] += 1
        self.stats["more_stubs"] += thread.more_stubs
        yield from self.add(thread.submission, origin, 0)
        for comment in thread.comments:
            yield from self.add(comment, origin, 0)

    def add(self, record: "dict[str, Any]", origin: str, number: int) -> Iterator[Outcome]:
        kind = kind_of(record)
        subreddit = str(record.get("subreddit") or "").lower()
        if kind == COMMENT:
            self.stats["comments"] += 1
            if subreddit == WRITINGPROMPTS:
                if is_top_level(record):
                    yield from self.stories.add_story(record, origin)
                else:
                    self.stats["writingprompts_replies_skipped"] += 1
        elif kind == SUBMISSION:
            self.stats["submissions"] += 1
            if subreddit == WRITINGPROMPTS:
                yield from self.stories.add_prompt(record, origin)
            elif subreddit == ASKREDDIT:
                yield from self.questions.add(record, origin)
        else:
            self.stats["unknown_records"] += 1
            keys = ", ".join(sorted(record)[:8])
            yield self._line_rejected(origin, number, "unknown_record",
                                      f"neither a submission nor a comment (keys: {keys})")

    @staticmethod
    def _line_rejected(origin: str, line: int, rule: str, detail: str) -> Rejected:
        where = f"{origin}:{line}"
        record = {"id": where, "source": "reddit", "meta": {"file": origin, "line": line}}
        return Rejected(record, rule, f"{where}: {detail}", malformed=True)
