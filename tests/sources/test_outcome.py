"""Outcomes: kept candidates counted, rejections sent to the rejects under stage extract."""

from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.rules import Drop
from lima_curate.sources.outcome import Rejected, collect


def item(name: str) -> Example:
    return Example(id=name, source="sni", domain="d", messages=({"role": "user", "content": "q"},))


def test_collect_keeps_candidates_and_sends_rejections_to_the_rejects():
    outcomes = [item("a"), Rejected.by(Drop("empty_output", "no output"), item("b"), "task1: "),
                Rejected({"id": "f:3", "source": "sni"}, "unreadable_file", "f: empty file"), item("c")]
    rejects = Rejects()
    assert [e.id for e in collect(outcomes, rejects)] == ["a", "c"]
    assert [(r["id"], r["stage"], r["rule"], r["detail"]) for r in rejects.rows] == [
        ("b", "extract", "empty_output", "task1: no output"), ("f:3", "extract", "unreadable_file", "f: empty file")]
    assert rejects.kept[("sni", "extract")] == 2 and rejects.dropped[("sni", "extract", "empty_output")] == 1
