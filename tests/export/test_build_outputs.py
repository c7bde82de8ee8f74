import hashlib
import json

from lima_curate.config import load_pipeline

from export_factories import mixed, write_build


def build(folder, **export):
    config = load_pipeline(None, {f"export.{k}": v for k, v in export.items()})
    folder.mkdir(parents=True)
    return write_build(folder, config, mixed())


def test_build_outputs_write_every_file_and_the_manifest_lists_the_data(tmp_path):
    result = build(tmp_path / "b", parquet=True)
    names = sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert names == ["ATTRIBUTION.md", "LICENSE.md", "README.md", "candidates.jsonl", "dev.jsonl", "lima.jsonl",
                     "parquet/dev.parquet", "parquet/test.parquet", "parquet/train.parquet", "test.jsonl",
                     "train.jsonl"]
    assert [o["path"] for o in result["outputs"]] == [
        "candidates.jsonl", "dev.jsonl", "lima.jsonl", "parquet/dev.parquet", "parquet/test.parquet",
        "parquet/train.parquet", "test.jsonl", "train.jsonl"]
    assert result["licence"]["license"] == "other" and result["licence"]["commercial_build"] is False
    assert set(result["terms"]) == {"authored", "reddit", "sni", "stackexchange", "wikihow"}
    assert any(line.startswith("wikihow (2 items): wikiHow: CC BY-NC-SA 3.0") for line in result["terms_notices"])
    for output in result["outputs"]:
        data = (tmp_path / "b" / output["path"]).read_bytes()
        assert output["sha256"] == hashlib.sha256(data).hexdigest() and output["bytes"] == len(data)
    json.dumps(result, allow_nan=False)  # the manifest stays strict JSON


def test_build_outputs_are_byte_identical_on_rerun(tmp_path):
    build(tmp_path / "a", save_to_disk=True)
    build(tmp_path / "b", save_to_disk=True)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_lima_layout_can_be_turned_off(tmp_path):
    build(tmp_path / "b", lima_layout=False)
    assert not (tmp_path / "b" / "lima.jsonl").exists()


def test_report_at_build_time(tmp_path):
    build(tmp_path / "b", report=True, report_projection="tfidf")
    text = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert "TF-IDF" in text and "0123456789abcdef" in text
