"""``lima-curate review``: go through a build's mined candidates in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from lima_curate.cli.common import default_pipeline, fail, user_errors


@user_errors
def review(
    pipeline: Optional[Path] = typer.Argument(None, help="Pipeline file (default: pipelines/sample.yaml)."),
    out: Path = typer.Option(Path("output"), "--out", help="Build outputs folder: reads OUT/<name>/candidates.jsonl."),
    source: Optional[str] = typer.Option(None, "--source", help="Only candidates from this source (e.g. wikihow)."),
    quota: Optional[str] = typer.Option(None, "--quota", help="Only candidates of this quota (e.g. stackexchange_stem)."),
    include_decided: bool = typer.Option(False, "--all", help="Also show candidates that already have a decision."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Name stored with each decision (default: review.reviewer)."),
    editor: Optional[str] = typer.Option(None, "--editor", help="Edit command (default: review.editor, $VISUAL, $EDITOR)."),
    inline: bool = typer.Option(False, "--inline", help="Type edits in the terminal even when an editor is set."),
) -> None:
    """Accept, reject or edit mined candidates; decisions go to <pipeline>.review.jsonl."""
    from lima_curate.config import load_pipeline
    from lima_curate.records import META_QUOTA, read_examples
    from lima_curate.review.decisions import DecisionLog, decisions_path
    from lima_curate.review.terminal import Session, choose_editor, run_review

    pipeline = default_pipeline(pipeline)
    config = load_pipeline(pipeline)
    path = out / config.name / "candidates.jsonl"
    if not path.is_file():
        raise fail(f"{path}: not found; run `lima-curate build {pipeline}` first")
    candidates = list(read_examples(path))
    log = DecisionLog(decisions_path(config, pipeline))
    if source:
        candidates = [c for c in candidates if c.source == source]
    if quota:
        candidates = [c for c in candidates if c.meta.get(META_QUOTA) == quota]
    decided = sum(1 for c in candidates if c.id in log.latest)
    if not include_decided:
        candidates = [c for c in candidates if c.id not in log.latest]
    if not candidates:
        typer.echo(f"nothing to review ({decided} already decided; --all shows them again)")
        return
    session = Session(log, reviewer=reviewer or config.review.reviewer or None,
                      editor=choose_editor(editor, config.review.editor, inline))
    counts = run_review(candidates, session)
    done = ", ".join(f"{counts[k]} {k}" for k in ("accept", "reject", "edit", "skip"))
    typer.echo(f"{done}; decisions in {log.path}")
