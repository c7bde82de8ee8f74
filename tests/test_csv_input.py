"""CSV input: an unclosed quote is an error naming its line; limits belong to each reader."""

from __future__ import annotations

import csv
import io

import pytest

from lima_curate.authoring.importers import parse_csv
from lima_curate.csv_input import MAX_RECORD_LINES, BoundedReader, RecordError
from lima_curate.errors import InputError
from lima_curate.sources.wikihow.formats import read_csv
from lima_curate.sources.reddit.writingprompts import iter_dataset_csv

STEPS = "1. Open the app.\n2. Tap Settings.\n"


def _lists_csv(rows: list[str]) -> str:
    return "title,result\n" + "".join(rows)


def test_a_stray_quote_that_would_swallow_a_hundred_thousand_lines_is_refused(tmp_path):
    path = tmp_path / "lists.csv"
    body = [f'Item {n},"{STEPS}"\n' for n in range(3)]
    body.append('Broken,"1. This quote never closes.\n')
    body += [f"Item {n},1. One step.\n" for n in range(100_000)]
    body.append('Late,"closes here"\n')
    path.write_text(_lists_csv(body), encoding="utf-8")
    with pytest.raises(InputError, match=r"lists\.csv:line 11: a quoted field opened here is still open after 10,000 lines"):
        list(read_csv(path, "lists.csv"))


def test_a_quote_left_open_at_the_end_of_the_file_is_refused(tmp_path):
    path = tmp_path / "stories.csv"
    path.write_text('prompt,story\n"A prompt","A story\nthat goes on\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"stories\.csv:line 2: a quoted field opened here is never closed"):
        list(iter_dataset_csv(path))


def test_long_multi_line_fields_and_a_last_line_without_newline_are_fine():
    story = "\n".join(f"Line {n} of a long story." for n in range(2_000))
    text = f'prompt,story\n"P1","{story}"\n"P2","short ""quoted"" story"\nP3,last'
    rows = list(BoundedReader(io.StringIO(text, newline=""), "x.csv"))
    assert [row[0] for row in rows] == ["prompt", "P1", "P2", "P3"]
    assert rows[1][1] == story and rows[2][1] == 'short "quoted" story'


def test_a_record_past_the_character_limit_is_refused():
    text = "a,b\n" + "x," + "y" * 5_000 + "\n"
    with pytest.raises(RecordError, match=r"line 2: a row longer than 1,000 characters"):
        list(BoundedReader(io.StringIO(text), "x.csv", max_record_chars=1_000))
    assert MAX_RECORD_LINES == 10_000


@pytest.fixture
def restore_module_limit():
    before = csv.field_size_limit()
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize("process_limit", [10, 131072, 2**31 - 1])
def test_author_check_and_build_read_the_same_csv_whatever_the_process_wide_limit(tmp_path, process_limit, restore_module_limit):
    big = "A long answer. " * 20_000  # 300,000 characters: over the csv module's default limit
    text = f"prompt,response\nWhat is a long answer?,{big}\n"
    csv.field_size_limit(process_limit)  # what another reader in the same process may have left
    items, problems = parse_csv(text, "authored.csv")
    assert problems == [] and len(items) == 1
    assert items[0].turns[1].content.startswith("A long answer.")
    path = tmp_path / "steps.csv"
    path.write_text(f"title,heading,paragraph\nHow to Wait,Wait.,{big}\n", encoding="utf-8")
    csv.field_size_limit(process_limit)
    assert len(list(read_csv(path, "steps.csv"))) == 1


def test_an_unclosed_quote_in_an_authored_csv_is_a_bad_record_finding():
    body = "".join(f"Prompt {n}?,Response {n}.\n" for n in range(12_000))
    items, problems = parse_csv('prompt,response\n"Open quote?,never closed\n' + body, "authored.csv")
    assert items == []
    assert [(p.code, p.line) for p in problems] == [("bad-record", 2)]
    assert "unclosed quote" in problems[0].message
