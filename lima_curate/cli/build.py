"""``lima-curate build``: run a pipeline file and print its summary."""

from __future__ import annotations

import logging
import shlex
import sys
import warnings
from pathlib import Path
from typing import Optional

import typer

from lima_curate.cli.common import default_pipeline, disk_failure, fail, user_errors


@user_errors
def build(
    pipeline: Optional[Path] = typer.Argument(
        None, help="Pipeline file (default: pipelines/sample.yaml, the embedded sample in raw/)."
    ),
    raw: Optional[Path] = typer.Option(
        None, "--raw", help="Folder laid out like shared/realdata (stackexchange/, wikihow/, reddit/, ...)."
    ),
    out: Path = typer.Option(Path("output"), "--out", help="Outputs go to OUT/<name>/."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override the pipeline's seed."),
    commercial: bool = typer.Option(
        False, "--commercial", help="Refuse non-commercial items (wikiHow, Reddit) and say how many."
    ),
    eval_files: Optional[list[Path]] = typer.Option(
        None, "--eval", help="An evaluation prompt file (JSONL) to decontaminate against, besides the pipeline's "
                             "select.eval_files; repeat for more (e.g. ../shared/realdata/lima/lima_test_set.jsonl).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Build a LIMA-style set: extract, filter, dedup, select, split and export."""
    from lima_curate.config import load_pipeline
    from lima_curate.pipeline import build as run_build
    from lima_curate.summary import print_summary

    pipeline = default_pipeline(pipeline)
    overrides: dict[str, object] = {"seed": seed}
    if commercial:
        overrides["export.commercial"] = True
    config = load_pipeline(pipeline, overrides)
    if eval_files:
        missing = next((path for path in eval_files if not path.is_file()), None)
        if missing is not None:
            raise fail(f"{missing}: --eval file not found")
        overrides["select.eval_files"] = [*config.select.eval_files, *(str(path.resolve()) for path in eval_files)]
        config = load_pipeline(pipeline, overrides)
    if raw is not None and not raw.is_dir():
        raise fail(f"{raw}: --raw is not a folder")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.simplefilter("default")

    def progress(message: str) -> None:
        if not quiet:
            typer.echo(f"· {message}", err=True)

    command = shlex.join(["lima-curate", *sys.argv[1:]])
    try:
        result = run_build(config, raw=raw, out=out, pipeline_path=pipeline, command=command, progress=progress)
    except OSError as error:
        exit_ = disk_failure(error, out / config.name)
        if exit_ is None:
            raise
        raise exit_ from None
    print_summary(result, quiet=quiet)
