"""Reddit thread pages as the web API returns them (``…/comments/<id>/.json``):
``[Listing(t3 submission), Listing(t1 comments)]``, flattened depth first into the plain dicts a
Pushshift dump holds. ``more`` stubs are counted, not fetched. What a trimmed page lacks is filled
in from the tree: ``link_id``, ``parent_id``, ``subreddit``, ``depth``, and an ``id`` from the
comment's position (``p1``, ``p2`` …), so that one file always gives the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lima_curate import safe_json
from lima_curate.errors import InputError
from lima_curate.numbers import int64_or_none


@dataclass(frozen=True)
class Thread:
    """One thread page: its submission, every loaded comment, and the ``more`` stubs."""

    submission: "dict[str, Any]"
    comments: "tuple[dict[str, Any], ...]"
    more_stubs: int
    more_hidden: int  # how many comments the stubs say they stand for


def looks_like_thread(path: Path) -> bool:
    """True when the file's first non-blank byte opens a JSON array (not NDJSON)."""
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def read_thread(path: Path) -> Thread:
    """Parse a thread ``.json`` file; raise InputError when it is not that layout."""
    path = Path(path)
    try:
        data = safe_json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise InputError(path, "not UTF-8 text", f"byte {error.start}") from None
    except safe_json.JSONError as error:
        raise InputError(path, f"not valid JSON ({error.msg})", error.place) from None
    try:
        submission_listing, comment_listing = data[0], (data[1] if len(data) > 1 else None)
        first = submission_listing["data"]["children"][0]
    except (KeyError, IndexError, TypeError):
        raise InputError(path, "not a Reddit thread: expected [Listing(t3), Listing(t1)]") from None
    if not isinstance(first, dict) or first.get("kind") != "t3" or not isinstance(first.get("data"), dict):
        raise InputError(path, "not a Reddit thread: the first listing holds no t3 submission")
    submission = first["data"]
    link_id = "t3_" + str(submission.get("id") or "")
    state = _WalkState(link_id, submission.get("subreddit"))
    comments: list[dict[str, Any]] = []
    if comment_listing is not None:
        comments.extend(_walk(_children(comment_listing, path), path, state, link_id, depth=0))
    return Thread(submission, tuple(comments), state.stubs, state.hidden)


class _WalkState:
    def __init__(self, link_id: str, subreddit: Any) -> None:
        self.link_id = link_id
        self.subreddit = subreddit
        self.position = 0
        self.stubs = 0
        self.hidden = 0


def _children(listing: Any, path: Path) -> "list[Any]":
    if listing in ("", None):
        return []
    try:
        children = listing["data"]["children"]
    except (KeyError, TypeError):
        raise InputError(path, "not a Reddit thread: a replies value is not a Listing") from None
    if not isinstance(children, list):
        raise InputError(path, "not a Reddit thread: Listing children is not a list")
    return children


def _walk(children: "list[Any]", path: Path, state: _WalkState, parent_id: str, depth: int) -> Iterator["dict[str, Any]"]:
    for child in children:
        kind = child.get("kind") if isinstance(child, dict) else None
        data = child.get("data") if isinstance(child, dict) else None
        if kind == "more":
            state.stubs += 1
            state.hidden += max(int64_or_none((data or {}).get("count")) or 0, 0)
            continue
        if kind != "t1" or not isinstance(data, dict):
            raise InputError(path, f"not a Reddit thread: unexpected child kind {kind!r} in a comment listing")
        state.position += 1
        comment = {key: value for key, value in data.items() if key != "replies"}
        comment.setdefault("id", str(data.get("name") or "")[3:] or f"p{state.position}")
        comment.setdefault("link_id", state.link_id)
        comment.setdefault("parent_id", parent_id)
        if not comment.get("subreddit"):
            comment["subreddit"] = state.subreddit
        comment["depth"] = depth
        yield comment
        yield from _walk(_children(data.get("replies"), path), path, state, "t1_" + str(comment["id"]), depth + 1)
