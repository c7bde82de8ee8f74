"""r/WritingPrompts tags, story clean-up, detokenising, and the dataset file readers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lima_curate.errors import InputError
from lima_curate.sources.reddit.writingprompts import (
    STORY_IS_PART,
    clean_story,
    detokenize,
    iter_dataset_csv,
    iter_dataset_pairs,
    split_tags,
    tag_problem,
)

# ---------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("title", "tags", "rest"),
    [
        ("[WP] A dragon opens a bank.", ("WP",), "A dragon opens a bank."),
        ("[ WP ] A dragon opens a bank .", ("WP",), "A dragon opens a bank ."),
        ("[wp]A dragon", ("WP",), "A dragon"),
        ("(EU) - Holmes in space", ("EU",), "Holmes in space"),
        ("[WP/EU] Crossover", ("WP", "EU"), "Crossover"),
        ("[ FF ] [ MP ] A Song", ("FF", "MP"), "A Song"),
        ("[WP] [NSFW] Dark", ("WP", "NSFW"), "Dark"),
        ("Writing Prompt: no tag", (), "Writing Prompt: no tag"),
        ("A [WP] tag not at the start", (), "A [WP] tag not at the start"),
    ],
)
def test_split_tags(title: str, tags: tuple, rest: str) -> None:
    assert split_tags(title) == (tags, rest)


@pytest.mark.parametrize("tags", [("WP",), ("EU",), ("TT",), ("CW",), ("SP",), ("RF",), ("WP", "EU"), ("WP", "NSFW")])
def test_eligible_tags_keep(tags: tuple) -> None:
    assert tag_problem(tags) is None


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        (("IP",), "image prompt"),
        (("MP",), "media prompt"),
        (("OT",), "off topic"),
        (("PI",), "prompt inspired"),
        (("WP", "IP"), "image prompt"),
        (("XYZ",), "unknown tag [XYZ]"),
        ((), "untagged"),
        (("NSFW",), "untagged"),
    ],
)
def test_ineligible_tags_drop(tags: tuple, reason: str) -> None:
    problem = tag_problem(tags)
    assert problem is not None and reason in problem


# ---------------------------------------------------------------- stories

STORY = "The lamp turned.\n\nShe counted twelve."


@pytest.mark.parametrize(
    "notes",
    [
        "---\n\nEdit: thanks for the gold, kind stranger!",
        "**EDIT 2:** fixed a typo",
        "Thanks for reading!",
        "Thank you all for the kind words and the awards",
        "Constructive criticism welcome.",
        "If you liked this, more at r/TidewaterTales",
        "Word count: 498",
        "* * *\n\nPS: this was fun",
    ],
)
def test_trailing_notes_are_stripped(notes: str) -> None:
    assert clean_story(f"{STORY}\n\n{notes}") == (STORY, None)


@pytest.mark.parametrize("note", ["Edit: formatting", "First time posting, be gentle!", "Thanks for the prompt!"])
def test_leading_notes_are_stripped(note: str) -> None:
    assert clean_story(f"{note}\n\n{STORY}") == (STORY, None)


def test_notes_inside_the_story_stay() -> None:
    text = "The log began.\n\nUpdate: the creature is back.\n\nIt ended."
    assert clean_story(text) == (text, None)


def test_long_paragraph_is_story_whatever_it_starts_with() -> None:
    text = "Thanks for reading my letter, " + " ".join(["she wrote, and the words went on"] * 14) + "\n\nEnd."
    assert clean_story(text) == (text, None)


@pytest.mark.parametrize(
    "text",
    [
        "Part 2\n\nThe story went on.",
        "**Part II**\n\nThe story went on.",
        "Chapter 3: The Return\n\nThe story went on.",
        "(2/3)\n\nThe story went on.",
        "Continued from my last post.\n\nThe story went on.",
        "The story began.\n\nPart 2 below!",
        "The story began.\n\nContinued in the replies",
        "The story began.\n\n*To be continued...*",
        "The story began.\n\n[cont in reply]",
        "The story began.\n\n(1/2)",
    ],
)
def test_parts_of_a_series_drop(text: str) -> None:
    _, problem = clean_story(text)
    assert problem is not None and problem[0] == STORY_IS_PART


@pytest.mark.parametrize(
    "text",
    [
        "The part of the town where I grew up.\n\nWe left.",
        "I continued on to the subway, feeling better.",
        "Twelve o'clock, 3/4 of the way home.",
    ],
)
def test_ordinary_first_and_last_lines_keep(text: str) -> None:
    assert clean_story(text)[1] is None


def test_unscored_stories_share_one_quality_below_any_scored_one() -> None:
    from lima_curate.sources.reddit.writingprompts import UNSCORED_QUALITY

    assert UNSCORED_QUALITY < 1  # a scored story's quality is its score, at least min_story_score


# ---------------------------------------------------------------- detokenising


@pytest.mark.parametrize(
    ("tokenised", "text"),
    [
        ("I do n't know , and I ca n't say .", "I don't know, and I can't say."),
        ("It 's fine ; they 're here : we 've won !", "It's fine; they're here: we've won!"),
        ("He said `` hello '' and left .", 'He said "hello" and left.'),
        ("`` Dad , why ca n't Mom come with us ? ''", '"Dad, why can\'t Mom come with us?"'),
        ("A cursed sword 's monologue ( short ) .", "A cursed sword's monologue (short)."),
        ("It costs $ 5 , or 10 % off .", "It costs $5, or 10% off."),
        ("Wait ... what ? !", "Wait... what?!"),
        ("line one . <newline> <newline> line two", "line one.\n\nline two"),
        ("one <newline> <newline> <newline> <newline> two", "one\n\ntwo"),
        ("he doesn ’ t know the students ’ names", "he doesn’t know the students’ names"),
        ("“ Daddy what ’ s going on? ”", "“Daddy what’s going on?”"),
        ("[ Song ] ( http: //example.com/watch? v=abc )", "[Song](http://example.com/watch?v=abc)"),
        ("Already clean text, isn't it?", "Already clean text, isn't it?"),
    ],
)
def test_detokenize(tokenised: str, text: str) -> None:
    assert detokenize(tokenised) == text


@pytest.mark.realdata
def test_detokenize_real_dataset_rows(realdata: Path) -> None:
    path = realdata / "reddit" / "writingprompts" / "writing_prompts_train_subset_500.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = {row["row_id"]: row for row in csv.DictReader(handle)}
    assert detokenize(rows["128574"]["prompt"]) == '[WP] "Dad, why can\'t Mom come with us?"'
    assert detokenize(rows["215159"]["prompt"]) == '[WP] "Life.EXE has stopped working."'
    assert detokenize(rows["268760"]["prompt"]) == (
        '[WP] You summon the devil to sell your soul. He replies "I\'ve already got millions. What else have you got?"'
    )
    assert detokenize(rows["128574"]["story"]).startswith(
        "**Ice Cream**\n\nBleary-eyed and half asleep Johnny wiped the sleeve of his pajamas"
    )
    assert "“Daddy what’s going on?”\n\n“We’re going for a ride, get up.”" in detokenize(rows["128574"]["story"])
    assert '"Yeah, don\'t use that name or I just," the Devil lit a cigarette' in detokenize(rows["268760"]["story"])
    for row in rows.values():
        text = detokenize(row["prompt"] + " " + row["story"])
        assert " n't" not in text and "``" not in text and " ," not in text


# ---------------------------------------------------------------- dataset files


def test_dataset_csv(tmp_path: Path) -> None:
    path = tmp_path / "wp.csv"
    path.write_text('row_id,prompt,story,completion\n7,"[ WP ] A","Once , upon",\n,"[ WP ] B","Twice",\n', encoding="utf-8")
    assert list(iter_dataset_csv(path)) == [("7", "[ WP ] A", "Once , upon"), ("2", "[ WP ] B", "Twice")]


def test_dataset_csv_without_story_column(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("title,text\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column 'prompt'"):
        list(iter_dataset_csv(path))


def test_dataset_csv_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no header"):
        list(iter_dataset_csv(path))


def test_dataset_csv_ragged_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("row_id,prompt,story\n1,a,b\n2,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="number of fields") as error:
        list(iter_dataset_csv(path))
    assert error.value.place == "line 3"


def test_dataset_pairs(tmp_path: Path) -> None:
    source, target = tmp_path / "valid.wp_source", tmp_path / "valid.wp_target"
    source.write_text("[ WP ] One\n[ WP ] Two\n", encoding="utf-8")
    target.write_text("Story one <newline> end\nStory two\n", encoding="utf-8")
    assert list(iter_dataset_pairs(source, target)) == [
        ("1", "[ WP ] One", "Story one <newline> end"),
        ("2", "[ WP ] Two", "Story two"),
    ]


def test_dataset_pairs_of_different_length(tmp_path: Path) -> None:
    source, target = tmp_path / "test.wp_source", tmp_path / "test.wp_target"
    source.write_text("[ WP ] One\n[ WP ] Two\n", encoding="utf-8")
    target.write_text("Story one\n", encoding="utf-8")
    with pytest.raises(InputError, match="more lines than its pair") as error:
        list(iter_dataset_pairs(source, target))
    assert error.value.path == str(source) and error.value.place == "line 2"


def test_dataset_pairs_not_utf8(tmp_path: Path) -> None:
    source, target = tmp_path / "x.wp_source", tmp_path / "x.wp_target"
    source.write_text("[ WP ] One\n", encoding="utf-8")
    target.write_bytes(b"caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8") as error:
        list(iter_dataset_pairs(source, target))
    assert error.value.path == str(target)
