"""The README's real-data build (the LIMA recipe on ../shared/realdata with its test set held out), in a pipe."""

import json
import os
import re
import shlex
import statistics
import subprocess
import sys

import pytest

from lima_curate.sources.stackexchange.measure import thread_phrases
from lima_curate.text import leftovers, story_notes, wording
from lima_curate.text.html import prose_only
from test_readme import readme_commands


@pytest.mark.slow
@pytest.mark.realdata
def test_lima_recipe_on_the_real_dumps(realdata, repo_root, tmp_path):
    (command,) = [c for c in readme_commands(repo_root) if "../shared/realdata" in c]
    program, *args = shlex.split(command)
    assert program == "lima-curate" and args == ["build", "pipelines/lima.yaml", "--raw", "../shared/realdata",
                                               "--eval", "../shared/realdata/lima/lima_test_set.jsonl"]
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

    # issue 10's targets on the real build: LIMA-like story lengths, none of the under-strict patterns
    trained = [json.loads(line) for line in (folder / "train.jsonl").read_text().splitlines()]
    lima = json.loads((realdata / "lima" / "lima_train_alpaca_format.json").read_text())
    lima_mean = statistics.mean(len(lima[i]["output"]) for i in range(850, 1000))
    stories = [r["messages"][-1]["content"] for r in trained if r["source"] == "writingprompts"]
    assert 0.7 <= statistics.mean(map(len, stories)) / lima_mean <= 1.3
    assert not any(story_notes.author_notes(s) or leftovers.entity_residue(s) or leftovers.bare_link_lines(s)
                   for s in stories)
    for row in (r for r in trained if r["source"] == "stackexchange"):
        answer = row["messages"][-1]["content"]
        prose = prose_only(answer)
        assert not (wording.thread_talk(prose) or leftovers.removed_image_references(prose)
                    or leftovers.bare_link_lines(answer) or thread_phrases(prose_only(row["messages"][0]["content"])))
    assert any("lima_test_set.jsonl" in json.dumps(entry) for entry in manifest["inputs"])
