"""Stack Exchange extraction on the embedded sample: provenance, ranking, strata, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import se_factory as f

from lima_curate import executor
from lima_curate.config import StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.records import dumps, make_id
from lima_curate.rejects import Rejects
from lima_curate.sources.stackexchange.extract import extract
from lima_curate.sources.stackexchange.table import license_for, parse_tags, prompt_is_title

CONFIG = StackExchangeConfig(workers=1)
PHYSICS, COOKING = "physics.stackexchange.com", "cooking.stackexchange.com"


@pytest.fixture(scope="module")
def sample(repo_root: Path):
    rejects = Rejects()
    kept = list(extract(repo_root / "raw" / "stackexchange", CONFIG, rejects))
    return kept, rejects


def run(root: Path, config: StackExchangeConfig = CONFIG) -> tuple[list, Rejects]:
    rejects = Rejects()
    return list(extract(root, config, rejects)), rejects


def test_sample_has_a_handful_per_stratum(sample):
    kept, rejects = sample
    by_quota = {q: [e for e in kept if e.meta["quota"] == q] for q in ("stackexchange_stem", "stackexchange_other")}
    assert len(by_quota["stackexchange_stem"]) >= 5 and len(by_quota["stackexchange_other"]) >= 5
    assert {e.domain for e in by_quota["stackexchange_stem"]} == {"stem"}
    assert {e.meta["group"] for e in kept} == {PHYSICS, COOKING}
    assert set(rejects.reasons_for("extract")) == {
        "no_answer", "answer_score_below_min", "answer_html_too_short", "answer_html_too_long", "first_person_i_my",
        "refers_to_site", "thread_talk", "removed_image", "bare_link", "prompt_refers_to_thread",
        "prompt_removed_image", "prompt_link_only", "not_english",
    }


def test_every_kept_item_carries_its_provenance(sample):
    kept, _ = sample
    for ex in kept:
        meta, site = ex.meta, ex.meta["site"]
        assert ex.id == make_id("stackexchange", site, meta["answer_id"])
        assert ex.source == "stackexchange"
        assert meta["url"] == f"https://{site}/a/{meta['answer_id']}"
        assert meta["question_url"] == f"https://{site}/q/{meta['question_id']}"
        assert meta["quality"] == float(meta["answer_score"]) and meta["answer_score"] >= 10
        assert meta["quota"] == f"stackexchange_{ex.domain}" and meta["group"] == site
        assert meta["noncommercial"] is False and meta["terms"] == "stackexchange" and "split" not in meta  # the quota decides the split
        assert meta["license"].startswith("CC BY-SA ")
        assert meta["prompt_kind"] in ("title", "body") and meta["tags"]
        assert meta["creation_date"][:4].isdigit()
        assert [m["role"] for m in ex.messages] == ["user", "assistant"]
        assert 1200 <= meta["answer_html_chars"] <= 4096 and meta["answer_chars"] == len(ex.response)
        assert meta["language"] == "en" and not meta["first_person"] and not meta["site_references"]
        assert meta["question_title"] and meta["answer_count"] >= 1 and isinstance(meta["answer_accepted"], bool)
        if meta["prompt_kind"] == "title":
            assert ex.prompt == meta["question_title"] and "\n" not in ex.prompt
        else:
            assert ex.prompt == meta["question_body"]


def test_authors_from_users_xml_or_the_post(sample):
    kept, _ = sample
    physics = [e for e in kept if e.meta["site"] == PHYSICS]
    assert all(e.meta["author_url"] == f"https://{PHYSICS}/users/" + e.meta["author_url"].rsplit("/", 1)[1] for e in physics)
    assert {e.meta["author"] for e in physics} >= {"Lukas Brenner", "Ada Okafor"}
    cooking = {e.meta["answer_id"]: e for e in kept if e.meta["site"] == COOKING}
    assert cooking[12].meta["author"] == "Priya N." and "author_url" not in cooking[12].meta  # OwnerDisplayName
    assert "author" not in cooking[2].meta  # no Users.xml, no display name on the post


def test_licence_from_the_row_or_by_date(sample):
    kept, _ = sample
    licences = {(e.meta["site"], e.meta["answer_id"]): e.meta["license"] for e in kept}
    assert licences[(PHYSICS, 2)] == "CC BY-SA 4.0"  # ContentLicense attribute
    assert licences[(COOKING, 2)] == "CC BY-SA 2.5"  # 2010
    assert licences[(COOKING, 6)] == "CC BY-SA 3.0"  # 2012
    assert licences[(COOKING, 19)] == "CC BY-SA 4.0"  # 2019


def test_license_dates():
    assert license_for("", "2011-04-07T23:59:59.999") == "CC BY-SA 2.5"
    assert license_for("", "2011-04-08T00:00:00.000") == "CC BY-SA 3.0"
    assert license_for("", "2018-05-01T10:00:00.000") == "CC BY-SA 3.0"
    assert license_for("", "2018-05-02T00:00:00.000") == "CC BY-SA 4.0"
    assert license_for("CC BY-SA 3.0", "2021-01-01T00:00:00.000") == "CC BY-SA 3.0"


def test_tags_in_both_formats():
    assert parse_tags("<optics><light>") == ["optics", "light"]
    assert parse_tags("|optics|light|") == ["optics", "light"]
    assert parse_tags("") == []


def test_questions_ranked_by_score_inside_each_site(sample):
    kept, _ = sample
    sites = [e.meta["site"] for e in kept]
    assert sites == sorted(sites)
    for site in (PHYSICS, COOKING):
        keys = [(-e.meta["question_score"], e.meta["question_id"]) for e in kept if e.meta["site"] == site]
        assert keys == sorted(keys)


def test_tie_goes_to_the_accepted_answer_then_the_lower_id(tmp_path: Path, sample):
    kept, _ = sample
    mass = next(e for e in kept if e.meta["site"] == PHYSICS and e.meta["question_id"] == 7)
    assert mass.meta["answer_id"] == 9  # accepted, though answer 8 has the same score and a lower id
    rows = [
        f.question(1, 9, "What drives the water cycle?"),
        f.answer(5, 1, 20), f.answer(3, 1, 20), f.answer(4, 1, 19),  # no accepted answer: lower id wins
        f.question(10, 8, "Why do rivers meander?", accepted=12),
        f.answer(11, 10, 25), f.answer(12, 10, 20),  # accepted but lower score: the higher score wins
    ]
    f.write_dump(tmp_path / "earthscience.stackexchange.com", rows)
    chosen = {e.meta["question_id"]: e.meta["answer_id"] for e in run(tmp_path)[0]}
    assert chosen == {1: 3, 10: 11}


def test_prompt_coin_is_seeded_per_question_and_independent_of_order(repo_root: Path, tmp_path: Path):
    both, _ = run(repo_root / "raw" / "stackexchange")
    shutil.copytree(repo_root / "raw" / "stackexchange" / COOKING, tmp_path / COOKING)
    alone, _ = run(tmp_path)
    kinds = {e.id: e.meta["prompt_kind"] for e in both}
    assert all(kinds[e.id] == e.meta["prompt_kind"] for e in alone)
    for e in both:
        assert prompt_is_title(0, e.meta["site"], e.meta["question_id"], 0.3) == (e.meta["prompt_kind"] == "title")
    coins = [prompt_is_title(0, "x.stackexchange.com", q, 0.3) for q in range(2000)]
    assert 500 < sum(coins) < 700
    assert prompt_is_title(1, "x.stackexchange.com", 7, 0.0) is False
    assert prompt_is_title(1, "x.stackexchange.com", 7, 1.0) is True


def test_title_probability_from_the_config(repo_root: Path):
    raw = repo_root / "raw" / "stackexchange"
    everything_title, _ = run(raw, StackExchangeConfig(workers=1, title_prompt_probability=1.0))
    assert {e.meta["prompt_kind"] for e in everything_title} == {"title"}
    no_title, _ = run(raw, StackExchangeConfig(workers=1, title_prompt_probability=0.0))
    assert {e.meta["prompt_kind"] for e in no_title} == {"body"}
    both, _ = run(raw, StackExchangeConfig(workers=1, title_prompt_probability=0.0, prompt="title_or_title_and_body"))
    assert {e.meta["prompt_kind"] for e in both} == {"title_and_body"}
    assert all(e.prompt == f"{e.meta['question_title']}\n\n{e.meta['question_body']}" for e in both)


def test_same_input_same_output(repo_root: Path):
    first, rejects_first = run(repo_root / "raw" / "stackexchange")
    second, rejects_second = run(repo_root / "raw" / "stackexchange")
    assert [dumps(e.to_dict()) for e in first] == [dumps(e.to_dict()) for e in second]
    assert [dumps(r) for r in rejects_first.rows] == [dumps(r) for r in rejects_second.rows]


@pytest.mark.slow
def test_parallel_sites_and_helpers_give_the_same_output(repo_root: Path, monkeypatch):
    monkeypatch.setattr(executor, "PARALLEL_MIN_BYTES", 0)
    raw = repo_root / "raw" / "stackexchange"
    one, rejects_one = run(raw)
    # two sites over two processes; then one site with one helper process measuring answers
    two, rejects_two = run(raw, StackExchangeConfig(workers=2))
    helped, rejects_helped = run(raw, StackExchangeConfig(workers=2, sites=(PHYSICS,)))
    assert [dumps(e.to_dict()) for e in two] == [dumps(e.to_dict()) for e in one]
    assert [dumps(r) for r in rejects_two.rows] == [dumps(r) for r in rejects_one.rows]
    assert rejects_two.table() == rejects_one.table()
    physics_one = [dumps(e.to_dict()) for e in one if e.meta["site"] == PHYSICS]
    assert [dumps(e.to_dict()) for e in helped] == physics_one


@pytest.mark.slow
def test_an_error_in_a_parallel_site_is_an_input_error(tmp_path: Path, repo_root: Path, monkeypatch):
    monkeypatch.setattr(executor, "PARALLEL_MIN_BYTES", 0)
    shutil.copytree(repo_root / "raw" / "stackexchange" / PHYSICS, tmp_path / PHYSICS)
    f.write_dump(tmp_path / "zzz.stackexchange.com", [f.question(1, 1, "Cut?")])
    broken = tmp_path / "zzz.stackexchange.com" / "Posts.xml"
    broken.write_bytes(broken.read_bytes()[:-20])
    with pytest.raises(InputError, match="zzz.stackexchange.com"):
        run(tmp_path, StackExchangeConfig(workers=2))
