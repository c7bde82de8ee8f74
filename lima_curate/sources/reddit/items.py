"""Reddit items as both Pushshift dumps and the web API spell them: kinds, fields, provenance.

A *submission* has a ``title``; a *comment* has ``body``, ``link_id`` (``t3_<submission>``)
and ``parent_id`` (``t3_…`` for a top-level comment, ``t1_…`` for a reply). Text fields
arrive HTML-escaped (``&amp;``, ``&gt;``) and are unescaped here.
"""

from __future__ import annotations

import html
import re
from typing import Any

from lima_curate.numbers import int64_or_none
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUOTA,
    META_SPLIT,
    META_TERMS,
    META_URL,
)

LICENSE = "Reddit User Agreement (user content)"
TERMS = "reddit"

SUBMISSION = "submission"
COMMENT = "comment"

DELETED_TEXTS = frozenset({"[deleted]", "[removed]", "[deleted by user]", "[removed by reddit]"})

_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\ufeff]")
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]+$", re.MULTILINE)  # from the run's start: linear
_BLANK_LINES = re.compile(r"\n{3,}")


def kind_of(record: "dict[str, Any]") -> "str | None":
    """``"submission"``, ``"comment"`` or None for anything else."""
    if "body" in record and "link_id" in record and "parent_id" in record:
        return COMMENT
    if "title" in record:
        return SUBMISSION
    return None


def bare_id(value: Any) -> str:
    """``"t3_abc"`` -> ``"abc"``; ids without a type prefix are returned as they are."""
    text = str(value or "")
    return text[3:] if len(text) > 3 and text[0] == "t" and text[2] == "_" else text


def is_top_level(comment: "dict[str, Any]") -> bool:
    """A direct answer to the submission, not a reply to another comment."""
    return comment.get("parent_id") == comment.get("link_id")


def is_deleted(text: Any) -> bool:
    return str(text or "").strip().lower() in DELETED_TEXTS


def is_removed_submission(submission: "dict[str, Any]") -> bool:
    """Deleted by its author or removed by moderators / Reddit."""
    return (
        is_deleted(submission.get("title"))
        or is_deleted(submission.get("selftext"))
        or bool(submission.get("removed_by_category"))
    )


def clean_markdown(text: Any) -> str:
    """Unescape HTML entities, drop zero-width characters, trim line ends and blank runs."""
    out = html.unescape(str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    out = _ZERO_WIDTH.sub("", out).replace("\xa0", " ")
    out = _TRAILING_SPACE.sub("", out)
    return _BLANK_LINES.sub("\n\n", out).strip()


def score_of(record: "dict[str, Any]") -> "int | None":
    """The item's score, or None when the record has none (or no finite 64-bit one)."""
    return int64_or_none(record.get("score"))


def permalink(subreddit: str, submission_id: str) -> str:
    return f"https://www.reddit.com/r/{subreddit}/comments/{submission_id}/"


def terms_meta(*, quota: str, group: str, split: str, url: str) -> "dict[str, Any]":
    """The meta every Reddit item carries: licence, terms, quota, group, split and URL."""
    return {
        META_LICENSE: LICENSE,
        META_NONCOMMERCIAL: True,
        META_TERMS: TERMS,
        META_QUOTA: quota,
        META_GROUP: group,
        META_SPLIT: split,
        META_URL: url,
    }
