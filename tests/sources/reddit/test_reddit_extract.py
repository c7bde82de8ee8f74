"""The Reddit extractor end to end: r/WritingPrompts pairs, r/AskReddit test prompts, rules."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import zstandard

from lima_curate.config import RedditConfig
from lima_curate.errors import InputError
from lima_curate.records import dumps, make_id, write_jsonl
from lima_curate.rejects import Rejects
from lima_curate.sources.reddit.extract import extract
from lima_curate.sources.reddit.files import discover
from lima_curate.sources.reddit.rules import DATASET_RULES, PAIR_RULES

SAMPLE = Path(__file__).resolve().parents[3] / "raw" / "reddit"
T0 = 1461150000

PARAGRAPH = (
    "The lighthouse keeper climbed the stairs every evening and wound the clockwork by hand. "
    "She counted the seconds between flashes and wrote them in a notebook that nobody read. "
    "When the storm came she kept the lamp burning until morning, and a small boat found its way home."
)
STORY = "\n\n".join([PARAGRAPH] * 6).strip()  # about 1700 characters of English


def submission(sid: str, title: str = "[WP] A keeper counts the seconds between flashes.", **fields) -> dict:
    return {"id": sid, "name": f"t3_{sid}", "subreddit": fields.pop("subreddit", "WritingPrompts"), "title": title,
            "selftext": "", "score": 500, "over_18": False, "created_utc": T0, "author": "prompter", **fields}


def comment(cid: str, sid: str, body: str = STORY, **fields) -> dict:
    return {"id": cid, "name": f"t1_{cid}", "subreddit": fields.pop("subreddit", "WritingPrompts"), "link_id": f"t3_{sid}",
            "parent_id": fields.pop("parent_id", f"t3_{sid}"), "body": body, "score": 100, "created_utc": T0 + 60,
            "author": "writer", "distinguished": None, "stickied": False, **fields}


def ndjson(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def run(root: Path, config: RedditConfig = RedditConfig(), **kwargs):
    rejects, stats = Rejects(), Counter()
    examples = list(extract(root, config, rejects, stats=stats, **kwargs))
    return examples, rejects, stats


def dropped(rejects: Rejects) -> dict[str, str]:
    """id -> rule of every drop."""
    return {row["id"]: row["rule"] for row in rejects.rows}


def one_pair(tmp_path: Path, subs: list, comments: list, config: RedditConfig = RedditConfig()):
    ndjson(tmp_path / "WritingPrompts_submissions.ndjson", subs)
    ndjson(tmp_path / "WritingPrompts_comments.ndjson", comments)
    return run(tmp_path, config)


# ---------------------------------------------------------------- r/WritingPrompts


def test_a_valid_story_makes_a_pair_with_provenance(tmp_path: Path) -> None:
    examples, rejects, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s1")])
    assert len(examples) == 1 and rejects.rows == []
    example = examples[0]
    assert example.id == make_id("reddit", "s1", "c1")
    assert (example.source, example.domain) == ("writingprompts", "writingprompts")
    assert example.prompt == "A keeper counts the seconds between flashes."
    assert example.response == STORY
    meta = example.meta
    assert meta["quota"] == meta["group"] == "writingprompts" and meta["split"] == "train"
    assert meta["license"] == "Reddit User Agreement (user content)"
    assert meta["noncommercial"] is True and meta["terms"] == "reddit"
    assert meta["url"] == "https://www.reddit.com/r/WritingPrompts/comments/s1/"
    assert meta["quality"] == 100.0 and meta["quality_basis"] == "score"
    assert (meta["author"], meta["submission_id"], meta["comment_id"]) == ("writer", "s1", "c1")
    assert meta["created_utc"] == "2016-04-20T11:01:00Z" and meta["subreddit"] == "WritingPrompts"
    assert meta["language"] == "en" and meta["prompt_tags"] == ["WP"]
    assert rejects.kept[("writingprompts", "extract")] == 1


def test_best_story_wins_and_the_others_are_named(tmp_path: Path) -> None:
    longer = STORY + "\n\nThe end came quietly."
    comments = [
        comment("c1", "s1", score=50),
        comment("c2", "s1", score=300),
        comment("c3", "s1", score=300, body=longer),  # same score, longer: wins
        comment("c4", "s1", score=10),
    ]
    examples, rejects, _ = one_pair(tmp_path, [submission("s1")], comments)
    assert [e.meta["comment_id"] for e in examples] == ["c3"]
    assert sorted(row["id"] for row in rejects.rows if row["rule"] == "not_best_story") == sorted(
        make_id("reddit", "s1", c) for c in ("c1", "c2", "c4")
    )


def test_ties_go_to_the_smaller_comment_id(tmp_path: Path) -> None:
    examples, _, _ = one_pair(tmp_path, [submission("s1")], [comment("c9", "s1"), comment("c10", "s1"), comment("c8", "s1")])
    assert examples[0].meta["comment_id"] == "c8"


def test_replies_are_not_stories(tmp_path: Path) -> None:
    examples, rejects, stats = one_pair(
        tmp_path, [submission("s1")], [comment("c1", "s1", parent_id="t1_c0", score=999), comment("c2", "s1")]
    )
    assert [e.meta["comment_id"] for e in examples] == ["c2"]
    assert stats["writingprompts_replies_skipped"] == 1 and rejects.rows == []


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"author": "AutoModerator"}, "automoderator"),
        ({"distinguished": "moderator"}, "moderator_comment"),
        ({"stickied": True}, "moderator_comment"),
        ({"body": "[removed]"}, "deleted_or_removed"),
        ({"body": "[deleted]"}, "deleted_or_removed"),
        ({"body": "Part 2\n\n" + STORY}, "story_is_part"),
        ({"body": STORY + "\n\nPart 3 in the replies!"}, "story_is_part"),
        ({"body": "The end came quickly."}, "story_too_short"),
        ({"body": STORY + "\n\nThis is my first time posting here, so be gentle.\n\n" + PARAGRAPH}, "author_note"),
        ({"body": STORY * 3}, "story_too_long"),
        ({"score": 3}, "story_score_below_min"),
    ],
)
def test_comment_rules_drop(tmp_path: Path, fields: dict, rule: str) -> None:
    examples, rejects, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s1", **fields)])
    assert examples == []
    assert dropped(rejects) == {make_id("reddit", "s1", "c1"): rule, make_id("reddit", "s1"): "no_story"}
    row = rejects.rows[0]
    assert row["source"] == "writingprompts" and row["stage"] == "extract" and "comment c1 on s1" in row["detail"]


def test_author_deleted_with_intact_story_keeps(tmp_path: Path) -> None:
    examples, _, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s1", author="[deleted]")])
    assert len(examples) == 1 and examples[0].meta["author"] == "[deleted]"


def test_story_thresholds_come_from_config(tmp_path: Path) -> None:
    config = replace(RedditConfig(), min_story_chars=100, max_story_chars=400, min_story_score=1)
    examples, _, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s1", body=PARAGRAPH, score=2)], config)
    assert len(examples) == 1


def test_unknown_score_skips_the_score_rule_and_ranks_below_scored_stories(tmp_path: Path) -> None:
    story = comment("c1", "s1")
    del story["score"]
    examples, _, _ = one_pair(tmp_path, [submission("s1")], [story])
    assert examples[0].meta["quality_basis"] == "unscored"
    assert examples[0].meta["quality"] == 0.0


def test_html_entities_left_in_a_story_are_decoded(tmp_path: Path) -> None:
    story = comment("c1", "s1", body=STORY.replace("every evening", "every&amp;nbsp;evening"))
    examples, _, _ = one_pair(tmp_path, [submission("s1")], [story])
    assert "every evening" in examples[0].response and "nbsp" not in examples[0].response


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"selftext": "[removed]"}, "deleted_or_removed"),
        ({"removed_by_category": "moderator"}, "deleted_or_removed"),
        ({"over_18": True}, "nsfw"),
        ({"title": "[WP] [NSFW] A dark prompt about the sea."}, "nsfw"),
        ({"title": "[IP] The Drowned Library"}, "prompt_tag_not_eligible"),
        ({"title": "[OT] Feedback thread"}, "prompt_tag_not_eligible"),
        ({"title": "Looking for beta readers"}, "prompt_tag_not_eligible"),
        ({"title": "[WP]"}, "empty_prompt"),
    ],
)
def test_submission_rules_drop_the_prompt_and_its_stories(tmp_path: Path, fields: dict, rule: str) -> None:
    examples, rejects, _ = one_pair(tmp_path, [submission("s1", **fields)], [comment("c1", "s1")])
    assert examples == []
    assert dropped(rejects) == {make_id("reddit", "s1"): rule, make_id("reddit", "s1", "c1"): rule}


def test_stories_read_before_their_submission_follow_its_fate(tmp_path: Path) -> None:
    ndjson(tmp_path / "mixed.ndjson", [comment("c1", "s1"), comment("c2", "s2"), submission("s1", over_18=True), submission("s2")])
    examples, rejects, _ = run(tmp_path)
    assert [e.meta["comment_id"] for e in examples] == ["c2"]
    assert dropped(rejects) == {make_id("reddit", "s1"): "nsfw", make_id("reddit", "s1", "c1"): "nsfw"}


def test_include_nsfw_keeps_over_18(tmp_path: Path) -> None:
    config = replace(RedditConfig(), include_nsfw=True)
    examples, _, _ = one_pair(tmp_path, [submission("s1", over_18=True)], [comment("c1", "s1")], config)
    assert len(examples) == 1


def test_story_without_its_submission_and_prompt_without_a_story(tmp_path: Path) -> None:
    examples, rejects, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s0")])
    assert examples == []
    assert dropped(rejects) == {make_id("reddit", "s0", "c1"): "submission_missing", make_id("reddit", "s1"): "no_story"}


def test_not_english_story_drops(tmp_path: Path) -> None:
    spanish = "\n\n".join(
        ["El faro llevaba cuarenta años apagado cuando mi abuela decidió volver a encenderlo. Nadie en el pueblo "
         "entendía por qué, pero ella subió los escalones cada noche con una lata de aceite y mucha paciencia."] * 8
    )
    examples, rejects, _ = one_pair(tmp_path, [submission("s1")], [comment("c1", "s1", body=spanish)])
    assert examples == [] and dropped(rejects) == {make_id("reddit", "s1", "c1"): "not_english"}


def test_text_is_unescaped_and_scrubbed_authors_stay_in_meta(tmp_path: Path) -> None:
    body = (
        "Salt &amp; pepper, said the keeper to u/quietharbor, and she wrote to keeper@example.org "
        "about [the chart](https://example.com/chart) at https://example.com/x today.\n\n" + STORY
    )
    examples, _, _ = one_pair(tmp_path, [submission("s1", title="[WP] Salt &amp; light", author="prompter")], [comment("c1", "s1", body=body)])
    text = examples[0].response
    assert text.startswith("Salt & pepper, said the keeper to, and she wrote to about the chart at today.")
    assert "example" not in text and "u/" not in text
    assert examples[0].prompt == "Salt & light"
    assert examples[0].meta["submission_author"] == "prompter" and examples[0].meta["author"] == "writer"


def test_overlapping_dumps_give_each_pair_once(tmp_path: Path) -> None:
    ndjson(tmp_path / "a" / "RS_2016-04.ndjson", [submission("s1")])
    ndjson(tmp_path / "b" / "WritingPrompts_submissions.ndjson", [submission("s1", score=9999)])
    ndjson(tmp_path / "a" / "RC_2016-04.ndjson", [comment("c1", "s1")])
    ndjson(tmp_path / "b" / "WritingPrompts_comments.ndjson", [comment("c1", "s1")])
    examples, rejects, stats = run(tmp_path)
    assert [e.id for e in examples] == [make_id("reddit", "s1", "c1")]
    assert examples[0].meta["submission_score"] == 500  # the first file in sorted order wins
    assert stats["duplicate_submissions"] == 1 and rejects.rows == []


# ---------------------------------------------------------------- r/AskReddit


def ask(sid: str, title: str, **fields) -> dict:
    return submission(sid, title, subreddit="AskReddit", **fields)


def test_askreddit_titles_become_test_prompts(tmp_path: Path) -> None:
    ndjson(tmp_path / "AskReddit_submissions.ndjson", [ask("a1", "[Serious] Reddit, what is a skill you learned late in life?", score=2500)])
    ndjson(tmp_path / "AskReddit_comments.ndjson", [comment("k1", "a1", subreddit="AskReddit")])
    examples, rejects, _ = run(tmp_path)
    assert rejects.rows == [] and len(examples) == 1
    example = examples[0]
    assert example.id == make_id("reddit", "a1")
    assert (example.source, example.domain) == ("askreddit", "askreddit")
    assert example.messages == ({"role": "user", "content": "What is a skill you learned late in life?"},)
    assert example.meta["split"] == "test" and example.meta["quota"] == "askreddit"
    assert example.meta["quality"] == 2500.0 and example.meta["title_tags"] == ["Serious"]
    assert example.meta["url"] == "https://www.reddit.com/r/AskReddit/comments/a1/"
    assert example.meta["terms"] == "reddit" and example.meta["noncommercial"] is True


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"score": 99}, "askreddit_score_below_min"),
        ({"score": None}, "askreddit_score_below_min"),
        ({"title": "Tell me about your favourite meal"}, "askreddit_not_self_contained"),
        ({"title": "What do you think of this picture?"}, "askreddit_not_self_contained"),
        ({"over_18": True}, "nsfw"),
        ({"title": "[NSFW] What is the strangest thing you found in a hotel room?"}, "nsfw"),
        ({"selftext": "[deleted]", "title": "[deleted by user]"}, "deleted_or_removed"),
        ({"title": "¿Cuál es el mejor consejo que te dio tu abuela cuando eras niño?"}, "not_english"),
    ],
)
def test_askreddit_rules_drop(tmp_path: Path, fields: dict, rule: str) -> None:
    fields = {"score": 1000, "title": "What is a skill you learned late in life?", **fields}
    ndjson(tmp_path / "AskReddit_submissions.ndjson", [ask("a1", **fields)])
    examples, rejects, _ = run(tmp_path)
    assert examples == [] and dropped(rejects) == {make_id("reddit", "a1"): rule}
    assert rejects.rows[0]["source"] == "askreddit"


def test_askreddit_score_threshold_comes_from_config(tmp_path: Path) -> None:
    ndjson(tmp_path / "AskReddit_submissions.ndjson", [ask("a1", "What is a skill you learned late in life?", score=20)])
    assert len(run(tmp_path, replace(RedditConfig(), min_askreddit_score=10))[0]) == 1


# ---------------------------------------------------------------- bad input


def test_bad_lines_are_named_drops_with_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(submission("s1")).encode()
    path = tmp_path / "dump" / "RS_2016-04.ndjson"
    path.parent.mkdir()
    path.write_bytes(b"\n".join([good, b'{"id": "cut", "ti', b'{"title": "caf\xe9"}', b'{"kind": "t5"}']) + b"\n")
    ndjson(tmp_path / "RC_2016-04.ndjson", [comment("c1", "s1")])
    examples, rejects, _ = run(tmp_path)
    assert len(examples) == 1
    assert {(row["rule"], row["id"]) for row in rejects.rows} == {
        ("bad_json_line", "dump/RS_2016-04.ndjson:2"),
        ("invalid_utf8", "dump/RS_2016-04.ndjson:3"),
        ("unknown_record", "dump/RS_2016-04.ndjson:4"),
    }
    assert all(row["source"] == "reddit" for row in rejects.rows)


def test_truncated_zst_fails_and_nothing_is_written(tmp_path: Path) -> None:
    root = tmp_path / "reddit"
    ndjson(root / "WritingPrompts_submissions.ndjson", [submission("s1")])
    blob = zstandard.ZstdCompressor(write_checksum=True).compress(
        "".join(json.dumps(comment(f"c{i}", "s1")) + "\n" for i in range(40)).encode()
    )
    (root / "WritingPrompts_comments.zst").write_bytes(blob[: len(blob) - 20])
    out = tmp_path / "out" / "candidates.jsonl"
    with pytest.raises(InputError, match="truncated") as error:
        write_jsonl(out, extract(root, RedditConfig(), Rejects()))
    assert "WritingPrompts_comments.zst" in str(error.value)
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_empty_files_give_nothing(tmp_path: Path) -> None:
    for name in ("RS_2016-04.ndjson", "empty.json", "RC_2016-05"):
        (tmp_path / name).write_bytes(b"")
    examples, rejects, stats = run(tmp_path)
    assert examples == [] and rejects.rows == [] and stats["lines"] == 0


def test_missing_folder_and_unpaired_dataset_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        run(tmp_path / "absent")
    (tmp_path / "train.wp_target").write_text("story\n", encoding="utf-8")
    with pytest.raises(InputError, match="no matching train.wp_source"):
        run(tmp_path)


def test_discovery_orders_submission_files_first_and_skips_others(tmp_path: Path) -> None:
    for name in ("z/RC_2016-04.zst", "a/RC_2016-03", "z/RS_2016-04.zst", "x_submissions", "notes.txt", "README.md", ".hidden/RS_1.ndjson"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "t.json").write_text("[]", encoding="utf-8")
    layout = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in layout.dumps] == [
        "x_submissions", "z/RS_2016-04.zst", "a/RC_2016-03", "z/RC_2016-04.zst",
    ]
    assert [p.name for p in layout.threads] == ["t.json"]


# ---------------------------------------------------------------- the shipped sample


def test_sample_folder() -> None:
    examples, rejects, stats = run(SAMPLE)
    kept = {(e.source, e.meta.get("submission_id") or e.meta.get("row_id")) for e in examples}
    assert kept == {
        ("writingprompts", "4g1a01"), ("writingprompts", "4g1a02"), ("writingprompts", "4g1a08"),
        ("writingprompts", "4g3c01"), ("writingprompts", "900001"), ("writingprompts", "1"),
        ("askreddit", "4g2b01"), ("askreddit", "4g2b02"), ("askreddit", "4g2b03"),
    }
    assert set(rejects.reasons_for("extract")) == {
        "bad_json_line", "deleted_or_removed", "nsfw", "prompt_tag_not_eligible", "automoderator", "moderator_comment",
        "story_is_part", "story_too_short", "story_too_long", "author_note", "story_score_below_min", "not_best_story",
        "submission_missing", "no_story", "not_english", "askreddit_score_below_min", "askreddit_not_self_contained",
    }
    lighthouse = next(e for e in examples if e.meta.get("submission_id") == "4g1a01")
    assert lighthouse.meta["comment_id"] == "d2f0a02"
    assert lighthouse.response.endswith("even though I knew no one would.")  # notes stripped
    assert "Edit" not in lighthouse.response and "r/Tidewater" not in lighthouse.response
    assert all(150 <= len(e.response) <= 2100 for e in examples if e.source == "writingprompts")
    assert stats["more_stubs"] == 2 and stats["bad_json_line"] == 1


def test_sample_output_is_deterministic() -> None:
    first, second = run(SAMPLE), run(SAMPLE)
    assert [dumps(e.to_dict()) for e in first[0]] == [dumps(e.to_dict()) for e in second[0]]
    assert [dumps(row) for row in first[1].rows] == [dumps(row) for row in second[1].rows]


def test_sample_dataset_can_be_switched_off(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE / "writingprompts", tmp_path / "writingprompts")
    examples, _, _ = run(tmp_path, replace(RedditConfig(), writingprompts_dataset=False))
    assert examples == []


# ---------------------------------------------------------------- real data


@pytest.mark.slow
@pytest.mark.realdata
def test_real_reddit_folder(realdata: Path) -> None:
    root = realdata / "reddit"
    examples, rejects, stats = run(root)
    lines = [json.loads(line) for p in sorted((root / "pushshift_ndjson").glob("*.ndjson"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert stats["lines"] == len(lines) == 58
    assert stats["threads"] == 17
    assert stats["submissions"] == sum("title" in r for r in lines) + 17 == 31 + 17
    assert stats["comments"] == sum("body" in r for r in lines) + 3376 == 27 + 3376
    assert stats["dataset_rows"] == 500

    questions = {e.meta["submission_id"]: e for e in examples if e.source == "askreddit"}
    assert len(questions) == 16
    assert questions["4fbhk7"].prompt == "What is the best one liner joke you've ever heard?"
    assert questions["4f3yh4"].prompt == "What is the best unexplained mystery?"
    assert questions["4fdzvw"].prompt == "What is the most unsettling declassified information available to us today?"
    assert all(e.meta["split"] == "test" and len(e.messages) == 1 for e in questions.values())
    assert "4f6xgt" not in questions
    assert dropped(rejects)[make_id("reddit", "4f6xgt")] == "nsfw"

    stories = [e for e in examples if e.source == "writingprompts"]
    assert stories and all(e.id.startswith("writingprompts_dataset-") for e in stories)
    assert all(e.meta["split"] == "train" and e.meta["quality_basis"] == "unscored" for e in stories)
    assert all(150 <= len(e.response) <= 2100 and "& nbsp;" not in e.response for e in stories)
    dad = next(row for row in rejects.rows if row["record"].get("meta", {}).get("row_id") == "128574")
    assert dad["rule"] == "story_too_long"  # 2,900 characters: longer than LIMA's stories
    assert dad["record"]["messages"][0]["content"] == '"Dad, why can\'t Mom come with us?"'
    assert dad["id"] == make_id("writingprompts_dataset", "writing_prompts_train_subset_500", "128574")
    dataset_drops = [row for row in rejects.rows if row["id"].startswith("writingprompts_dataset-")]
    assert len(stories) + len(dataset_drops) == 500  # every dataset row is kept or named
    assert {row["rule"] for row in dataset_drops} <= {r.name for r in (*DATASET_RULES, *PAIR_RULES)}
