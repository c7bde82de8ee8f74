"""The authored-folder checker: one planted problem per finding code, and the clean case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lima_curate.authoring.check import check_folder, style_findings
from lima_curate.cli.author import author_app
from lima_curate.authoring.similarity import tfidf_similarity
from lima_curate.config import AuthoredConfig, PipelineConfig
from lima_curate.records import Example

CONFIG = PipelineConfig(authored=AuthoredConfig(train_target=1, dev_target=1, test_target=1))
LONG = "Answer text. " * 20


def same_text(a, b):
    """A cheap similarity: 1 for equal texts (ignoring case and spaces), else 0."""
    norm = lambda text: " ".join(text.lower().split())  # noqa: E731
    return np.array([[1.0 if norm(x) == norm(y) else 0.0 for y in b] for x in a], dtype=np.float32)


@pytest.fixture
def base(write_example, markdown_text) -> Path:
    """A clean folder: one train, one dev (Group A) and one test prompt (Group B)."""
    write_example("train-1.md", markdown_text("train-1"))
    write_example("dev-1.md", markdown_text("dev-1", split="dev"))
    return write_example("test-1.md", markdown_text("test-1", group="B", split="test")).parent


def run(folder: Path, mined=(), config=CONFIG):
    return check_folder(folder, config, mined=mined, similarity=same_text)


def test_clean_folder_has_only_information(base):
    findings = run(base)
    assert [(f.severity, f.code) for f in findings] == [("info", "group-count"), ("info", "safety-count")]
    assert findings[0].message == "Group A: 2 (train 1, dev 1); Group B: 1 (test 1)"
    assert findings[1].message.startswith("0 of 1 train examples are tagged safety; the paper has 13 of 200")


MIXED = "---\nid: mixed\ngroup: A\nsplit: train\n---\n\n## Response\n\n" + LONG + "\n\n## Prompt\n\nq\n"
PLANTED = {
    # code: (file name, content or a function of the markdown helper, line, message fragment)
    "encoding": ("bad.md", b"---\nid: e\ngroup: A\nsplit: train\n---\n\n## Prompt\n\n\xff\n", 9, "not UTF-8"),
    "front-matter": ("bad.md", "---\nid: e\ngroup: [A\n---\n\n## Prompt\n\nq\n", 3, "not valid YAML"),
    "bad-record": ("bad.jsonl", '{"prompt": "p", "response": 3}\n', 1, "'response' must be text"),
    "unknown-field": ("bad.md", lambda md: md(ident="u", extra="colour: red\n"), 6, "unknown field 'colour'"),
    "missing-field": ("bad.md", lambda md: md(ident="m").replace("split: train\n", ""), 1, "missing required field 'split'"),
    "bad-field": ("bad.md", lambda md: md(ident="g").replace("group: A", "group: C"), 3, "group must be A or B"),
    "missing-section": ("bad.md", lambda md: md(ident="s", response=""), 8, "no response after this prompt"),
    "section-order": ("bad.md", MIXED, 7, "expected a prompt here, found a response"),
    "empty-section": ("bad.md", lambda md: md(ident="y", prompt=" "), 8, "the prompt is empty"),
    "test-response": ("bad.md", lambda md: md(ident="t", group="B", split="test", response=LONG), 12, "single prompt"),
    "duplicate-id": ("zz.md", lambda md: md(ident="train-1", prompt="Another question"), 2, "also used at train-1.md:2"),
    "response-length": ("bad.md", lambda md: md(ident="short", response="Too short."), 12, "under authored.min_response_chars"),
    "group-split": ("bad.md", lambda md: md(ident="b", group="B", split="train"), 4, "group B writes test only"),
    "group-leak": ("leak.md", lambda md: md(ident="leak", group="B", split="test", prompt="Question number train-1: how does train-1 work?"),
                   8, "close to the Group A prompt at train-1.md:8"),
    "near-duplicate": ("zz.md", lambda md: md(ident="dup", split="dev", prompt="QUESTION number train-1:  how does train-1 work?"),
                       8, "near duplicate of train-1.md:8"),
    "style-ai-disclaimer": ("bad.md", lambda md: md(ident="ai", response=f"As an AI language model, I think so. {LONG}"), 12, "As an AI"),
    "style-filler-opening": ("bad.md", lambda md: md(ident="op", response=f"Sure! {LONG}"), 12, "'Sure!'"),
    "style-filler-closing": ("bad.md", lambda md: md(ident="cl", response=f"{LONG}\n\nI hope this helps!"), 12, "I hope this helps"),
    "style-untagged-refusal": ("bad.md", lambda md: md(ident="no", response=f"I can't help with that. {LONG}"), 12, "not tagged safety"),
    "ignored-file": ("notes.txt", "some notes", None, "not an example file"),
}


@pytest.mark.parametrize("code", sorted(PLANTED))
def test_each_planted_problem_is_found(base, write_example, markdown_text, code):
    name, content, line, fragment = PLANTED[code]
    write_example(name, content(markdown_text) if callable(content) else content)
    config = CONFIG
    if code in ("group-leak", "test-response"):  # the extra test item is over the target otherwise
        config = PipelineConfig(authored=AuthoredConfig(train_target=1, dev_target=1, test_target=2))
    found = [f for f in run(base, config=config) if f.code == code]
    assert found, f"no {code} finding"
    assert (found[0].file, found[0].line) == (name, line)
    assert fragment in found[0].message
    assert found[0].severity == ("error" if code in ERRORS else "info" if code == "ignored-file" else "warning")


ERRORS = {"encoding", "front-matter", "bad-record", "unknown-field", "missing-field", "bad-field", "missing-section",
          "section-order", "empty-section", "test-response", "duplicate-id", "response-length", "group-split",
          "group-leak"}


def test_mined_overlap(base):
    mined = [
        Example("stackexchange-1", "stackexchange", "stem",
                ({"role": "user", "content": "Question number dev-1: how does dev-1 work?"},
                 {"role": "assistant", "content": LONG})),
        Example("wikihow-1", "wikihow", "home", ({"role": "user", "content": "Unrelated"}, {"role": "assistant", "content": LONG})),
    ]
    found = [f for f in run(base, mined=mined) if f.code == "mined-overlap"]
    assert [(f.file, f.line, f.severity) for f in found] == [("dev-1.md", 8, "warning")]
    assert "mined item stackexchange-1 (cosine 1.00): repeats a mined item" in found[0].message
    assert not [f for f in run(base, mined=mined[1:]) if f.code == "mined-overlap"]


def test_split_counts_short_and_over(base, write_example, markdown_text):
    write_example("train-2.md", markdown_text("train-2"))
    config = PipelineConfig(authored=AuthoredConfig(train_target=1, dev_target=3, test_target=1))
    messages = [f.message for f in run(base, config=config) if f.code == "split-count"]
    assert messages == [
        "dev has 1 examples, the recipe wants 3 (authored.dev_target): 2 short",
        "train has 2 examples, the recipe wants 1 (authored.train_target): 1 over",
    ]


def test_safety_count_counts_tagged_train_items(base, write_example, markdown_text):
    write_example("refuse.md", markdown_text("refuse", tags=["safety"], response=f"I won't help with that. {LONG}"))
    findings = run(base, config=PipelineConfig(authored=AuthoredConfig(train_target=200, dev_target=1, test_target=1)))
    safety = [f for f in findings if f.code == "safety-count"]
    assert safety[0].message.startswith("1 of 2 train examples are tagged safety; the paper has 13 of 200, about 13")
    assert not [f for f in findings if f.code == "style-untagged-refusal"]  # tagged, so no warning


def test_ignore_config_drops_codes(base, write_example, markdown_text):
    write_example("op.md", markdown_text("op", split="dev", response=f"Certainly! {LONG}"))
    config = PipelineConfig(authored=AuthoredConfig(train_target=1, dev_target=2, test_target=1,
                                                    ignore=("style-filler-opening",)))
    assert not [f for f in run(base, config=config) if f.code.startswith("style")]


@pytest.mark.parametrize(
    "response, code",
    [
        ("I'm just an AI, so I have no opinion. " + LONG, "style-ai-disclaimer"),
        ("As of my last update, the rule was different. " + LONG, "style-ai-disclaimer"),
        ("Great question! " + LONG, "style-filler-opening"),
        ("Of course, here it is. " + LONG, "style-filler-opening"),
        (LONG + "\n\nLet me know if you have any other questions.", "style-filler-closing"),
        ("I am unable to provide that. " + LONG, "style-untagged-refusal"),
    ],
)
def test_style_rules_flag(response, code):
    assert [f.code for f in style_findings(response, ())] == [code]


@pytest.mark.parametrize(
    "response",
    [
        "AI models such as this one learn from data. " + LONG,  # talks about AI, not as one
        "Surely the simplest fix is to restart it. " + LONG,  # 'Surely' is not 'Sure!'
        "Of course the kettle boils sooner at altitude. " + LONG,  # no interjection punctuation
        "I hope this helps you see why, as the next section shows. " + LONG,  # not at the end
        "You can't help but notice the smell. I can't help but smile. " + LONG,  # an idiom, not a refusal
    ],
)
def test_style_rules_keep(response):
    assert style_findings(response, ()) == []


def test_tfidf_similarity_ranks_paraphrases_high():
    a = ["How do I undo my last git commit but keep the changes?"]
    b = ["how do I undo the last git commit and keep my changes", "Why is the sky blue?"]
    scores = tfidf_similarity(a, b)
    assert scores.shape == (1, 2) and scores[0, 0] > 0.6 > 0.2 > scores[0, 1]


def test_shipped_folder_checks_clean_with_tfidf(repo_root):
    from lima_curate.config import load_pipeline

    config = load_pipeline(repo_root / "pipelines" / "sample.yaml")
    findings = check_folder(repo_root / "raw" / "authored", config, similarity=tfidf_similarity)
    assert [f.render() for f in findings if f.severity != "info"] == []


@pytest.mark.slow
def test_shipped_folder_checks_clean_with_embeddings(repo_root, tmp_path):
    from lima_curate.config import load_pipeline

    config = load_pipeline(repo_root / "pipelines" / "sample.yaml",
                           {"select.embedding.cache_dir": str(tmp_path / "cache")})
    findings = check_folder(repo_root / "raw" / "authored", config)
    assert [f.render() for f in findings if f.severity == "error"] == []


def test_check_cli_prints_findings_and_fails_on_errors(base, write_example, markdown_text, monkeypatch):
    monkeypatch.chdir(base.parent)  # no pipelines/sample.yaml here: the defaults apply
    write_example("short.md", markdown_text("short", split="dev", response="Too short."))
    pipeline = base.parent / "p.yaml"
    pipeline.write_text("authored:\n  train_target: 1\n  dev_target: 2\n  test_target: 1\n")
    result = CliRunner().invoke(author_app, ["check", "authored", "--pipeline", "p.yaml", "--similarity", "tfidf"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "authored/short.md:12: error response-length: response is 10 characters, under " \
           "authored.min_response_chars (200)" in lines
    assert "authored: info group-count: Group A: 3 (train 1, dev 2); Group B: 1 (test 1)" in lines
    assert lines[-1] == "1 error, 0 warnings, 2 info"


def test_check_cli_passes_on_a_clean_folder_and_strict_fails_on_warnings(base, monkeypatch):
    monkeypatch.chdir(base.parent)
    pipeline = base.parent / "p.yaml"
    pipeline.write_text("authored:\n  train_target: 1\n  dev_target: 1\n  test_target: 1\n")
    runner = CliRunner()
    ok = runner.invoke(author_app, ["check", str(base), "--pipeline", str(pipeline), "--similarity", "none"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[-1] == "0 errors, 0 warnings, 2 info"
    strict = runner.invoke(author_app, ["check", str(base), "--similarity", "none", "--strict"])
    assert strict.exit_code == 1  # the default targets (200/50/230) leave every split short
    assert strict.stdout.splitlines()[-1] == "0 errors, 3 warnings, 2 info"
    missing = runner.invoke(author_app, ["check", str(base), "--pipeline", "missing.yaml"])
    assert missing.exit_code == 2 and "missing.yaml: pipeline file not found" in missing.output


def test_check_cli_reads_the_pipeline_folder_and_mined_items(base, monkeypatch):
    monkeypatch.chdir(base.parent)
    (base.parent / "pipelines").mkdir()
    (base.parent / "pipelines" / "sample.yaml").write_text(
        "authored:\n  dir: ../authored\n  train_target: 1\n  dev_target: 1\n  test_target: 1\n")
    mined = base.parent / "train.jsonl"
    from lima_curate.records import write_jsonl

    write_jsonl(mined, [Example("se-1", "stackexchange", "stem",
                                ({"role": "user", "content": "Question number train-1: how does train-1 work?"},
                                 {"role": "assistant", "content": LONG}))])
    result = CliRunner().invoke(author_app, ["check", "--mined", str(mined), "--similarity", "tfidf"])
    assert result.exit_code == 0, result.output
    assert "authored/train-1.md:8: warning mined-overlap: prompt is close to mined item se-1" in result.stdout
