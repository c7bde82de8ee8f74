"""The whole build: byte-identical reruns, atomic output, notes, one-line errors."""

import errno
import hashlib
import json
import logging
import os
import shutil
import warnings

import pytest
from typer.testing import CliRunner

from lima_curate.atomic import MARKER, marker_text

from lima_curate import pipeline
from lima_curate.cli.main import app
from lima_curate.config import load_pipeline

runner = CliRunner()


def digest_tree(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


@pytest.fixture(scope="module")
def sample_builds(repo_root, tmp_path_factory):
    """The default sample build, twice, into two output folders."""
    cache = tmp_path_factory.mktemp("cache")
    outs = []
    old = os.getcwd()
    os.chdir(repo_root)
    try:
        for name in ("a", "b"):
            out = tmp_path_factory.mktemp(name)
            config = load_pipeline(repo_root / "pipelines" / "sample.yaml",
                                   {"select.embedding.cache_dir": str(cache)})
            pipeline.build(config, out=out, pipeline_path=repo_root / "pipelines" / "sample.yaml",
                           command="lima-curate build")
            outs.append(out / "sample")
    finally:
        os.chdir(old)
    return outs


@pytest.mark.slow
def test_sample_build_is_byte_identical(sample_builds):
    first, second = sample_builds
    assert digest_tree(first) == digest_tree(second)
    assert {"train.jsonl", "dev.jsonl", "test.jsonl", "rejected.jsonl", "manifest.json",
            "candidates.jsonl", "README.md", "ATTRIBUTION.md", "lima.jsonl"} <= set(os.listdir(first))


@pytest.mark.slow
def test_sample_build_fills_every_split_from_every_source(sample_builds):
    folder = sample_builds[0]
    manifest = json.loads((folder / "manifest.json").read_text())
    train_sources = set(manifest["splits"]["train"])
    assert {"stackexchange", "wikihow", "writingprompts", "sni", "authored"} <= train_sources
    assert set(manifest["splits"]["test"]) == {"askreddit", "authored"}
    assert manifest["splits"]["dev"] == {"authored": 4}
    test_rows = [json.loads(l) for l in (folder / "test.jsonl").read_text().splitlines()]
    assert all([m["role"] for m in row["messages"]] == ["user"] for row in test_rows)
    rejected = [json.loads(l) for l in (folder / "rejected.jsonl").read_text().splitlines()]
    counted = sum(r["count"] for r in manifest["counts"]["rules"] if r["rule"] != "kept")
    assert len(rejected) == counted  # every drop is kept, with its reason
    assert all(r["rule"] and r["stage"] for r in rejected)


@pytest.mark.slow
def test_interrupted_build_leaves_nothing_that_looks_finished(repo_root, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("lima_curate.pipeline.select_stage", interrupted)
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["build", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 130
    assert "interrupted" in result.output
    assert [name for name in os.listdir(tmp_path) if name != ".cache"] == []  # caches are kept: they are valid


def test_missing_sources_are_notes(tmp_path, monkeypatch, repo_root):
    (tmp_path / "raw").mkdir()
    shutil.copytree(repo_root / "raw" / "super_natural_instructions", tmp_path / "raw" / "super_natural_instructions")
    pipeline_file = tmp_path / "p.yaml"
    pipeline_file.write_text("name: sni-only\nraw: raw\nselect:\n  quotas:\n    sni: {size: 1}\n"
                             "  embedding: {cache_dir: ''}\n")
    monkeypatch.chdir(tmp_path)
    result = pipeline.build(load_pipeline(pipeline_file), out=tmp_path / "out")
    assert any("stackexchange: no folder" in note for note in result.notes)
    assert [json.loads(line)["source"] for line in (tmp_path / "out" / "sni-only" / "train.jsonl").open()] == ["sni"]
    assert {row["path"].split("/")[1] for row in result.manifest["inputs"]} == {"super_natural_instructions"}


def raw_without_sources(kind, tmp_path, repo_root):
    """A wrong --raw: an empty folder, one site's folder, stackexchange/ itself, empty source folders."""
    raw = tmp_path / "wrong"
    if kind == "stackexchange itself":
        shutil.copytree(repo_root / "raw" / "stackexchange", raw)
    elif kind == "one site":
        site = next(p for p in (repo_root / "raw" / "stackexchange").iterdir() if p.is_dir())
        shutil.copytree(site, raw)
    else:
        raw.mkdir()
        if kind == "empty source folders":
            (raw / "stackexchange").mkdir()
            (raw / "wikihow").mkdir()
    return raw


@pytest.mark.parametrize("kind, message", [
    ("empty", "no source folder here (expected one of stackexchange/, wikihow/, reddit/, super_natural_instructions/)"),
    ("one site", "no source folder here"),
    ("stackexchange itself", "no source folder here"),
    ("empty source folders", "the source folders (stackexchange/, wikihow/, reddit/, super_natural_instructions/) "
                             "hold no input a source could read"),
])
def test_a_build_that_finds_no_mined_source_fails_and_keeps_the_previous_result(
        kind, message, tmp_path, monkeypatch, repo_root):
    raw = raw_without_sources(kind, tmp_path, repo_root)
    previous = tmp_path / "out" / "sample"
    previous.mkdir(parents=True)
    (previous / "train.jsonl").write_text("the previous build\n")
    (previous / MARKER).write_text(marker_text("sample"))  # what a build leaves: it may replace this one
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {raw}: ") and message in lines[0], result.output
    assert [name for name in os.listdir(tmp_path / "out") if name != ".cache"] == ["sample"]  # caches stay valid
    assert (previous / "train.jsonl").read_text() == "the previous build\n"


def test_a_pipeline_without_sources_builds_from_hand_written_items(tmp_path, monkeypatch, repo_root, caplog):
    pipeline_file = tmp_path / "p.yaml"
    pipeline_file.write_text(
        f"name: authored-only\nraw: {tmp_path / 'nothing'}\nauthored:\n  dir: {repo_root / 'raw' / 'authored'}\n"
        "sources:\n  stackexchange: {enabled: false}\n  wikihow: {enabled: false}\n"
        "  reddit: {enabled: false}\n  sni: {enabled: false}\nselect:\n  embedding: {cache_dir: ''}\n")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING, logger="lima_curate"):
        result = pipeline.build(load_pipeline(pipeline_file), out=tmp_path / "out")
    assert {e.source for items in result.splits.values() for e in items} == {"authored"}
    assert any("hand-written items, the recipe wants" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "PIPE", "--quiet"], "select.quotas.wikihow.siz: unknown key"),
        (["build", "nope.yaml"], "nope.yaml: pipeline file not found"),
        (["build", "--raw", "no/such/dir"], "no/such/dir: --raw is not a folder"),
        (["build", "NAME", "--quiet"], "name: must be a plain folder name"),
        (["build", "QUOTA", "--quiet"], "select.quotas.wikihwo: unknown quota (the sources fill: askreddit, sni,"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, monkeypatch, repo_root, args, message):
    files = {"PIPE": "select:\n  quotas:\n    wikihow: {siz: 2}\n", "NAME": "name: ../../dir\n",
             "QUOTA": "select:\n  quotas:\n    wikihwo: {size: 2}\n"}
    for key, text in files.items():
        (tmp_path / f"{key}.yaml").write_text(text)
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, [str(tmp_path / f"{a}.yaml") if a in files else a for a in args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.slow
def test_too_few_authored_examples_still_build_with_the_shortfall_reported_once(repo_root, tmp_path, monkeypatch,
                                                                                 caplog):
    monkeypatch.chdir(repo_root)
    config = load_pipeline(repo_root / "pipelines" / "sample.yaml", {"authored.train_target": 200})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fact is logged, never raised as a Python warning too
        with caplog.at_level(logging.WARNING, logger="lima_curate"):
            result = pipeline.build(config, out=tmp_path)
    assert (tmp_path / "sample" / "train.jsonl").is_file()
    said = [r.getMessage() for r in caplog.records if "188 missing" in r.getMessage()]
    assert said == ["authored: train has 12 hand-written items, the recipe wants 200 (188 missing)"]
    assert any("188 missing" in note for note in result.manifest["notes"])


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_or_read_only_disk_is_one_line_and_keeps_the_previous_result(
        failure, tmp_path, monkeypatch, repo_root):
    previous = tmp_path / "out" / "sample"
    previous.mkdir(parents=True)
    (previous / "train.jsonl").write_text("the previous build\n")
    (previous / MARKER).write_text(marker_text("sample"))

    def refuse(*args, **kwargs):
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr("lima_curate.pipeline.write_data_files", refuse)  # as a write() that fails
    monkeypatch.setattr("lima_curate.pipeline.select_stage", lambda *args, **kwargs: _empty_outcome())
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["build", "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [f"error: {previous}: {os.strerror(failure)}"]
    assert [name for name in os.listdir(tmp_path / "out") if name != ".cache"] == ["sample"]  # caches stay valid
    assert (previous / "train.jsonl").read_text() == "the previous build\n"


def test_an_unwritable_out_folder_is_named(tmp_path, monkeypatch, repo_root):
    def refuse(*args, dir=None, **kwargs):  # as mkdtemp fails in a read-only folder
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))

    monkeypatch.setattr("tempfile.mkdtemp", refuse)  # where the staging folder is made
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["build", "--out", str(tmp_path / "ro"), "-q"])
    assert result.exit_code == 1 and not isinstance(result.exception, PermissionError)
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'ro'}: {os.strerror(errno.EACCES)}"]


def _empty_outcome():
    from lima_curate.select.quota import Selection
    from lima_curate.select.stage import StageResult

    return StageResult(selection=Selection(quotas={}, unplaced=[]), authored=[])
