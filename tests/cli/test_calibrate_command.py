"""``lima-curate calibrate``: the report, the JSON file, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lima_curate.cli.main import app

runner = CliRunner()
LONG = "A plain, well written explanation of the method. " * 30


@pytest.fixture()
def reference(tmp_path: Path) -> Path:
    rows = [
        {"conversations": ["How does it work?", LONG]},
        {"instruction": "Why is it so?", "input": "", "output": LONG + " I think so."},
        {"messages": [{"role": "user", "content": "What now?"}, {"role": "assistant", "content": LONG}]},
    ]
    path = tmp_path / "reference.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_report_and_json(repo_root: Path, reference: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    out = tmp_path / "calibration.json"
    result = runner.invoke(app, ["calibrate", str(reference), "--source", "stackexchange", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "stackexchange: 3 reference items, 2 kept, 1 dropped (33.3%)"
    assert "row 1: first person: 'I' | Why is it so?" in result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert list(written) == ["items", "kept", "dropped"]
    assert written["items"] == 3 and written["kept"] == 2 and written["dropped"]["first_person_i_my"] == 1
    assert list(written["dropped"])[:2] == ["no_answer", "answer_score_below_min"]  # the rules in their order


def test_rows_and_pipeline(repo_root: Path, reference: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["calibrate", str(reference), "--source", "stackexchange", "--rows", "1:2",
                                 "--pipeline", "pipelines/sample.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("stackexchange: 1 reference items, 0 kept, 1 dropped")
    assert "not_english" in result.output  # the sample pipeline keeps the language rule


@pytest.mark.parametrize("arguments, message", [
    (["--source", "reddit"], "--source: unknown source 'reddit'"),
    (["--source", "wikihow", "--rows", "5:2"], "--rows: rows '5:2': A must be below B"),
    (["--source", "wikihow", "--rows", "x"], "--rows: rows must look like A:B"),
])
def test_bad_options_are_one_line(repo_root: Path, reference: Path, monkeypatch, arguments, message) -> None:
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["calibrate", str(reference), *arguments])
    assert result.exit_code == 2 and result.output.startswith(f"error: {message}"), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_bad_reference_names_the_file_and_the_item(repo_root: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"conversations": ["a", "b"]}\n{"nothing": 1}\n', encoding="utf-8")
    result = runner.invoke(app, ["calibrate", str(bad), "--source", "wikihow"])
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {bad}:line 2: not a reference item: expected 'conversations', "
                                     "'messages' or 'instruction'/'output'")


def test_the_help_names_the_sources_calibrate_knows():
    from lima_curate.calibrate.sources import SOURCES as RULES
    from lima_curate.cli.calibrate import SOURCES

    assert SOURCES == tuple(RULES)  # the CLI keeps its own copy so that --help imports no source
