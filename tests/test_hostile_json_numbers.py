"""Deep JSON and out-of-range numbers: a counted drop or a one-line InputError, never a crash."""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from pathlib import Path

import pytest

from lima_curate import safe_json
from lima_curate.authoring.importers import parse_jsonl
from lima_curate.config import RedditConfig, StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.numbers import int64_or_none, utc_iso
from lima_curate.records import dumps, numbered_jsonl, read_examples
from lima_curate.rejects import Rejects
from lima_curate.review.decisions import read_decisions
from lima_curate.sources import sni
from lima_curate.sources.reddit import extract as reddit
from lima_curate.sources.reddit import pushshift
from lima_curate.sources.reddit import threads as reddit_threads
from lima_curate.sources.stackexchange import extract as stackexchange
from lima_curate.sources.wikihow import pages as wikihow_html

sys.path.insert(0, str(Path(__file__).parent / "sources" / "stackexchange"))
import se_factory  # noqa: E402

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


# ---------------------------------------------------------------- the one loader


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, "[" * 100_000, "[" * (safe_json.MAX_DEPTH + 1) + "]" * (safe_json.MAX_DEPTH + 1)])
def test_deep_nesting_is_a_json_error_whatever_the_depth(text):
    with pytest.raises(safe_json.JSONError, match="nested deeper than 400 levels"):
        safe_json.loads(text)


def test_nesting_up_to_the_limit_parses_like_json():
    text = "[" * safe_json.MAX_DEPTH + "]" * safe_json.MAX_DEPTH
    assert safe_json.loads(text) == json.loads(text)
    line = '{"a": [1, 2.5, "x", null, true, {"b": []}], "c": -3}'
    assert safe_json.loads(line) == json.loads(line)


def test_bad_json_keeps_its_place_and_huge_integers_are_refused():
    with pytest.raises(safe_json.JSONError) as caught:
        safe_json.loads('{"a": 1,\n "b": }')
    assert caught.value.place == "2:7"
    with pytest.raises(safe_json.JSONError, match="integer"):
        safe_json.loads("[" + "9" * 5000 + "]")


def test_the_depth_limit_holds_deep_in_the_call_stack():
    def nested(levels):
        return safe_json.loads("[" * 300 + "]" * 300) if levels == 0 else nested(levels - 1)

    assert safe_json.nesting_depth(nested(400)) == 300


# ---------------------------------------------------------------- every reader of untrusted JSON


def test_a_deep_jsonl_line_names_its_file_and_line(tmp_path):
    path = tmp_path / "train.jsonl"
    example = {"id": "a", "source": "authored", "messages": [{"role": "user", "content": "Hi?"}]}
    path.write_text(json.dumps(example) + "\n" + DEEP + "\n")
    with pytest.raises(InputError, match=r"train\.jsonl:line 2: not valid JSON \(nested deeper"):
        list(numbered_jsonl(path))
    with pytest.raises(InputError, match="line 2"):
        list(read_examples(path))


def test_a_deep_authored_jsonl_line_is_a_bad_record_finding():
    items, problems = parse_jsonl('{"prompt": "Hi?", "response": "Hello."}\n' + DEEP + "\n", "authored.jsonl")
    assert len(items) == 1
    assert [(p.line, "nested deeper" in p.message) for p in problems] == [(2, True)]


def test_a_deep_review_decision_is_an_input_error(tmp_path):
    path = tmp_path / "sample.review.jsonl"
    path.write_text(DEEP + "\n")
    with pytest.raises(InputError, match=r"sample\.review\.jsonl:1: not valid JSON \(nested deeper"):
        read_decisions(path)


def test_a_deep_ndjson_line_is_a_counted_bad_json_line(tmp_path):
    root = tmp_path / "reddit"
    root.mkdir()
    (root / "WritingPrompts_submissions.ndjson").write_text(
        json.dumps({"id": "s1", "title": "[WP] A title", "subreddit": "WritingPrompts"}) + "\n" + DEEP + "\n"
        + "[" + "9" * 5000 + "]\n"
    )
    bad = [record for _, record in pushshift.iter_records(root / "WritingPrompts_submissions.ndjson")
           if isinstance(record, pushshift.BadLine)]
    assert [(b.line, b.rule) for b in bad] == [(2, "bad_json_line"), (3, "bad_json_line")]
    rejects, stats = Rejects(), Counter()
    list(reddit.extract(root, RedditConfig(), rejects, stats=stats))
    assert stats["bad_json_line"] == 2
    assert rejects.reasons_for("extract")["bad_json_line"] == 2


def test_a_deep_reddit_thread_file_is_an_input_error(tmp_path):
    path = tmp_path / "thread.json"
    path.write_text("[" + DEEP)
    with pytest.raises(InputError, match=r"thread\.json: not valid JSON \(nested deeper"):
        reddit_threads.read_thread(path)


def test_a_deep_sni_task_is_an_input_error(tmp_path):
    path = tmp_path / "task1_deep.json"
    path.write_text('{"Definition": ["x"], "Instances": ' + DEEP + "}")
    with pytest.raises(InputError, match=r"task1_deep\.json: not valid JSON \(nested deeper"):
        sni.read_task(path)


def test_deep_json_ld_in_a_wikihow_page_is_ignored_like_broken_json_ld():
    page = (
        "<html><head><title>How to Boil an Egg - wikiHow</title>"
        f'<script type="application/ld+json">{DEEP}</script></head><body>'
        '<div class="section steps"><div class="step">Fill a pot with water.</div></div></body></html>'
    )
    article = wikihow_html.parse_page(page, "Boil-an-Egg.html", "Boil-an-Egg")
    assert article.title


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300, 2**63, -(2**63) - 1, "9" * 30, "1e5", True, None, "x"])
def test_numbers_out_of_range_are_none(value):
    assert int64_or_none(value) is None


@pytest.mark.parametrize("value, expected", [(12, 12), (12.7, 12), ("-3", -3), (" 42 ", 42), (2**63 - 1, 2**63 - 1)])
def test_numbers_in_range_convert_like_int(value, expected):
    assert int64_or_none(value) == expected


@pytest.mark.parametrize("value", [math.inf, math.nan, 1e300, -1e300, "NaN", "1" * 5000, None, "soon"])
def test_dates_out_of_range_are_unknown(value):
    assert utc_iso(value) == ""


def test_dates_in_range_are_iso():
    assert utc_iso(1461150000) == "2016-04-20T11:00:00Z"
    assert utc_iso("1461150000.5") == "2016-04-20T11:00:00Z"


def test_a_non_finite_float_is_written_as_null_so_every_line_is_json():
    line = dumps({"score": math.inf, "meta": {"x": [math.nan, 1.5]}, "n": 3})
    assert json.loads(line) == {"score": None, "meta": {"x": [None, 1.5]}, "n": 3}


def test_stack_exchange_ids_and_scores_beyond_64_bits_skip_the_row(tmp_path):
    site = tmp_path / "coffee.stackexchange.com"
    se_factory.write_dump(site, [
        se_factory.question(2**63, 50, "Why does a fine grind taste bitter?"),
        se_factory.question(1, 10**30, "How long should coffee steep?"),
        se_factory.question(2, 50, "Why does my espresso taste sour?"),
        se_factory.answer(3, 2, 2**64, owner=2**70),
        se_factory.answer(4, 2, 20, owner=2**70),
        se_factory.answer(2**63 + 5, 2, 30),
    ])
    rejects = Rejects()
    kept = list(stackexchange.extract(tmp_path, StackExchangeConfig(workers=1), rejects))
    assert [e.meta["answer_id"] for e in kept] == [4]


@pytest.mark.parametrize("fields", [
    {"score": math.inf}, {"score": math.nan}, {"score": 1e300}, {"score": 2**64},
    {"created_utc": 1e300}, {"created_utc": math.nan}, {"created_utc": -math.inf},
])
def test_reddit_scores_and_dates_out_of_range_do_not_crash(tmp_path, fields):
    root = tmp_path / "reddit"
    root.mkdir()
    record = {"id": "s1", "name": "t3_s1", "subreddit": "AskReddit", "title": "What is the best way to learn to cook?",
              "selftext": "", "score": 500, "over_18": False, "created_utc": 1461150000, "author": "asker", **fields}
    (root / "AskReddit_submissions.ndjson").write_text(json.dumps(record) + "\n")  # json writes NaN/Infinity as such
    rejects = Rejects()
    examples = list(reddit.extract(root, RedditConfig(min_askreddit_score=100), rejects))
    for row in [*(e.to_dict() for e in examples), *rejects.rows]:
        json.loads(dumps(row), parse_constant=lambda name: pytest.fail(f"{name} written"))
    if "score" in fields:
        assert not examples  # no finite score: below any minimum
    else:
        assert [e.meta.get("created_utc") for e in examples] == [""]
