"""Reddit: r/WritingPrompts stories (train) and r/AskReddit titles (test prompts).

``extract(root, …)`` reads everything under ``root`` (``raw/reddit``), recursively:

* Pushshift dumps, NDJSON plain or ``.zst`` (:mod:`.pushshift`): monthly ``RS_*``/``RC_*``
  files, per-subreddit ``<sub>_submissions``/``<sub>_comments`` files, ``*.ndjson``,
  ``*.jsonl``, or ``*.json`` holding one object per line;
* thread pages as the web API returns them, ``*.json`` starting with ``[``
  (:mod:`.reddit_threads`), handled by their subreddit like dump items;
* the WritingPrompts dataset: ``*.csv`` with ``prompt``/``story`` columns and
  ``<split>.wp_source``/``<split>.wp_target`` pairs (:mod:`.writingprompts`).

**r/WritingPrompts** gives ``(prompt, story)`` pairs: the title without its tag, and the
best top-level story among the comments (``parent_id == link_id``). A story must pass
every comment rule (not AutoModerator or a moderator's sticky, not deleted, not one part
of a series, length inside the window, score at least ``min_story_score``); the best
is the highest score, then the longest, then the smallest comment id. Only that one
candidate is kept per submission while streaming; every other candidate is dropped with
its rule (``not_best_story`` when it merely lost). Quality is the story's score; dataset
stories have no score and use a length proxy (:func:`.writingprompts.length_quality`).

**r/AskReddit** gives test prompts (``split`` "test", quota ``askreddit``, messages = the
user turn only): titles with score ≥ ``min_askreddit_score`` that stand alone as
questions (:mod:`.askreddit`). Comments of AskReddit threads are not used.

NSFW items (``over_18`` or an ``[NSFW]`` tag) are dropped unless ``include_nsfw``.
Text is unescaped and scrubbed of links, usernames and e-mail addresses
(:mod:`lima_curate.text.scrub`); authors stay only in provenance meta.

Memory: dumps are streamed. Per r/WritingPrompts submission the extractor keeps its
title and four small fields (or, when dropped, a reason shared by all drops alike) and
at most one candidate story; per r/AskReddit submission, only a kept test prompt.
Everything else is let go line by line. Submission files are read before comment files,
so that comments of submissions already dropped need not be held. Drops of comments
record a 300-character excerpt, not the whole text. Items met twice (overlapping dumps)
count once, the first file in sorted order winning; a dropped item met twice is dropped
twice.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lima_curate.config import RedditConfig
from lima_curate.errors import InputError
from lima_curate.records import META_QUALITY, Example, make_id
from lima_curate.rejects import Rejects
from lima_curate.sources import askreddit, pushshift, reddit_threads, writingprompts
from lima_curate.sources.reddit_common import (
    COMMENT,
    SUBMISSION,
    bare_id,
    clean_markdown,
    is_deleted,
    is_removed_submission,
    is_top_level,
    iso_date,
    kind_of,
    permalink,
    score_of,
    terms_meta,
)
from lima_curate.text.lang import UNDETERMINED, detect_language
from lima_curate.text.scrub import scrub

log = logging.getLogger(__name__)

STAGE = "extract"
WRITINGPROMPTS = "writingprompts"
ASKREDDIT = "askreddit"
DATASET_SOURCE_ID = "writingprompts_dataset"
SUBREDDIT_URL = "https://www.reddit.com/r/WritingPrompts/"
EXCERPT_CHARS = 300
LANGUAGE_SAMPLE_CHARS = 1500  # langdetect's time grows with the text; this much decides

#: Every rule this source drops by, with what it means.
RULES: dict[str, str] = {
    "bad_json_line": "a dump line that is not a JSON object (file and line in the detail)",
    "invalid_utf8": "a dump line that is not valid UTF-8 (file and line in the detail)",
    "unknown_record": "a JSON object that is neither a submission (title) nor a comment (body, link_id, parent_id)",
    "deleted_or_removed": "the submission or comment was deleted or removed",
    "nsfw": "marked over_18 or tagged [NSFW] (kept only with include_nsfw)",
    "prompt_tag_not_eligible": "the title's tag is not a self-contained writing prompt, or it has no tag",
    "empty_prompt": "nothing is left of the title once its tags are removed",
    "automoderator": "a comment by AutoModerator",
    "moderator_comment": "a moderator's distinguished or stickied comment",
    "story_is_part": "the story is one part of a series (Part 2, continued below …)",
    "story_too_short": "story shorter than min_story_chars after clean-up",
    "story_too_long": "story longer than max_story_chars after clean-up",
    "story_score_below_min": "story score below min_story_score",
    "not_best_story": "a valid story that another top-level story of the same prompt outranks",
    "submission_missing": "the best story of a submission that no file holds",
    "no_story": "an eligible prompt without any valid top-level story",
    "not_english": "prompt and story (or the AskReddit title) are not in English",
    "askreddit_score_below_min": "AskReddit submission score below min_askreddit_score",
    "askreddit_not_self_contained": "the AskReddit title does not stand alone as a question",
}

_DUMP_SUFFIXES = {".zst", ".zstd", ".ndjson", ".jsonl"}
_DUMP_NAME = re.compile(r"^R[SC]_.+|.+_(?:submissions|comments)$", re.IGNORECASE)
_SUBMISSIONS_NAME = re.compile(r"^RS_|submissions", re.IGNORECASE)


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class Layout:
    """The files under ``root`` by kind, each list in reading order."""

    dumps: tuple[Path, ...]
    threads: tuple[Path, ...]
    dataset_csvs: tuple[Path, ...]
    dataset_pairs: tuple[tuple[Path, Path], ...]


def discover(root: Path) -> Layout:
    """Find the Reddit files under ``root`` (hidden files and folders are skipped)."""
    dumps, threads, csvs, pairs = [], [], [], []
    files = sorted(
        (p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    for path in files:
        suffix = path.suffix.lower()
        if suffix in _DUMP_SUFFIXES or (suffix == "" and _DUMP_NAME.match(path.name)):
            dumps.append(path)
        elif suffix == ".json":
            (threads if reddit_threads.looks_like_thread(path) else dumps).append(path)
        elif suffix == ".csv":
            csvs.append(path)
        elif suffix == ".wp_source":
            target = path.with_suffix(".wp_target")
            if not target.is_file():
                raise InputError(path, f"no matching {target.name} beside it")
            pairs.append((path, target))
        elif suffix == ".wp_target" and not path.with_suffix(".wp_source").is_file():
            raise InputError(path, f"no matching {path.with_suffix('.wp_source').name} beside it")
    dumps.sort(key=lambda p: (0 if _SUBMISSIONS_NAME.search(p.name) else 1, p.relative_to(root).as_posix()))
    return Layout(tuple(dumps), tuple(threads), tuple(csvs), tuple(pairs))


# ---------------------------------------------------------------- extract


def extract(
    root: Path,
    config: RedditConfig,
    rejects: Rejects,
    *,
    seed: int = 0,
    stats: "Counter[str] | None" = None,
) -> Iterator[Example]:
    """Yield r/WritingPrompts pairs and r/AskReddit test prompts from ``root`` (see module doc).

    ``stats``, when given, receives counts of what was read (lines, submissions,
    comments, replies skipped, ``more`` stubs …).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "Reddit folder not found")
    stats = stats if stats is not None else Counter()
    layout = discover(root)
    harvest = _Harvest(root, config, rejects, seed, stats)
    for path in layout.dumps:
        harvest.read_dump(path)
    for path in layout.threads:
        harvest.read_thread(path)
    yield from harvest.finish()
    if config.writingprompts_dataset:
        for path in layout.dataset_csvs:
            yield from _dataset_examples(root, path, path.stem, writingprompts.iter_dataset_csv(path), config, rejects, seed, stats)
        for source, target in layout.dataset_pairs:
            rows = writingprompts.iter_dataset_pairs(source, target)
            yield from _dataset_examples(root, source, source.stem, rows, config, rejects, seed, stats)
    log.info("reddit: %s", ", ".join(f"{key}={value}" for key, value in sorted(stats.items())))


@dataclass(frozen=True, slots=True)
class _Prompt:
    """An eligible WritingPrompts submission: only what the pair needs (one per
    submission is held until the end, so it is kept small)."""

    title: str  # unescaped; the prompt is derived from it again when paired
    subreddit: str
    author: Any
    score: "int | None"
    created_utc: Any

    def meta(self, sid: str) -> "dict[str, Any]":
        tags, _ = writingprompts.split_tags(self.title)
        return {
            "submission_id": sid,
            "subreddit": self.subreddit,
            "submission_author": self.author,
            "submission_score": self.score,
            "submission_created_utc": iso_date(self.created_utc),
            "title": self.title,
            "prompt_tags": list(tags),
        }

    @property
    def prompt(self) -> str:
        return scrub(writingprompts.split_tags(self.title)[1])


@dataclass(frozen=True, slots=True)
class _Dropped:
    """A WritingPrompts submission that was dropped, so its stories go with it (one shared
    instance per reason)."""

    rule: str
    detail: str


@dataclass(frozen=True)
class _Story:
    """The best story of a submission so far."""

    comment_id: str
    text: str
    score: "int | None"
    meta: "dict[str, Any]"

    def outranks(self, other: "_Story") -> bool:
        """Higher score, then longer, then the smaller (older) comment id."""
        mine = (self.score if self.score is not None else -1, len(self.text))
        theirs = (other.score if other.score is not None else -1, len(other.text))
        if mine != theirs:
            return mine > theirs
        return (len(self.comment_id), self.comment_id) < (len(other.comment_id), other.comment_id)


class _Harvest:
    """Streaming state: WritingPrompts prompts and best stories, kept AskReddit prompts."""

    def __init__(self, root: Path, config: RedditConfig, rejects: Rejects, seed: int, stats: "Counter[str]") -> None:
        self.root = root
        self.config = config
        self.rejects = rejects
        self.seed = seed
        self.stats = stats
        self.prompts: dict[str, "_Prompt | _Dropped"] = {}
        self.reasons: dict[tuple[str, str], _Dropped] = {}
        self.best: dict[str, _Story] = {}
        self.asked: dict[str, Example] = {}  # kept only: dropped ones are not remembered

    # ---------------------------------------------------------- reading

    def read_dump(self, path: Path) -> None:
        origin = self.root_relative(path)
        stats = self.stats
        for number, record in pushshift.iter_records(path):
            stats["lines"] += 1
            if type(record) is not dict:
                self.drop_line(origin, record)
                continue
            self.add(record, origin, number)

    def read_thread(self, path: Path) -> None:
        origin = self.root_relative(path)
        thread = reddit_threads.read_thread(path)
        self.stats["threads"] += 1
        self.stats["more_stubs"] += thread.more_stubs
        self.add(thread.submission, origin, 0)
        for comment in thread.comments:
            self.add(comment, origin, 0)

    def add(self, record: "dict[str, Any]", origin: str, number: int) -> None:
        kind = kind_of(record)
        subreddit = str(record.get("subreddit") or "").lower()
        if kind == COMMENT:
            self.stats["comments"] += 1
            if subreddit == WRITINGPROMPTS:
                if is_top_level(record):
                    self.story(record, origin)
                else:
                    self.stats["writingprompts_replies_skipped"] += 1
        elif kind == SUBMISSION:
            self.stats["submissions"] += 1
            if subreddit == WRITINGPROMPTS:
                self.prompt(record, origin)
            elif subreddit == ASKREDDIT:
                self.question(record, origin)
        else:
            self.stats["unknown_records"] += 1
            where = f"{origin}:{number}"
            keys = ", ".join(sorted(record)[:8])
            self.rejects.drop(
                {"id": where, "source": "reddit", "meta": {"file": origin, "line": number}},
                stage=STAGE, rule="unknown_record", detail=f"{where}: neither a submission nor a comment (keys: {keys})",
                source="reddit", aggregate=True,
            )

    def drop_line(self, origin: str, bad: pushshift.BadLine) -> None:
        self.stats[bad.rule] += 1
        where = f"{origin}:{bad.line}"
        self.rejects.drop(
            {"id": where, "source": "reddit", "meta": {"file": origin, "line": bad.line}},
            stage=STAGE, rule=bad.rule, detail=f"{where}: {bad.detail}", source="reddit", aggregate=True,
        )

    def root_relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # ---------------------------------------------------------- r/WritingPrompts

    def prompt(self, record: "dict[str, Any]", origin: str) -> None:
        sid = bare_id(record.get("id"))
        if not sid or sid in self.prompts:
            self.stats["duplicate_submissions" if sid else "submissions_without_id"] += 1
            return
        title = clean_markdown(record.get("title"))
        tags, rest = writingprompts.split_tags(title)
        entry = _Prompt(title, str(record.get("subreddit")), record.get("author"), score_of(record), record.get("created_utc"))
        problem = self.prompt_problem(record, tags, scrub(rest))
        if problem is None:
            self.prompts[sid] = entry
            return
        self.prompts[sid] = self.reasons.setdefault(problem, _Dropped(*problem))
        self.rejects.drop(
            {"id": make_id("reddit", sid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "text": title,
             "meta": {**entry.meta(sid), "url": permalink(entry.subreddit, sid), "file": origin}},
            stage=STAGE, rule=problem[0], detail=f"submission {sid}: {problem[1]}",
        )

    def prompt_problem(self, record: "dict[str, Any]", tags: tuple[str, ...], prompt: str) -> "tuple[str, str] | None":
        if is_removed_submission(record):
            return "deleted_or_removed", "the submission was deleted or removed"
        if not self.config.include_nsfw and (record.get("over_18") or writingprompts.NSFW_TAGS.intersection(tags)):
            return "nsfw", "over_18" if record.get("over_18") else "tagged [NSFW]"
        tag_problem = writingprompts.tag_problem(tags)
        if tag_problem is not None:
            return "prompt_tag_not_eligible", tag_problem
        if not prompt:
            return "empty_prompt", "the title is only tags"
        return None

    def story(self, record: "dict[str, Any]", origin: str) -> None:
        sid, cid = bare_id(record.get("link_id")), bare_id(record.get("id"))
        body = record.get("body")
        score = score_of(record)
        meta = {
            "submission_id": sid,
            "comment_id": cid,
            "subreddit": str(record.get("subreddit")),
            "author": record.get("author"),
            "score": score,
            "created_utc": iso_date(record.get("created_utc")),
            "file": origin,
        }
        item = {"id": make_id("reddit", sid, cid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "meta": meta}
        prompt = self.prompts.get(sid)
        if isinstance(prompt, _Dropped):
            self.drop_story(item, body, prompt.rule, f"submission {sid}: {prompt.detail}")
            return
        text = ""
        problem = self.comment_problem(record)
        if problem is None:
            text = scrub(clean_markdown(body))
            text, problem = writingprompts.clean_story(text)
        if problem is None:
            problem = self.story_problem(text, score)
        if problem is not None:
            rule, detail = problem
            self.drop_story(item, text or body, rule, f"comment {cid} on {sid}: {detail}")
            return
        candidate = _Story(cid, text, score, meta)
        current = self.best.get(sid)
        if current is None or candidate.outranks(current):
            self.best[sid] = candidate
            if current is not None:
                self.drop_loser(sid, current, candidate)
        elif current.comment_id != cid:
            self.drop_loser(sid, candidate, current)

    def comment_problem(self, record: "dict[str, Any]") -> "tuple[str, str] | None":
        author = str(record.get("author") or "")
        if author.lower() == "automoderator":
            return "automoderator", "comment by AutoModerator"
        if record.get("distinguished") in ("moderator", "admin") or record.get("stickied"):
            return "moderator_comment", f"distinguished={record.get('distinguished')!r}, stickied={bool(record.get('stickied'))}"
        if is_deleted(record.get("body")):
            return "deleted_or_removed", f"body is {str(record.get('body')).strip()}"
        return None

    def story_problem(self, text: str, score: "int | None") -> "tuple[str, str] | None":
        config = self.config
        if len(text) < config.min_story_chars:
            return "story_too_short", f"{len(text)} chars < {config.min_story_chars}"
        if len(text) > config.max_story_chars:
            return "story_too_long", f"{len(text)} chars > {config.max_story_chars}"
        if score is not None and score < config.min_story_score:
            return "story_score_below_min", f"score {score} < {config.min_story_score}"
        return None

    def drop_story(self, item: "dict[str, Any]", text: Any, rule: str, detail: str) -> None:
        self.rejects.drop({**item, "text": str(text or "")[:EXCERPT_CHARS]}, stage=STAGE, rule=rule, detail=detail)

    def drop_loser(self, sid: str, loser: _Story, winner: _Story) -> None:
        item = {"id": make_id("reddit", sid, loser.comment_id), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS,
                "meta": loser.meta}
        self.drop_story(item, loser.text, "not_best_story",
                        f"submission {sid}: comment {winner.comment_id} (score {winner.score}) ranks higher")

    # ---------------------------------------------------------- r/AskReddit

    def question(self, record: "dict[str, Any]", origin: str) -> None:
        sid = bare_id(record.get("id"))
        if not sid or sid in self.asked:
            self.stats["duplicate_submissions" if sid else "submissions_without_id"] += 1
            return
        raw_title = clean_markdown(record.get("title"))
        title, tags = askreddit.clean_title(raw_title)
        title = scrub(title)
        subreddit = str(record.get("subreddit"))
        score = score_of(record)
        meta = {
            **terms_meta(quota=ASKREDDIT, group=ASKREDDIT, split="test", url=permalink(subreddit, sid)),
            META_QUALITY: float(score if score is not None else 0),
            "quality_basis": "score",
            "author": record.get("author"),
            "submission_id": sid,
            "subreddit": subreddit,
            "score": score,
            "num_comments": record.get("num_comments"),
            "created_utc": iso_date(record.get("created_utc")),
            "title": raw_title,
            "title_tags": list(tags),
            "file": origin,
        }
        example = Example(make_id("reddit", sid), ASKREDDIT, ASKREDDIT, ({"role": "user", "content": title},), meta)
        problem = self.question_problem(record, title, tags, score)
        if problem is None:
            language = detect_language(title, seed=self.seed)
            example = example.with_meta(language=language)
            if language not in ("en", UNDETERMINED):
                problem = "not_english", f"title detected as {language!r}"
        if problem is not None:
            self.rejects.drop(example, stage=STAGE, rule=problem[0], detail=f"submission {sid}: {problem[1]}")
            return
        self.asked[sid] = example

    def question_problem(self, record: "dict[str, Any]", title: str, tags: tuple[str, ...], score: "int | None") -> "tuple[str, str] | None":
        config = self.config
        if is_removed_submission(record):
            return "deleted_or_removed", "the submission was deleted or removed"
        nsfw_tag = any(tag.upper() in writingprompts.NSFW_TAGS for tag in tags)
        if not config.include_nsfw and (record.get("over_18") or nsfw_tag):
            return "nsfw", "over_18" if record.get("over_18") else "tagged [NSFW]"
        if score is None or score < config.min_askreddit_score:
            return "askreddit_score_below_min", f"score {score} < {config.min_askreddit_score}"
        selftext = clean_markdown(record.get("selftext"))
        problem = askreddit.self_contained_problem(title, tags, selftext, config.askreddit_min_words)
        if problem is not None:
            return "askreddit_not_self_contained", problem
        return None

    # ---------------------------------------------------------- finishing

    def finish(self) -> Iterator[Example]:
        """Pair prompts with their best stories, then the AskReddit prompts; sorted by id."""
        pairs: list[Example] = []
        for sid in sorted(set(self.prompts) | set(self.best)):
            prompt, story = self.prompts.get(sid), self.best.pop(sid, None)
            if story is not None and not isinstance(prompt, _Prompt):
                rule, detail = ("submission_missing", "no file holds the submission") if prompt is None else (prompt.rule, prompt.detail)
                item = {"id": make_id("reddit", sid, story.comment_id), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "meta": story.meta}
                self.drop_story(item, story.text, rule, f"submission {sid}: {detail}")
            elif isinstance(prompt, _Prompt) and story is None:
                self.rejects.drop(
                    {"id": make_id("reddit", sid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "text": prompt.prompt,
                     "meta": {**prompt.meta(sid), "url": permalink(prompt.subreddit, sid)}},
                    stage=STAGE, rule="no_story", detail=f"submission {sid}: no valid top-level story",
                )
            elif isinstance(prompt, _Prompt) and story is not None:
                example = self.pair(sid, prompt, story)
                if example is not None:
                    pairs.append(example)
        self.prompts.clear()
        pairs.sort(key=lambda example: example.id)
        questions = sorted(self.asked.values(), key=lambda e: e.id)
        self.asked.clear()
        for example in (*pairs, *questions):
            self.rejects.keep(example, stage=STAGE)
            yield example

    def pair(self, sid: str, prompt: _Prompt, story: _Story) -> "Example | None":
        meta = {
            **terms_meta(quota=WRITINGPROMPTS, group=WRITINGPROMPTS, split="train", url=permalink(prompt.subreddit, sid)),
            META_QUALITY: float(story.score) if story.score is not None else writingprompts.length_quality(len(story.text), self.config.max_story_chars),
            "quality_basis": "score" if story.score is not None else "length_proxy",
            **prompt.meta(sid),
            **story.meta,
            "chars": len(story.text),
        }
        example = Example(
            make_id("reddit", sid, story.comment_id), WRITINGPROMPTS, WRITINGPROMPTS,
            ({"role": "user", "content": prompt.prompt}, {"role": "assistant", "content": story.text}), meta,
        )
        return _language_checked(example, self.rejects, self.seed)


def _language_checked(example: Example, rejects: Rejects, seed: int) -> "Example | None":
    """Add meta ``language``; drop (``not_english``) unless prompt and story read as English
    (judged on the prompt and the story's first :data:`LANGUAGE_SAMPLE_CHARS` characters)."""
    sample = f"{example.prompt}\n\n{example.response[:LANGUAGE_SAMPLE_CHARS]}"
    language = detect_language(sample, seed=seed)
    example = example.with_meta(language=language)
    if language != "en":
        rejects.drop(example, stage=STAGE, rule="not_english", detail=f"detected as {language!r}")
        return None
    return example


# ---------------------------------------------------------------- dataset


def _dataset_examples(
    root: Path,
    path: Path,
    stem: str,
    rows: Iterator[tuple[str, str, str]],
    config: RedditConfig,
    rejects: Rejects,
    seed: int,
    stats: "Counter[str]",
) -> Iterator[Example]:
    """WritingPrompts dataset rows -> pairs (detokenised, same rules as Reddit stories)."""
    origin = path.relative_to(root).as_posix()
    for row_id, raw_prompt, raw_story in rows:
        stats["dataset_rows"] += 1
        tags, prompt = writingprompts.split_tags(writingprompts.detokenize(raw_prompt))
        prompt = scrub(prompt)
        story, part = writingprompts.clean_story(scrub(writingprompts.detokenize(raw_story)))
        meta = {
            **terms_meta(quota=WRITINGPROMPTS, group=WRITINGPROMPTS, split="train", url=SUBREDDIT_URL),
            META_QUALITY: writingprompts.length_quality(len(story), config.max_story_chars),
            "quality_basis": "length_proxy",
            "subreddit": "WritingPrompts",
            "dataset_file": origin,
            "row_id": row_id,
            "prompt_tags": list(tags),
            "chars": len(story),
        }
        example = Example(
            make_id(DATASET_SOURCE_ID, stem, row_id), WRITINGPROMPTS, WRITINGPROMPTS,
            ({"role": "user", "content": prompt}, {"role": "assistant", "content": story}), meta,
        )
        problem = _dataset_problem(tags, prompt, story, part, config)
        if problem is not None:
            rejects.drop(example, stage=STAGE, rule=problem[0], detail=f"{origin} row {row_id}: {problem[1]}")
            continue
        checked = _language_checked(example, rejects, seed)
        if checked is not None:
            rejects.keep(checked, stage=STAGE)
            yield checked


def _dataset_problem(
    tags: tuple[str, ...], prompt: str, story: str, part: "tuple[str, str] | None", config: RedditConfig
) -> "tuple[str, str] | None":
    if not config.include_nsfw and writingprompts.NSFW_TAGS.intersection(tags):
        return "nsfw", "tagged [NSFW]"
    tag_problem = writingprompts.tag_problem(tags)
    if tag_problem is not None:
        return "prompt_tag_not_eligible", tag_problem
    if not prompt:
        return "empty_prompt", "the prompt is only tags"
    if part is not None:
        return part
    if len(story) < config.min_story_chars:
        return "story_too_short", f"{len(story)} chars < {config.min_story_chars}"
    if len(story) > config.max_story_chars:
        return "story_too_long", f"{len(story)} chars > {config.max_story_chars}"
    return None
