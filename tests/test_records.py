import json

import pytest

from lima_curate.errors import InputError

from lima_curate.records import Example, make_id, numbered_jsonl, read_examples, write_jsonl


def example(**overrides):
    fields = dict(
        id=make_id("stackexchange", "coffee.stackexchange.com", 12),
        source="stackexchange",
        domain="other",
        messages=({"role": "user", "content": "Why?"}, {"role": "assistant", "content": "Because."}),
        meta={"license": "CC BY-SA 4.0"},
    )
    fields.update(overrides)
    return Example(**fields)


def test_make_id_is_stable_and_depends_on_every_part():
    assert make_id("stackexchange", "coffee", 12) == make_id("stackexchange", "coffee", "12")
    assert make_id("stackexchange", "coffee", 12) != make_id("stackexchange", "coffee", 13)
    assert make_id("stackexchange", "coffee", 12) != make_id("wikihow", "coffee", 12)
    assert make_id("stackexchange", "coffee", 12).startswith("stackexchange-")
    # the id must not change between releases: outputs and review files refer to it
    assert make_id("stackexchange", "coffee", 12) == "stackexchange-" + __import__("hashlib").sha1(
        "stackexchange\x1fcoffee\x1f12".encode()).hexdigest()[:16]


def test_prompt_and_response_and_copies():
    item = example()
    assert item.prompt == "Why?" and item.response == "Because."
    changed = item.with_meta(quality=3.0)
    assert changed.meta["quality"] == 3.0 and "quality" not in item.meta
    assert item.with_messages(item.messages[:1]).response == ""


def test_bad_role_is_refused():
    with pytest.raises(ValueError, match="bad message"):
        example(messages=({"role": "bot", "content": "x"},))


def test_jsonl_round_trip_is_byte_stable(tmp_path):
    items = [example(), example(id="x", meta={"b": 1, "a": [1, 2]})]
    write_jsonl(tmp_path / "a.jsonl", items)
    write_jsonl(tmp_path / "b.jsonl", list(read_examples(tmp_path / "a.jsonl")))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert list(read_examples(tmp_path / "a.jsonl")) == items


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"a": 1}) + "\n{oops\n")
    with pytest.raises(InputError, match=r"bad.jsonl:line 2: not valid JSON"):
        list(numbered_jsonl(path))
    with pytest.raises(InputError, match=r"bad.jsonl:line 1: not an example record"):
        list(read_examples(path))
    path.write_bytes(b'{"a": 1}\n{"b": "\xff"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl: not UTF-8"):
        list(numbered_jsonl(path))
