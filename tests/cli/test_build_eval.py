"""``lima-curate build --eval FILE``: external evaluation sets, and the recipe's warning without one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lima_curate import pipeline
from lima_curate.cli.main import app
from lima_curate.config import load_pipeline

runner = CliRunner()


def test_a_missing_eval_file_is_one_line(repo_root: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    result = runner.invoke(app, ["build", "--out", str(tmp_path), "--eval", str(tmp_path / "none.jsonl"), "-q"])
    assert result.exit_code == 2 and result.output.strip() == f"error: {tmp_path / 'none.jsonl'}: --eval file not found"
    assert not (tmp_path / "sample").exists()


def test_the_recipe_warns_without_an_external_eval_set(repo_root: Path, tmp_path: Path, monkeypatch, caplog) -> None:
    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop

    monkeypatch.setattr(pipeline, "build_directory", stop)  # stop once the warning is given
    warned = load_pipeline(repo_root / "pipelines" / "sample.yaml", {"select.warn_without_eval_files": True})
    with pytest.raises(Stop):
        pipeline.build(warned, raw=repo_root / "raw", out=tmp_path)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert [m for m in said if m.startswith("decontamination: no external evaluation set")] == said[-1:]
    caplog.clear()
    given = load_pipeline(repo_root / "pipelines" / "sample.yaml", {
        "select.warn_without_eval_files": True, "select.eval_files": [str(tmp_path / "x.jsonl")]})
    with pytest.raises(Stop):
        pipeline.build(given, raw=repo_root / "raw", out=tmp_path)
    assert not any("no external evaluation set" in r.getMessage() for r in caplog.records)
    assert load_pipeline(repo_root / "pipelines" / "lima.yaml").select.warn_without_eval_files


@pytest.mark.slow
def test_eval_files_add_to_the_pipelines_and_catch_a_question_by_its_title(
        repo_root: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo_root)
    evals = tmp_path / "held_out.jsonl"  # cooking 1's title: its prompt is the body, the title leaks all the same
    evals.write_text(json.dumps({"conversations": "Why should meat rest after cooking?"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["build", "--out", str(tmp_path / "out"), "--eval", str(evals), "-q"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "sample"
    rows = [json.loads(line) for line in (folder / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    caught = [row for row in rows if row["rule"] == "contaminated_eval_prompt" and "held_out.jsonl:1" in row["detail"]]
    assert len(caught) == 1 and caught[0]["record"]["meta"]["question_id"] == 1
    assert caught[0]["detail"].endswith("(the question's title)")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert any("held_out.jsonl" in json.dumps(entry) for entry in manifest["inputs"])


@pytest.mark.parametrize("out", ["a_file", "a_file/below"])
def test_an_out_path_through_a_file_is_one_line(repo_root: Path, tmp_path: Path, monkeypatch, out: str) -> None:
    monkeypatch.chdir(repo_root)
    (tmp_path / "a_file").write_text("mine\n")
    result = runner.invoke(app, ["build", "--out", str(tmp_path / out), "-q"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
    assert (tmp_path / "a_file").read_text() == "mine\n"
