"""`lima-curate build pipelines/lima.yaml --raw ../shared/realdata`, as the README gives it."""

import json

import pytest
from typer.testing import CliRunner

from lima_curate.cli.main import app


@pytest.mark.slow
@pytest.mark.realdata
def test_lima_recipe_on_the_real_dumps(realdata, repo_root, tmp_path, monkeypatch):
    monkeypatch.chdir(repo_root)
    result = CliRunner().invoke(app, ["build", "pipelines/lima.yaml", "--raw", str(realdata),
                                      "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output[-3000:]
    folder = tmp_path / "lima"
    manifest = json.loads((folder / "manifest.json").read_text())
    train, test = manifest["splits"]["train"], manifest["splits"]["test"]
    assert train["stackexchange"] > 0 and train["wikihow"] > 0 and train["writingprompts"] > 0
    assert test["askreddit"] > 0 and "askreddit" not in train
    rows = [json.loads(line) for line in (folder / "test.jsonl").read_text().splitlines()]
    assert all(len(row["messages"]) == 1 for row in rows)
    # the real dumps are far smaller than the paper's: every shortfall is reported by name
    assert manifest["quotas"]["stackexchange_stem"]["shortfall"] > 0
    assert any("quota stackexchange_stem" in note for note in manifest["notes"])
    assert "Reddit" in " ".join(manifest["terms_notices"])
