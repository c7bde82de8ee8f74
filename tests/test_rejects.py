"""The rejects sink: drops streamed to a file, counted per source, stage and rule."""

from lima_curate.records import Example
from lima_curate.rejects import Rejects


def item(text, source="wikihow"):
    return Example(id=text, source=source, domain="d",
                   messages=({"role": "user", "content": "q"}, {"role": "assistant", "content": text}))


def test_rejects_stream_to_file_and_table(tmp_path):
    rejects = Rejects(tmp_path / "rejected.jsonl")
    rejects.drop(item("x"), stage="rules", rule="too_short", detail="1 chars")
    rejects.keep(item("abcdef"), stage="rules")
    rejects.close()
    lines = (tmp_path / "rejected.jsonl").read_text().splitlines()
    assert len(lines) == 1 and '"rule":"too_short"' in lines[0]
    assert rejects.table() == [
        {"source": "wikihow", "stage": "rules", "rule": "kept", "count": 1},
        {"source": "wikihow", "stage": "rules", "rule": "too_short", "count": 1},
    ]


def test_merge_adds_counts_and_rows():
    a, b = Rejects(), Rejects()
    b.drop(item("x"), stage="rules", rule="r", detail="d")
    a.merge(b)
    assert a.dropped[("wikihow", "rules", "r")] == 1 and len(a.rows) == 1


def test_rejects_without_drops_still_leave_an_empty_file(tmp_path):
    rejects = Rejects(tmp_path / "out" / "rejected.jsonl")
    rejects.close()
    assert (tmp_path / "out" / "rejected.jsonl").read_text() == ""
