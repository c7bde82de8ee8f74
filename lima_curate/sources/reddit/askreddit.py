"""r/AskReddit titles as test prompts (``split`` "test", quota ``askreddit``, the user turn only).

As in the paper, only a title that stands alone as a question is used (:func:`self_contained_problem`).
Edge tags (``[Serious]``) and an address to the whole site (``Reddit, …``) are removed first; an
address to a group (``Teachers of Reddit, …``) stays: it says whose experience the question asks for.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterator

from lima_curate.config import RedditConfig
from lima_curate.numbers import utc_iso
from lima_curate.records import META_QUALITY, Example, make_id
from lima_curate.rules import first_failure
from lima_curate.sources.outcome import Outcome, Rejected
from lima_curate.sources.reddit.items import bare_id, clean_markdown, permalink, score_of, terms_meta
from lima_curate.sources.reddit.rules import QUESTION_RULES, nsfw_measures, submission_deleted
from lima_curate.text.lang import detect_language
from lima_curate.text.scrub import scrub

ASKREDDIT = "askreddit"
MIN_WORDS = 4

_ONE_TAG = re.compile(r"\s*[\[(][^\[\]()]{1,30}[\])]")
_TAG = re.compile(r"[\[(]([^\[\]()]{1,30})[\])]")
_SITE_ADDRESS = re.compile(
    r"^(?:hey|dear|ok(?:ay)?|so)?[\s,]*(?:reddit(?:ors)?|askreddit|r/askreddit|people of reddit)\s*[,:;\-–—]+\s*",
    re.IGNORECASE,
)
_QUESTION_END = re.compile(r"\?[\s\"'”’)\]*_]*$")
_POINTS_ELSEWHERE = re.compile(
    r"\b(?:details?|more|info|explanation|context|story|backstory|question)\s+(?:is\s+|are\s+)?"
    r"(?:inside|within|below|in\s+(?:the\s+)?(?:text|post|comments?|description|body|self\s*text))\b"
    r"|\b(?:see|read|check)\s+(?:the\s+)?(?:text|post|description|body|comments?|below|link|edit)\b"
    r"|\b(?:text|explanation|details?)\s+inside\b|[\[(]\s*long(?:\s+post)?\s*[\])]"
    r"|\bthis\s+(?:picture|pic|photo|image|video|gif|clip|article|link|song|post|thread|sub(?:reddit)?|story)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself|I'm|I've|I'd|I'll)\b")
_WORD = re.compile(r"\b\w+\b")
_META_TAGS = frozenset({"META", "MOD", "MOD POST", "MODPOST", "ANNOUNCEMENT"})
_ELSEWHERE_TAGS = frozenset({"LONG", "LONG POST", "PIC", "PICTURE", "IMAGE", "PHOTO", "VIDEO", "LINK", "DETAILS INSIDE"})


def _edge_tags(text: str) -> "tuple[int, int] | None":
    """The span of the tags (``[Serious]``, ``(NSFW)``) that open ``text``, else of those that
    close it, else None: where ``^(?:\\s*TAG)+\\s*|(?:\\s*TAG)+\\s*$`` matched first, in
    linear time (that expression retried every tag of a long run)."""
    position = 0
    while (tag := _ONE_TAG.match(text, position)) is not None:
        position = tag.end()
    if position:
        return 0, len(text) - len(text[position:].lstrip())
    end = len(text.rstrip())
    start = None
    while end > 0 and text[end - 1] in ")]":
        opener = end - 2
        while opener >= 0 and end - 1 - opener <= 31 and text[opener] not in "[]()":
            opener -= 1
        if opener < 0 or text[opener] not in "([" or not 1 <= end - 2 - opener <= 30:
            break
        start = opener
        while start > 0 and text[start - 1].isspace():
            start -= 1
        end = start
    return None if start is None else (start, len(text))


def clean_title(title: str) -> tuple[str, tuple[str, ...]]:
    """Strip edge tags and a site-wide address; return ``(title, tags)``."""
    tags: list[str] = []
    text = title.strip()
    while (edge := _edge_tags(text)) is not None:
        start, end = edge
        tags.extend(tag.strip() for tag in _TAG.findall(text, start, end))
        text = (text[:start] + " " + text[end:]).strip()
    address = _SITE_ADDRESS.match(text)
    if address and len(text) > address.end():
        text = text[address.end():]
        text = text[0].upper() + text[1:]
    return re.sub(r"\s{2,}", " ", text).strip(), tuple(tags)


def self_contained_problem(title: str, tags: tuple[str, ...], selftext: str, min_words: int = MIN_WORDS) -> "str | None":
    """None when the cleaned ``title`` is a self-contained question, else why not."""
    if any(tag.upper() in _META_TAGS for tag in tags):
        return f"a moderator/meta post [{', '.join(tags)}]"
    if not _QUESTION_END.search(title):
        return "not a question (no question mark at the end)"
    if len(_WORD.findall(title)) < min_words:
        return f"too short to stand alone (fewer than {min_words} words)"
    elsewhere = _POINTS_ELSEWHERE.search(title)
    if elsewhere:
        return f"points to the post or a link: {elsewhere.group(0)!r}"
    pointing = [tag for tag in tags if tag.upper() in _ELSEWHERE_TAGS]
    if pointing:
        return f"points to the post or a link: [{pointing[0]}]"
    if selftext.strip() and _FIRST_PERSON.search(title):
        return "a personal question whose details are in the post's text"
    return None


class AskRedditPrompts:
    """Streaming state: the kept test prompts by submission id (dropped ones are not remembered)."""

    def __init__(self, config: RedditConfig, seed: int, stats: "Counter[str]") -> None:
        self.config, self.seed, self.stats = config, seed, stats
        self.asked: dict[str, Example] = {}

    def add(self, record: "dict[str, Any]", origin: str) -> Iterator[Outcome]:
        """A submission: held as a test prompt, or dropped."""
        sid = bare_id(record.get("id"))
        if not sid or sid in self.asked:
            self.stats["duplicate_submissions" if sid else "submissions_without_id"] += 1
            return
        raw_title = clean_markdown(record.get("title"))
        title, tags = clean_title(raw_title)
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
            "created_utc": utc_iso(record.get("created_utc")),
            "title": raw_title,
            "title_tags": list(tags),
            "file": origin,
        }
        example = Example(make_id("reddit", sid), ASKREDDIT, ASKREDDIT, ({"role": "user", "content": title},), meta)
        measured = {"deleted": submission_deleted(record), **nsfw_measures(record, tags), "score": score}
        measure = {
            "not_self_contained": lambda: {"not_self_contained": self_contained_problem(
                title, tags, clean_markdown(record.get("selftext")), self.config.askreddit_min_words) or ""},
            "language": lambda: {"language": detect_language(title, seed=self.seed)},
        }
        drop = first_failure(measured, QUESTION_RULES, self.config, measure)
        if "language" in measured:
            example = example.with_meta(language=measured["language"])
        if drop is not None:
            yield Rejected.by(drop, example, f"submission {sid}: ")
            return
        self.asked[sid] = example

    def finish(self) -> Iterator[Example]:
        """The kept test prompts, by id."""
        yield from sorted(self.asked.values(), key=lambda example: example.id)
        self.asked.clear()
