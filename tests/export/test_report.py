import json
import re

import pytest

from lima_curate.config import load_pipeline
from lima_curate.errors import InputError
from lima_curate.export.report import (
    PAPER_TABLE1,
    bin_counts,
    choose_points,
    length_rows,
    load_build,
    paper_row,
    write_report,
)
from export_factories import askreddit, authored, candidates, mixed, se, sni, write_build

SECTIONS = ("counts", "lengths", "funnel", "quotas", "map", "licence")


@pytest.fixture
def build_dir(tmp_path):
    """A small fabricated build folder, as the pipeline writes it."""
    folder = tmp_path / "sample"
    folder.mkdir()
    config = load_pipeline(None, {"select.embedding.cache_dir": str(tmp_path / "embeddings")})
    splits = mixed()
    splits["train"].append(se(9).with_messages([
        {"role": "user", "content": "Why does <script>alert('x')</script> & co. break?"},
        {"role": "assistant", "content": "Because it is HTML."}]))
    result = write_build(folder, config, splits)
    (folder / "manifest.json").write_text(json.dumps(result, sort_keys=True))
    return folder


def test_report_renders_every_section_self_contained(build_dir):
    path = write_report(build_dir, projection="tfidf")
    assert path == build_dir / "report.html"
    page = path.read_text(encoding="utf-8")
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert "<script" not in page.replace("&lt;script", "")  # the prompt's tag is escaped, no scripts
    assert "&lt;script&gt;alert(" in page
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count("<svg") >= 5 and "<circle" in page


def test_report_shows_counts_paper_reference_funnel_quotas_and_map(build_dir):
    page = write_report(build_dir, projection="tfidf").read_text(encoding="utf-8")
    assert "Stack Exchange (STEM)" in page and ">1,811<" in page and ">236<" in page  # Table 1 values
    assert "extract: answer_too_short" in page and "near_duplicate" in page
    assert ">stackexchange_stem<" in page and ">0.610<" in page and ">0.550<" in page
    assert "TF-IDF + TruncatedSVD" in page
    assert "all 50 candidates shown" in page and "10 selected" in page
    assert "lima-curate build pipelines/sample.yaml" in page and "0123456789abcdef" in page


def test_report_is_byte_identical_on_rerun(build_dir, tmp_path):
    first = write_report(build_dir, tmp_path / "r1.html", projection="tfidf").read_bytes()
    second = write_report(build_dir, tmp_path / "r2.html", projection="tfidf").read_bytes()
    assert first == second


def test_auto_falls_back_to_tfidf_and_says_why(build_dir, monkeypatch):
    import lima_curate.export.projection as projection

    def unavailable(texts, config):
        raise InputError("all-MiniLM-L6-v2", "cannot load the embedding model offline")

    monkeypatch.setattr(projection, "embed_texts", unavailable)
    page = write_report(build_dir, projection="auto").read_text(encoding="utf-8")
    assert "TF-IDF + TruncatedSVD (sentence embeddings unavailable: InputError" in page
    with pytest.raises(InputError):
        write_report(build_dir, projection="embedding")


def test_map_can_be_turned_off_and_missing_candidates_are_said(build_dir):
    page = write_report(build_dir, projection="none").read_text(encoding="utf-8")
    assert "Map not drawn" in page
    (build_dir / "candidates.jsonl").unlink()
    page = write_report(build_dir, projection="tfidf").read_text(encoding="utf-8")
    assert "No candidates.jsonl in this build" in page


def test_funnel_reads_the_manifest_in_build_order(build_dir):
    assert load_build(build_dir).funnel == [
        ("stackexchange", "extract", "kept", 13), ("stackexchange", "extract", "answer_too_short", 7),
        ("wikihow", "extract", "kept", 12), ("wikihow", "dedup", "near_duplicate", 2),
        ("writingprompts", "extract", "not_english", 4)]
    page = write_report(build_dir, projection="none").read_text(encoding="utf-8")
    funnel = page[page.index('<section id="funnel">'):]
    assert funnel.index("<td>extract</td>") < funnel.index("<td>dedup</td>")  # build order, not alphabetical
    data = json.loads((build_dir / "manifest.json").read_text())
    del data["counts"]
    (build_dir / "manifest.json").write_text(json.dumps(data))
    assert "No counts" in write_report(build_dir, projection="none").read_text(encoding="utf-8")


def test_bad_inputs_are_one_line_input_errors(tmp_path, build_dir):
    with pytest.raises(InputError, match="no such build folder"):
        write_report(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="not a build folder"):
        write_report(tmp_path / "empty")
    (build_dir / "dev.jsonl").write_text("{not json\n")
    with pytest.raises(InputError) as error:
        write_report(build_dir, projection="none")
    assert str(error.value).startswith(f"{build_dir / 'dev.jsonl'}:line 1: not valid JSON")
    (build_dir / "manifest.json").write_text("[1, 2")
    with pytest.raises(InputError, match=r"manifest.json:1:\d+: not valid JSON"):
        write_report(build_dir)
    (build_dir / "manifest.json").write_text("{}")
    (build_dir / "dev.jsonl").write_text("")
    with pytest.raises(InputError, match="unknown projection 'pca'"):
        write_report(build_dir, projection="pca")


def test_options_default_to_the_build_config(build_dir, monkeypatch):
    data = json.loads((build_dir / "manifest.json").read_text())
    data["config"]["export"]["report_projection"] = "none"
    (build_dir / "manifest.json").write_text(json.dumps(data))
    assert "Map not drawn" in write_report(build_dir).read_text(encoding="utf-8")


def test_paper_rows_and_lengths():
    assert paper_row(se(1, domain="stem"), "train") == "Stack Exchange (STEM)"
    assert paper_row(se(1), "train") == "Stack Exchange (Other)"
    assert paper_row(sni(1), "train") == "Natural Instructions"
    assert paper_row(authored(1), "train") == "Paper Authors (Group A)"
    assert paper_row(authored(1, "dev"), "dev") == "Paper Authors (Group A)"
    assert paper_row(askreddit(1), "test") == "Pushshift r/AskReddit"
    assert paper_row(authored(1, "test"), "test") == "Paper Authors (Group B)"
    rows = {(r["row"], r["split"]): r for r in length_rows({"train": [sni(1)], "test": [askreddit(1)]})}
    assert len(rows) == len(PAPER_TABLE1)
    assert rows[("Natural Instructions", "train")]["prompt_mean"] == len(sni(1).prompt.split())
    assert rows[("Natural Instructions", "train")]["paper_input"] == 236
    assert rows[("Pushshift r/AskReddit", "test")]["response_mean"] is None
    assert bin_counts([0, 1, 3, 4, 5000]) == [1, 1, 1, 1, *([0] * 9), 1]


def test_choose_points_keeps_all_selected_then_samples(mixed_splits):
    items = candidates(mixed_splits, runners_up=40)
    chosen = choose_points(items, 12, seed=0)
    assert len(chosen) == 12 and sum(1 for e in chosen if e.meta["selected"]) == 9
    assert chosen == choose_points(items, 12, seed=0)
    assert [items.index(e) for e in chosen] == sorted(items.index(e) for e in chosen)


def test_cli_command(build_dir):
    import typer
    from typer.testing import CliRunner

    from lima_curate.cli.report import report

    app = typer.Typer()
    app.command()(report)
    app.command("noop")(lambda: None)  # a second command so `report` is a subcommand, as in lima-curate
    result = CliRunner().invoke(app, ["report", str(build_dir), "--projection", "tfidf", "--max-points", "5"])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output
    assert "5 of 50 candidates shown" in (build_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_map_with_sentence_embeddings(build_dir):
    pytest.importorskip("lima_curate.select.embed")
    page = write_report(build_dir, projection="embedding").read_text(encoding="utf-8")
    assert "sentence embeddings + PCA" in page
