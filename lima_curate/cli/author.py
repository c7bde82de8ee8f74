"""``lima-curate author new|check``: the typer sub-app for hand-written examples."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from lima_curate.cli.common import DEFAULT_PIPELINE, fail, user_errors

DEFAULT_DIR = Path("raw/authored")

author_app = typer.Typer(
    help="Write and check hand-written examples (raw/authored/).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _config(pipeline: "Path | None"):
    """The named pipeline, else pipelines/sample.yaml when present, else the defaults."""
    from lima_curate.config import load_pipeline

    if pipeline is None and DEFAULT_PIPELINE.is_file():
        pipeline = DEFAULT_PIPELINE
    return load_pipeline(pipeline)


def _authored_dir(config) -> Path:
    """The pipeline's authored.dir (relative to the working folder when inside it), else raw/authored."""
    if not config.authored.dir:
        return DEFAULT_DIR
    path = Path(config.authored.dir)
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


@author_app.command("new")
@user_errors
def new(
    folder: Optional[Path] = typer.Option(None, "--dir", help="Authored folder (default: the pipeline's authored.dir, else raw/authored)."),
    ident: Optional[str] = typer.Option(None, "--id", help="Example id, also the file name (default: <split>-NNN)."),
    group: Optional[str] = typer.Option(None, "--group", help="A (train/dev) or B (test prompts); default from the split."),
    split: Optional[str] = typer.Option(None, "--split", help="train, dev or test (default: train, or test for Group B)."),
    tags: List[str] = typer.Option([], "--tags", help="Tags, comma separated or repeated (e.g. --tags safety)."),
    author: Optional[str] = typer.Option(None, "--author", help="Who writes it (optional)."),
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", help="Pipeline file whose authored.dir to use."),
    edit: bool = typer.Option(True, "--edit/--no-edit", help="Open $VISUAL/$EDITOR on the new file when set."),
) -> None:
    """Create a new example file from the template and open it in your editor."""
    import shlex
    import subprocess

    from lima_curate.authoring.scaffold import new_example

    if folder is None:
        folder = _authored_dir(_config(pipeline))
    tag_list = [t for value in tags for t in value.split(",") if t.strip()]
    path = new_example(folder, ident=ident, group=group, split=split, tags=tag_list, author=author)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if edit and editor:
        status = subprocess.run([*shlex.split(editor), str(path)], check=False).returncode
        if status:
            typer.echo(f"warning: the editor exited with status {status}", err=True)
    typer.echo(str(path))


@author_app.command("check")
@user_errors
def check(
    folder: Optional[Path] = typer.Argument(None, help="Authored folder (default: the pipeline's authored.dir, else raw/authored)."),
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", help="Pipeline file: targets, length bounds, thresholds, embeddings."),
    mined: List[Path] = typer.Option([], "--mined", help="Mined items to compare prompts with (e.g. output/<name>/train.jsonl); repeatable."),
    similarity: str = typer.Option("embedding", "--similarity", help="embedding (the pipeline's model), tfidf (no model) or none."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
) -> None:
    """Lint the authored folder: fields, sections, lengths, duplicates, leakage, counts, voice."""
    from lima_curate.authoring.check import check_folder, summary
    from lima_curate.authoring.findings import ERROR, WARNING
    from lima_curate.records import read_examples

    if similarity not in ("embedding", "tfidf", "none"):
        raise fail(f"--similarity must be embedding, tfidf or none, not {similarity!r}")
    config = _config(pipeline)
    if folder is None:
        folder = _authored_dir(config)
    if not folder.is_dir():
        raise fail(f"{folder}: not a folder")
    items = []
    for path in mined:
        try:
            items.extend(read_examples(path))
        except FileNotFoundError:
            raise fail(f"{path}: --mined file not found") from None
    measure, label = _similarity(similarity, config)
    if label:
        typer.echo(f"similarity: {label}", err=True)
    findings = check_folder(folder, config, mined=items, similarity=measure)  # InputError: e.g. no model
    for finding in findings:
        typer.echo(finding.render(str(folder)))
    typer.echo(summary(findings))
    failing = {ERROR, WARNING} if strict else {ERROR}
    if any(f.severity in failing for f in findings):
        raise typer.Exit(1)


def _similarity(name: str, config):
    from lima_curate.authoring import similarity as measures

    if name == "none":
        return measures.no_similarity, "none (similarity checks off)"
    if name == "tfidf":
        return measures.tfidf_similarity, "TF-IDF character n-grams"
    from lima_curate.select.embed import cache_beside_outputs

    # the cache a default build keeps (output/.cache/embeddings), unless the pipeline names one
    return measures.default_similarity(cache_beside_outputs(config.select.embedding, Path("output")))
