"""``lima-curate author new``: the template file, its defaults, and the editor hand-off."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from lima_curate.authoring.check import check_folder
from lima_curate.cli.author import author_app
from lima_curate.authoring.format import parse_markdown
from lima_curate.authoring.scaffold import new_example
from lima_curate.authoring.similarity import no_similarity
from lima_curate.errors import InputError


def test_new_example_defaults_and_template(tmp_path):
    train = new_example(tmp_path, tags=["safety"])
    test = new_example(tmp_path, group="b")
    assert (train.name, test.name) == ("train-001.md", "test-001.md")
    assert new_example(tmp_path).name == "train-002.md"
    item, problems = parse_markdown(train.read_text(), train.name)
    assert problems == []
    assert item.fields == {"id": "train-001", "group": "A", "split": "train", "tags": ["safety"], "license": "CC0-1.0"}
    assert [(t.role, t.content) for t in item.turns] == [("user", ""), ("assistant", "")]
    item, _ = parse_markdown(test.read_text(), test.name)
    assert (item.fields["group"], item.fields["split"], [t.role for t in item.turns]) == ("B", "test", ["user"])
    # an untouched template is not an example yet: the checker says what to fill in
    codes = {f.code for f in check_folder(tmp_path, similarity=no_similarity) if f.severity == "error"}
    assert codes == {"empty-section"}


@pytest.mark.parametrize(
    "kwargs, message",
    [({"group": "B", "split": "train"}, "group-split"), ({"group": "C"}, "bad-field"), ({"ident": "a b"}, "bad-field")],
)
def test_new_example_refuses_bad_fields(tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message):
        new_example(tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_new_example_never_overwrites(tmp_path):
    new_example(tmp_path, ident="mine")
    with pytest.raises(InputError, match="mine.md: already exists"):
        new_example(tmp_path, ident="mine")


def test_author_new_opens_the_editor(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "fake_editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text() + 'EDITED\\n')\n")
    result = CliRunner().invoke(author_app, ["new", "--dir", "ex", "--id", "hello", "--tags", "code,writing"],
                                env={"VISUAL": None, "EDITOR": f"{sys.executable} {script}"})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ex/hello.md"
    text = (tmp_path / "ex" / "hello.md").read_text()
    assert "tags: [code, writing]" in text and text.endswith("EDITED\n")


def test_author_new_without_editor_prints_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(author_app, ["new", "--split", "dev"], env={"VISUAL": None, "EDITOR": None})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "raw/authored/dev-001.md"
    again = CliRunner().invoke(author_app, ["new", "--split", "dev", "--id", "dev-001"], env={"VISUAL": None, "EDITOR": None})
    assert again.exit_code == 2 and "already exists" in again.output
