"""The ``lima-curate`` typer app: every command registered in one place."""

from __future__ import annotations

import typer

from lima_curate.cli.author import author_app
from lima_curate.cli.build import build
from lima_curate.cli.calibrate import calibrate
from lima_curate.cli.report import report
from lima_curate.cli.review import review
from lima_curate.train.cli import train

app = typer.Typer(
    help="Build LIMA-style alignment sets from raw public dumps, and fine-tune on them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(build)
app.command()(train)
app.add_typer(author_app, name="author")
app.command("review")(review)
app.command("report")(report)
app.command("calibrate")(calibrate)


if __name__ == "__main__":  # pragma: no cover
    app()
