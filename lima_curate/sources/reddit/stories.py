"""r/WritingPrompts on Reddit: each eligible prompt paired with its best story.

The prompt is a submission's title without its tags (:data:`.rules.PROMPT_RULES`); its story the
best top-level comment passing :data:`.rules.STORY_RULES` (:meth:`_Story.outranks`), the only one
held per submission while streaming. A dropped submission takes its stories with it, whether they
come before or after it. Quality is the story's score (:data:`.writingprompts.UNSCORED_QUALITY`
without one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from lima_curate.config import RedditConfig
from lima_curate.numbers import utc_iso
from lima_curate.records import META_QUALITY, Example, make_id
from lima_curate.rules import Drop, first_failure
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.reddit.items import bare_id, clean_markdown, permalink, score_of, terms_meta
from lima_curate.sources.reddit.rules import (
    PAIR_RULES,
    PROMPT_RULES,
    STORY_RULES,
    comment_measures,
    nsfw_measures,
    prompt_measures,
    story_measures,
    submission_deleted,
)
from lima_curate.sources.reddit.writingprompts import UNSCORED_QUALITY, clean_story, split_tags
from lima_curate.text.leftovers import repair_entity_residue
from lima_curate.text.lang import detect_language
from lima_curate.text.scrub import scrub

WRITINGPROMPTS = "writingprompts"
EXCERPT_CHARS = 300
LANGUAGE_SAMPLE_CHARS = 1500  # langdetect's time grows with the text; this much decides
STORY_KEYS = ("series_part", "story_chars", "author_notes", "entity_residue")  # measured with the clean story


def decide_pair(
    example: Example, config: RedditConfig, seed: int, measured: "dict[str, Any] | None" = None
) -> Outcome:
    """Add meta ``language`` (of the prompt and the story's first :data:`LANGUAGE_SAMPLE_CHARS`
    characters, as one sample; taken unless ``measured`` has it, and added to ``measured``)
    and decide the pair by :data:`.rules.PAIR_RULES`."""
    measured = {} if measured is None else measured
    sample = f"{example.prompt}\n\n{example.response[:LANGUAGE_SAMPLE_CHARS]}"
    drop = first_failure(measured, PAIR_RULES, config, {"language": lambda: {"language": detect_language(sample, seed=seed)}})
    example = example.with_meta(language=measured["language"])
    return example if drop is None else Rejected.by(drop, example)


def reference_measurements(prompt: str, story: str, seed: int = 0) -> dict[str, Any]:
    """The measurements a reference pair can give (for ``lima-curate calibrate``): the story
    cleaned as the extractor cleans it (:func:`.writingprompts.clean_story`, entities
    decoded), its measures and the pair's language; what only a Reddit item tells (tags,
    flags, score) is None. The prompt is taken as given (tags already removed)."""
    cleaned, part = clean_story(repair_entity_residue(story))
    sample = f"{prompt}\n\n{cleaned[:LANGUAGE_SAMPLE_CHARS]}"
    return {**story_measures(cleaned, part), "prompt_chars": len(prompt), "tag_problem": None, "over_18": None,
            "nsfw_tag": None, "language": detect_language(sample, seed=seed)}


@dataclass(frozen=True, slots=True)
class _Prompt:
    """An eligible submission: only what the pair needs (one per submission is held until
    the end, so it is kept small)."""

    title: str  # unescaped; the prompt is derived from it again when paired
    subreddit: str
    author: Any
    score: "int | None"
    created_utc: Any

    def meta(self, sid: str) -> "dict[str, Any]":
        tags, _ = split_tags(self.title)
        return {
            "submission_id": sid,
            "subreddit": self.subreddit,
            "submission_author": self.author,
            "submission_score": self.score,
            "submission_created_utc": utc_iso(self.created_utc),
            "title": self.title,
            "prompt_tags": list(tags),
        }

    @property
    def prompt(self) -> str:
        return scrub(split_tags(self.title)[1])


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


class _CleanStory:
    """A comment's story text, cleaned when a rule first reads its measurements."""

    def __init__(self, body: Any) -> None:
        self.body, self.text = body, ""

    def measure(self) -> dict[str, Any]:
        self.text, part = clean_story(repair_entity_residue(scrub(clean_markdown(self.body))))
        return story_measures(self.text, part)


class WritingPromptsHarvest:
    """Streaming state: eligible prompts (or why they were dropped) and each one's best story."""

    def __init__(self, config: RedditConfig, seed: int, stats: "Counter[str]") -> None:
        self.config, self.seed, self.stats = config, seed, stats
        self.prompts: dict[str, "_Prompt | Drop"] = {}
        self.reasons: dict[Drop, Drop] = {}  # one shared instance per reason
        self.best: dict[str, _Story] = {}

    def add_prompt(self, record: "dict[str, Any]", origin: str) -> Iterator[Outcome]:
        """A submission: held as a prompt, or dropped (with the stories to come)."""
        sid = bare_id(record.get("id"))
        if not sid or sid in self.prompts:
            self.stats["duplicate_submissions" if sid else "submissions_without_id"] += 1
            return
        title = clean_markdown(record.get("title"))
        tags, rest = split_tags(title)
        entry = _Prompt(title, str(record.get("subreddit")), record.get("author"), score_of(record), record.get("created_utc"))
        measured = {"deleted": submission_deleted(record), **nsfw_measures(record, tags), **prompt_measures(tags, scrub(rest))}
        drop = first_failure(measured, PROMPT_RULES, self.config)
        if drop is None:
            self.prompts[sid] = entry
            return
        self.prompts[sid] = self.reasons.setdefault(drop, drop)
        record = {"id": make_id("reddit", sid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "text": title,
                  "meta": {**entry.meta(sid), "url": permalink(entry.subreddit, sid), "file": origin}}
        yield Rejected.by(drop, record, f"submission {sid}: ")

    def add_story(self, record: "dict[str, Any]", origin: str) -> Iterator[Outcome]:
        """A top-level comment: the submission's best story so far, or dropped."""
        sid, cid = bare_id(record.get("link_id")), bare_id(record.get("id"))
        body = record.get("body")
        measured = comment_measures(record)
        meta = {
            "submission_id": sid,
            "comment_id": cid,
            "subreddit": str(record.get("subreddit")),
            "author": record.get("author"),
            "score": measured["score"],
            "created_utc": utc_iso(record.get("created_utc")),
            "file": origin,
        }
        prompt = self.prompts.get(sid)
        if isinstance(prompt, Drop):
            yield _story_rejected(sid, cid, meta, body, prompt.rule, f"submission {sid}: {prompt.detail}")
            return
        story = _CleanStory(body)
        drop = first_failure(measured, STORY_RULES, self.config, {key: story.measure for key in STORY_KEYS})
        if drop is not None:
            yield _story_rejected(sid, cid, meta, story.text or body, drop.rule,
                                  f"comment {cid} on {sid}: {drop.detail}")
            return
        candidate = _Story(cid, story.text, measured["score"], meta)
        current = self.best.get(sid)
        if current is None or candidate.outranks(current):
            self.best[sid] = candidate
            if current is not None:
                yield self._loser(sid, current, candidate)
        elif current.comment_id != cid:
            yield self._loser(sid, candidate, current)

    def finish(self) -> Iterator[Outcome]:
        """Pair prompts with their best stories: the drops by submission id, then the pairs
        by example id."""
        pairs: list[Example] = []
        for sid in sorted(set(self.prompts) | set(self.best)):
            prompt, story = self.prompts.get(sid), self.best.pop(sid, None)
            if story is not None and not isinstance(prompt, _Prompt):
                drop = Drop("submission_missing", "no file holds the submission") if prompt is None else prompt
                yield _story_rejected(sid, story.comment_id, story.meta, story.text, drop.rule,
                                      f"submission {sid}: {drop.detail}")
            elif isinstance(prompt, _Prompt) and story is None:
                record = {"id": make_id("reddit", sid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS,
                          "text": prompt.prompt, "meta": {**prompt.meta(sid), "url": permalink(prompt.subreddit, sid)}}
                yield Rejected(record, "no_story", f"submission {sid}: no valid top-level story")
            elif isinstance(prompt, _Prompt) and story is not None:
                outcome = decide_pair(self._pair(sid, prompt, story), self.config, self.seed)
                if type(outcome) is Rejected:
                    yield outcome
                else:
                    pairs.append(outcome)
        self.prompts.clear()
        yield from sorted(pairs, key=lambda example: example.id)

    def _pair(self, sid: str, prompt: _Prompt, story: _Story) -> Example:
        quality = float(story.score) if story.score is not None else UNSCORED_QUALITY
        meta = {
            **terms_meta(quota=WRITINGPROMPTS, group=WRITINGPROMPTS, split="train", url=permalink(prompt.subreddit, sid)),
            META_QUALITY: quality,
            "quality_basis": "score" if story.score is not None else "unscored",
            **prompt.meta(sid),
            **story.meta,
            "chars": len(story.text),
        }
        return Example(
            make_id("reddit", sid, story.comment_id), WRITINGPROMPTS, WRITINGPROMPTS,
            ({"role": "user", "content": prompt.prompt}, {"role": "assistant", "content": story.text}), meta,
        )

    @staticmethod
    def _loser(sid: str, loser: _Story, winner: _Story) -> Rejected:
        return _story_rejected(sid, loser.comment_id, loser.meta, loser.text, "not_best_story",
                               f"submission {sid}: comment {winner.comment_id} (score {winner.score}) ranks higher")


def _story_rejected(sid: str, cid: str, meta: "dict[str, Any]", text: Any, rule: str, detail: str) -> Rejected:
    """A comment's drop, with an excerpt of its text."""
    record = {"id": make_id("reddit", sid, cid), "source": WRITINGPROMPTS, "domain": WRITINGPROMPTS, "meta": meta,
              "text": str(text or "")[:EXCERPT_CHARS]}
    return Rejected(record, rule, detail)
