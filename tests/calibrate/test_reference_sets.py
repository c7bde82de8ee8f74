"""Reference sets in LIMA, alpaca and messages layouts, as prompt/response pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lima_curate.calibrate.references import Pair, parse_rows, read_reference
from lima_curate.errors import InputError


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_lima_layout(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lima.jsonl", [
        {"conversations": ["Q1", "A1"], "source": "stackexchange"},
        {"conversations": ["Q2", "A2", "Q3", "A3", "dangling"], "source": "multi_turn"},
    ])
    items = read_reference(path)
    assert [i.row for i in items] == [0, 1]
    assert items[0].pairs == (Pair("Q1", "A1"),) and items[0].source == "stackexchange"
    assert items[1].pairs == (Pair("Q2", "A2"), Pair("Q3", "A3"))


def test_alpaca_layout_as_one_json_array(tmp_path: Path) -> None:
    path = tmp_path / "lima.json"
    path.write_text(json.dumps([
        {"instruction": "Sum", "input": "1 2", "output": "3", "history": []},
        {"instruction": "And now?", "input": "", "output": "4", "history": [["Q0", "A0"]]},
    ]), encoding="utf-8")
    items = read_reference(path)
    assert items[0].pairs == (Pair("Sum\n\n1 2", "3"),)
    assert items[1].pairs == (Pair("Q0", "A0"), Pair("And now?", "4"))


def test_messages_layout_skips_system_turns(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "chat.jsonl", [
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                      {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]},
    ])
    assert read_reference(path)[0].pairs == (Pair("Hi", "Hello"),)


def test_rows_slice_keeps_file_order_numbers(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lima.jsonl", [{"conversations": [f"Q{i}", f"A{i}"]} for i in range(6)])
    items = read_reference(path, parse_rows("2:4"))
    assert [(i.row, i.pairs[0].prompt) for i in items] == [(2, "Q2"), (3, "Q3")]
    assert [i.row for i in read_reference(path, parse_rows("4:"))] == [4, 5]
    assert [i.row for i in read_reference(path, parse_rows(":1"))] == [0]


@pytest.mark.parametrize("text", ["", "5", "a:b", "4:2", "3:3", "-1:2", "1:2:3"])
def test_bad_rows(text: str) -> None:
    with pytest.raises(ValueError, match="rows"):
        parse_rows(text)


@pytest.mark.parametrize(
    "content, message, place",
    [
        ('{"conversations": "only a prompt"}\n', "not a list of turns", "line 1"),
        ('{"text": "x"}\n', "not a reference item", "line 1"),
        ('{"conversations": ["Q"]}\n', "no prompt followed by a response", "line 1"),
        ('{"instruction": "Q", "output": 3}\n', "'output' is not a string", "line 1"),
        ('{"instruction": "Q", "output": "A", "history": [["x"]]}\n', "'history' holds", "line 1"),
        ('{"conversations": ["Q", "A"]}\n\n"text"\n', "expected a JSON object", "line 3"),
        ('\n\n["not", "an object"]\n', "expected a JSON object", "item 0"),
        ('{"messages": "hi"}\n', "'messages' is not a list", "line 1"),
        ('{broken\n', "not valid JSON", "line 1"),
        ('[{"conversations": ["Q", "A"]}, 7]', "expected a JSON object", "item 1"),
        ('[{"conversations": ["Q", "A"]', "not valid JSON", "line 1"),
        ('[{"instruction": "Q", "output": "A", "n": ' + "9" * 5000 + '}]', "not valid JSON", None),
    ],
)
def test_bad_items_name_the_file_and_place(tmp_path: Path, content: str, message: str, place: str) -> None:
    path = tmp_path / "ref.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        read_reference(path)
    assert error.value.place == place and error.value.path == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="reference file not found"):
        read_reference(tmp_path / "absent.json")


@pytest.mark.realdata
def test_released_lima_set(realdata: Path) -> None:
    items = read_reference(realdata / "lima" / "lima_train_alpaca_format.json")
    assert len(items) == 1029
    assert all(len(item.pairs) == 1 for item in items[:1000])
    assert all(len(item.pairs) > 1 for item in items[1000:])
