"""``lima-curate build``: run a pipeline file and print its summary."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Optional

import typer

from lima_curate.cli.common import default_pipeline, os_failure, fail, user_errors


@user_errors
def build(
    pipeline: Optional[Path] = typer.Argument(
        None, metavar="PIPELINE", help="Pipeline file (default: pipelines/sample.yaml, the embedded sample in raw/)."
    ),
    raw: Optional[Path] = typer.Option(
        None, "--raw", metavar="DIR", help="Folder laid out like shared/realdata (stackexchange/, wikihow/, reddit/, ...)."
    ),
    out: Path = typer.Option(Path("output"), "--out", metavar="DIR",
                             help="Outputs go to OUT/<name>/, the embedding cache to OUT/.cache/embeddings/."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N", help="Override the pipeline's seed."),
    commercial: bool = typer.Option(
        False, "--commercial", metavar="", help="Refuse non-commercial items (wikiHow, Reddit) and say how many."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", metavar="", help="Only errors and the final line."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", metavar="",
        help="Also details per site and file, each step's time, and library warnings.",
    ),
    eval_files: Optional[list[Path]] = typer.Option(
        None, "--eval", metavar="FILE",
        help="An evaluation prompt file (JSONL) to decontaminate against, besides the pipeline's "
             "select.eval_files; repeat for more (e.g. ../shared/realdata/lima/lima_test_set.jsonl).",
    ),
) -> None:
    """Build a LIMA-style set: extract, filter, dedup, select, split and export."""
    from lima_curate.cli import output
    from lima_curate.config import load_pipeline
    from lima_curate.pipeline import build as run_build
    from lima_curate.summary import final_line, print_summary

    if quiet and verbose:
        raise fail("--quiet and --verbose do not go together")
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

    command = recorded_command(sys.argv[1:])
    verbosity = output.QUIET if quiet else output.VERBOSE if verbose else output.NORMAL
    with output.session(verbosity) as channel:
        try:
            result = run_build(config, raw=raw, out=out, pipeline_path=pipeline, command=command)
        except OSError as error:
            exit_ = os_failure(error, out / config.name)
            if exit_ is None:
                raise
            raise exit_ from None
        if not quiet:
            print_summary(result)
        typer.echo(output.wrap(final_line(result, channel.warnings, quiet=quiet), output.stdout_width()))


#: flags that change what is printed, not what is built: left out of the recorded command
MESSAGE_FLAGS = frozenset({"-q", "--quiet", "-v", "--verbose"})


def recorded_command(arguments: list[str]) -> str:
    """The command line the manifest and card record: as typed, less the message flags, so
    that ``-q`` or ``-v`` leave the outputs byte-identical."""
    return shlex.join(["lima-curate", *(argument for argument in arguments if argument not in MESSAGE_FLAGS)])
