"""``lima-curate review`` driven through CliRunner input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lima_curate.records import Example, write_jsonl
from lima_curate.cli.review import review
from lima_curate.review.decisions import load_decisions

app = typer.Typer()
app.command()(review)


def candidate(ident, quota, rank, selected):
    source = quota.split("_")[0]
    return Example(ident, source, "x",
                   ({"role": "user", "content": f"prompt of {ident}"}, {"role": "assistant", "content": f"answer of {ident}"}),
                   {"quota": quota, "rank": rank, "selected": selected, "url": f"https://example.org/{ident}"})


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "sample.yaml").write_text("name: rv\n")
    write_jsonl(tmp_path / "output" / "rv" / "candidates.jsonl", [
        candidate("wh-2", "wikihow", 2, False),
        candidate("se-1", "stackexchange_stem", 2, False),
        candidate("wh-1", "wikihow", 1, True),
        candidate("se-0", "stackexchange_stem", 1, True),
    ])
    return tmp_path


DECISIONS = Path("pipelines/sample.review.jsonl")


def test_review_writes_decisions(project):
    answers = "x\na\nr\nduplicate of se-0\ne\nA clearer prompt\nover two lines\n.\n.\nfixed the prompt\nq\n"
    result = CliRunner().invoke(app, ["--inline", "--reviewer", "ana"], input=answers, env={"EDITOR": None, "VISUAL": None})
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("[1/4] stackexchange_stem · rank 1 · selected") < out.index("[2/4] stackexchange_stem · rank 2")
    assert "please answer a, r, e, s or q" in out and "https://example.org/se-0" in out
    assert "1 accept, 1 reject, 1 edit, 0 skip; decisions in pipelines/sample.review.jsonl" in out
    rows = [json.loads(line) for line in DECISIONS.read_text().splitlines()]
    assert [(r["id"], r["decision"], r["note"], r["reviewer"]) for r in rows] == [
        ("se-0", "accept", "", "ana"), ("se-1", "reject", "duplicate of se-0", "ana"), ("wh-1", "edit", "fixed the prompt", "ana"),
    ]
    assert rows[2]["messages"] == [{"role": "user", "content": "A clearer prompt\nover two lines"},
                                   {"role": "assistant", "content": "answer of wh-1"}]
    assert all(r["at"].endswith("+00:00") for r in rows)

    # a second session shows only the undecided candidate; end of input is a quit
    again = CliRunner().invoke(app, ["--inline"], input="s\n")
    assert again.exit_code == 0, again.output
    assert "[1/1] wikihow · rank 2 · runner-up" in again.output and "0 accept, 0 reject, 0 edit, 1 skip" in again.output
    quiet = CliRunner().invoke(app, ["--inline", "--quota", "stackexchange_stem"], input="")
    assert "nothing to review (2 already decided; --all shows them again)" in quiet.output
    redo = CliRunner().invoke(app, ["--inline", "--all", "--source", "stackexchange"], input="s\n")
    assert "earlier decision: accept" in redo.output and "quit: the decisions so far are saved" in redo.output
    assert len(load_decisions(DECISIONS)) == 3


def test_review_edit_in_an_editor(project):
    script = project / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('answer of se-0', 'A much better answer.'))\n"
    )
    result = CliRunner().invoke(app, ["--editor", f"{sys.executable} {script}"], input="e\n\nq\n")
    assert result.exit_code == 0, result.output
    decision = load_decisions(DECISIONS)["se-0"]
    assert decision.decision == "edit" and decision.messages[1]["content"] == "A much better answer."


def test_review_editor_result_that_does_not_parse_is_not_saved(project):
    script = project / "editor.py"
    script.write_text("import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('## Response\\n\\nno prompt\\n')\n")
    result = CliRunner().invoke(app, ["--editor", f"{sys.executable} {script}"], input="e\nq\n")
    assert result.exit_code == 0, result.output
    assert "line 1: no prompt (a '## Prompt' section)\nnothing saved; choose again" in result.output
    assert not DECISIONS.exists()


def test_review_errors_are_one_line(project):
    missing = CliRunner().invoke(app, ["--out", "elsewhere"])
    assert missing.exit_code == 2
    assert missing.output.strip() == "error: elsewhere/rv/candidates.jsonl: not found; run `lima-curate build pipelines/sample.yaml` first"
    DECISIONS.write_text('{"id": "se-0", "decision": "accept"}\n{"id": "se-1", "decision": "nope"}\n')
    bad = CliRunner().invoke(app, [])
    assert bad.exit_code == 2
    assert bad.output.strip() == (
        "error: pipelines/sample.review.jsonl:2: 'decision' must be accept, reject or edit, got 'nope'"
    )
