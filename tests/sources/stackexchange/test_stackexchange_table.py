"""The measurements table of a site: decisions from it equal decisions from the dump, a
rerun reads no dump, the cache stays one table per site, and bulk reject lines are canonical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lima_curate.config import StackExchangeConfig
from lima_curate.records import dumps
from lima_curate.rejects import Rejects
from lima_curate.sources.stackexchange import extract as se_extract
from lima_curate.sources.stackexchange.extract import extract
from lima_curate.sources.table import TableCache

CONFIG = StackExchangeConfig(workers=1)


@pytest.fixture()
def raw(repo_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "stackexchange"
    shutil.copytree(repo_root / "raw" / "stackexchange", root)
    return root


def run(root: Path, config: StackExchangeConfig = CONFIG, tables: "TableCache | None" = None) -> tuple[list[str], list[str]]:
    rejects = Rejects()
    kept = [dumps(e.to_dict()) for e in extract(root, config, rejects, tables=tables)]
    return kept, [dumps(row) for row in rejects.rows]


def no_dump_reading(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the dump was read")

    monkeypatch.setattr(se_extract, "scan_posts", refuse)
    monkeypatch.setattr(se_extract, "open_site", refuse)


def test_a_rerun_decides_from_the_table_alone_and_gives_the_same_output(raw: Path, tmp_path: Path, monkeypatch):
    tables = TableCache(tmp_path / "cache")
    plain = run(raw)
    assert run(raw, tables=tables) == plain
    assert len(list(tables.folder.rglob("*.parquet"))) == 2  # one table per site
    no_dump_reading(monkeypatch)
    assert run(raw, tables=tables) == plain


@pytest.mark.parametrize("changed", [
    {"max_answer_chars": 1700}, {"min_answer_chars": 200}, {"min_answer_score": 25}, {"english_only": False},
    {"length_measure": "text"}, {"title_prompt_probability": 1.0}, {"prompt": "title_or_title_and_body"},
    {"site_reference_kinds": ("other_answers",)}, {"first_person_me_mine": True}, {"default_domain": "stem"},
])
def test_a_changed_rule_setting_from_the_table_equals_a_fresh_run(raw: Path, tmp_path: Path, monkeypatch, changed):
    tables = TableCache(tmp_path / "cache")
    plain = run(raw, tables=tables)
    config = StackExchangeConfig(workers=1, **changed)
    fresh = run(raw, config)
    with monkeypatch.context() as patch:
        no_dump_reading(patch)
        assert run(raw, config, tables) == fresh
        assert run(raw, config, tables) == fresh  # again, with what the first rerun measured saved
        assert run(raw, CONFIG, tables) == plain  # and back


def test_a_score_below_the_tables_floor_reads_the_dump_again(raw: Path, tmp_path: Path):
    tables = TableCache(tmp_path / "cache")
    run(raw, tables=tables)
    lower = StackExchangeConfig(workers=1, min_answer_score=3)
    assert run(raw, lower, tables) == run(raw, lower)
    floors = {pq.read_schema(p).metadata[b"min_answer_score"] for p in tables.folder.rglob("*.parquet")}
    assert floors == {b"3"}


def test_a_changed_dump_replaces_its_table(raw: Path, tmp_path: Path):
    tables = TableCache(tmp_path / "cache")
    run(raw, tables=tables)
    posts = raw / "cooking.stackexchange.com" / "Posts.xml"
    text = posts.read_text(encoding="utf-8")
    posts.write_text(text.replace('Score="48"', 'Score="4"'), encoding="utf-8")  # answer 2 of question 1
    kept, _ = run(raw, tables=tables)
    assert not any('"question_id":1,' in line and "cooking" in line for line in kept)
    assert len(list(tables.folder.rglob("*.parquet"))) == 2


def test_a_damaged_table_is_measured_again(raw: Path, tmp_path: Path, caplog):
    tables = TableCache(tmp_path / "cache")
    plain = run(raw, tables=tables)
    for path in tables.folder.rglob("*.parquet"):
        path.write_bytes(b"PAR1 not a table PAR1")
    assert run(raw, tables=tables) == plain


def test_bulk_reject_lines_are_the_canonical_rejects_rows(raw: Path, tmp_path: Path):
    rejects = Rejects(tmp_path / "rejected.jsonl")
    list(extract(raw, CONFIG, rejects))
    rejects.close()
    lines = (tmp_path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all(dumps(json.loads(line)) == line for line in lines)
    stubs = [json.loads(line) for line in lines if json.loads(line)["rule"] in ("no_answer", "answer_score_below_min")]
    assert stubs and all(set(row["record"]["meta"]) == {
        "site", "question_id", "question_score", "answer_id", "answer_score", "answer_count", "answer_accepted",
        "answer_html_chars"} for row in stubs)


@pytest.mark.slow
def test_helpers_and_the_table_agree(raw: Path, tmp_path: Path, monkeypatch):
    from lima_curate import executor

    monkeypatch.setattr(executor, "PARALLEL_MIN_BYTES", 0)
    config = StackExchangeConfig(workers=2, sites=("physics.stackexchange.com",))
    tables = TableCache(tmp_path / "cache")
    helped = run(raw, config, tables)  # one site, one helper measuring answers ahead
    assert helped == run(raw, StackExchangeConfig(workers=1, sites=("physics.stackexchange.com",)))
    no_dump_reading(monkeypatch)
    assert run(raw, config, tables) == helped
