"""Reddit thread pages (web API layout): walking nested replies and `more` stubs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lima_curate.errors import InputError
from lima_curate.sources.reddit.threads import looks_like_thread, read_thread

SAMPLE = Path(__file__).resolve().parents[3] / "raw" / "reddit" / "threads"


def _count(children: list) -> tuple[int, int]:
    """Independent count of t1 comments and `more` stubs in a comment listing."""
    comments = stubs = 0
    for child in children:
        if child["kind"] == "more":
            stubs += 1
        elif child["kind"] == "t1":
            comments += 1
            replies = child["data"].get("replies")
            if replies:
                c, s = _count(replies["data"]["children"])
                comments, stubs = comments + c, stubs + s
    return comments, stubs


@pytest.mark.realdata
def test_real_threads_walk_every_comment(realdata: Path) -> None:
    files = sorted((realdata / "reddit" / "askreddit_threads_2016-04").glob("*.json"))
    assert len(files) == 17
    total = 0
    for path in files:
        expected_comments, expected_stubs = _count(json.loads(path.read_text(encoding="utf-8"))[1]["data"]["children"])
        thread = read_thread(path)
        assert (len(thread.comments), thread.more_stubs) == (expected_comments, expected_stubs)
        assert thread.submission["subreddit"] == "AskReddit"
        total += len(thread.comments)
    assert total == 3376


@pytest.mark.realdata
def test_trimmed_real_comments_get_their_place_in_the_tree(realdata: Path) -> None:
    path = next((realdata / "reddit" / "askreddit_threads_2016-04").glob("4fbhk7__*.json"))
    thread = read_thread(path)
    first, second = thread.comments[0], thread.comments[1]
    assert first["link_id"] == first["parent_id"] == "t3_4fbhk7" and first["depth"] == 0
    assert first["id"] == "p1" and first["subreddit"] == "AskReddit"
    assert second["depth"] == 1 and second["parent_id"] == "t1_p1"
    assert all(c["parent_id"] == c["link_id"] for c in thread.comments if c["depth"] == 0)
    assert all(c["parent_id"] != c["link_id"] for c in thread.comments if c["depth"] > 0)


def test_sample_thread_keeps_api_ids_and_counts_more_stubs() -> None:
    path = next(SAMPLE.glob("*.json"))
    assert looks_like_thread(path)
    thread = read_thread(path)
    assert thread.submission["id"] == "4g3c01"
    assert [(c["id"], c["depth"]) for c in thread.comments] == [
        ("d2h0b00", 0), ("d2h0b01", 0), ("d2h0b02", 1), ("d2h0b03", 2), ("d2h0b04", 0),
    ]
    assert thread.comments[3]["parent_id"] == "t1_d2h0b02"
    assert (thread.more_stubs, thread.more_hidden) == (2, 12)
    assert all("replies" not in c for c in thread.comments)


def test_ndjson_is_not_a_thread(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    path.write_text('{"id": "a", "title": "x"}\n', encoding="utf-8")
    assert not looks_like_thread(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2", "not valid JSON"),
        ("[]", r"expected \[Listing\(t3\), Listing\(t1\)\]"),
        ('[{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {}}]}}]', "no t3 submission"),
        (
            '[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "a", "title": "t"}}]}},'
            ' {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {}}]}}]',
            "unexpected child kind 't3'",
        ),
    ],
)
def test_not_a_thread_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        read_thread(path)
    assert error.value.path == str(path)


def test_submission_only_page(tmp_path: Path) -> None:
    path = tmp_path / "solo.json"
    path.write_text('[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "a", "title": "t"}}]}}]', encoding="utf-8")
    thread = read_thread(path)
    assert thread.comments == () and thread.submission["id"] == "a"
