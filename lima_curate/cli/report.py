"""``lima-curate report``: the HTML report of a build (the work is in :mod:`lima_curate.export.report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from lima_curate.cli.common import user_errors


@user_errors
def report(
    build_dir: Path = typer.Argument(
        Path("output/sample"), help="A build folder (OUT/<name>/ written by `lima-curate build`)."
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the page (default: BUILD_DIR/report.html)."),
    projection: Optional[str] = typer.Option(
        None, "--projection",
        help="Map of prompts: auto (sentence embeddings, else TF-IDF), embedding, tfidf or none "
             "(default: the build's export.report_projection).",
    ),
    max_points: Optional[int] = typer.Option(
        None, "--max-points", min=1, help="Most candidates drawn on the map (default: export.report_max_points)."
    ),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed for sampling and projection (default: the build's)."),
) -> None:
    """Write a self-contained HTML report of a build: counts, lengths, funnel, quotas, map."""
    from lima_curate.cli import output
    from lima_curate.export.report import write_report

    with output.session(output.NORMAL):  # the map's embedding step shows its progress
        path = write_report(build_dir, out, projection=projection, max_points=max_points, seed=seed)
    typer.echo(f"wrote {path}")
