"""``lima-curate calibrate``: how many items of a known-good reference set a source's rules would drop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from lima_curate.cli.common import fail, user_errors

LIMA_PIPELINE = Path("pipelines/lima.yaml")
SOURCES = ("stackexchange", "wikihow", "writingprompts")  # calibrate.sources.SOURCES, without importing it


@user_errors
def calibrate(
    reference: Path = typer.Argument(
        ..., help="Reference set: LIMA's layout ({conversations}), alpaca ({instruction, input, output}) or "
                  "{messages}; one JSON array or JSONL."),
    source: str = typer.Option(..., "--source", help=f"Whose rules to run: {', '.join(SOURCES)}."),
    rows: Optional[str] = typer.Option(
        None, "--rows", help="Only items A to B-1 (A:B, counted from 0; LIMA's train set: Stack Exchange 0:400, "
                             "wikiHow 600:800, r/WritingPrompts 850:1000)."),
    json_path: Optional[Path] = typer.Option(
        None, "--json", help='Also write {"items": N, "kept": N, "dropped": {"<rule>": N, ...}} to this file.'),
    pipeline: Optional[Path] = typer.Option(
        None, "--pipeline", help=f"The recipe whose rules run (default: {LIMA_PIPELINE})."),
) -> None:
    """Run a source's rules, as the build applies them, over a reference set: per rule, the
    items it drops (the first failing rule names a drop; 'alone' counts each rule by
    itself), with examples; rules that read what the reference cannot give (an answer's
    score or HTML) are counted as unmeasured."""
    from lima_curate.atomic import write_text
    from lima_curate.calibrate.references import parse_rows, read_reference
    from lima_curate.calibrate.report import calibrate as run_calibration
    from lima_curate.calibrate.report import format_report
    from lima_curate.calibrate.sources import SOURCES as RULES
    from lima_curate.config import load_pipeline

    if source not in RULES:
        raise fail(f"--source: unknown source {source!r} (known: {', '.join(RULES)})")
    try:
        selected = parse_rows(rows) if rows is not None else None
    except ValueError as error:
        raise fail(f"--rows: {error}") from None
    if pipeline is None and not LIMA_PIPELINE.is_file():
        raise fail(f"{LIMA_PIPELINE}: not found; run from the repository root or name a pipeline with --pipeline")
    config = load_pipeline(pipeline or LIMA_PIPELINE)
    items = read_reference(reference, selected)
    report = run_calibration(items, RULES[source](config))
    typer.echo(format_report(report))
    if json_path is not None:
        write_text(json_path, json.dumps(report.as_json(), ensure_ascii=False) + "\n")  # the rules in their order
