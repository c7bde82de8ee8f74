"""`lima-curate build pipelines/lima.yaml --raw ../shared/realdata`, as the README gives it, in a pipe."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from test_readme import readme_commands


@pytest.mark.slow
@pytest.mark.realdata
def test_lima_recipe_on_the_real_dumps(realdata, repo_root, tmp_path):
    (command,) = [c for c in readme_commands(repo_root) if "../shared/realdata" in c]
    program, *args = shlex.split(command)
    assert program == "lima-curate" and args == ["build", "pipelines/lima.yaml", "--raw", "../shared/realdata"]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    run = subprocess.run([sys.executable, "-c", "from lima_curate.cli import run; run()", *args,
                          "--out", str(tmp_path)],
                         cwd=repo_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]
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

    # what the pipe shows: 80 columns, and each fact (every note of the manifest) said once
    printed = run.stdout
    assert max(len(line) for line in printed.splitlines()) <= 80
    said = " ".join(printed.split())
    for note in manifest["notes"]:
        assert said.count(note) == 1, note
    assert len(re.findall(r"^warning: ", printed, re.M)) == len(manifest["notes"])
    assert said.endswith(f"; {len(manifest['notes'])} warnings above")
