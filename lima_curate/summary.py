"""What a build prints at the end: the funnel, the quotas, the terms, and one final line.

Each table fits 80 columns (a pipe or a log file) without cutting a name: long columns wrap
inside their cell.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Mapping

from lima_curate.licence import TERMS_SHORT
from lima_curate.manifest import NOT_CHECKED, stage_rank, stage_rows

if TYPE_CHECKING:
    from lima_curate.pipeline import BuildResult


def _n(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _table(title: str, **options: Any) -> Any:
    """An empty rich table in the summary's style, titled ``title``."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0), title_justify="left",
                 caption_justify="left", **options)


def funnel_table(counts: "Mapping[str, Any] | None") -> Any:
    """The funnel as a rich table: source, stage, in, out, then drops by rule (one a line)."""
    table = _table("Candidates in and out of each stage, per source")
    table.add_column("source", no_wrap=True)
    table.add_column("stage", no_wrap=True)
    table.add_column("in", justify="right", no_wrap=True)
    table.add_column("out", justify="right", no_wrap=True)
    table.add_column("dropped by rule", overflow="fold")
    previous = None
    unexplained = set()
    for row in stage_rows(counts):
        details = [f"{rule} {_n(n)}" for rule, n in row.drops]
        if row.not_checked:
            details.append(f"{_n(row.not_checked)} not checked" + ("*" if row.stage in NOT_CHECKED else ""))
            unexplained.add(row.stage)
        table.add_row("" if row.source == previous else row.source, row.stage, _n(row.entered), _n(row.passed),
                      "\n".join(details))
        previous = row.source
    notes = [f"* {NOT_CHECKED[stage]}." for stage in sorted(unexplained, key=stage_rank)
             if stage in NOT_CHECKED]
    if notes:
        table.caption = "\n".join(notes)
    return table


def quota_table(quotas: Mapping[str, Any]) -> Any:
    """Per quota: target, pool, selected, shortfall and diversity against random draws."""
    table = _table("Quotas: diversity of the selected items vs random draws of the same size",
                   caption="distance: mean pairwise cosine distance of the prompts; coverage: share of the "
                           "pool's k-means clusters holding a selected item")
    table.add_column("quota", overflow="fold")
    for column in ("target", "pool", "selected", "short"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("distance\nsel/rand", justify="right", no_wrap=True)
    table.add_column("coverage\nsel/rand", justify="right", no_wrap=True)
    for name, row in sorted(quotas.items()):
        diversity = row.get("diversity") or {}
        distance = diversity.get("mean_pairwise_cosine_distance") or {}
        coverage = diversity.get("cluster_coverage") or {}
        split = row.get("split")
        table.add_row(
            name if split in (None, "train") else f"{name} ({split})",
            _n(row.get("target")), _n(row.get("pool")), _n(row.get("selected")), _n(row.get("shortfall") or ""),
            f"{_n(distance.get('selected'))}/{_n(distance.get('random'))}" if distance else "",
            f"{_n(coverage.get('selected'))}/{_n(coverage.get('random'))}" if coverage else "",
        )
    return table


def terms_table(manifest: Mapping[str, Any]) -> Any:
    """Each source's items in the set and the terms they come under."""
    table = _table("Licences and terms of the items in the set")
    table.add_column("terms", no_wrap=True)
    table.add_column("items", justify="right", no_wrap=True)
    table.add_column("what they allow", overflow="fold")
    for key, count in sorted(((manifest.get("licence") or {}).get("terms") or {}).items()):
        table.add_row(key, _n(count), TERMS_SHORT.get(key, "no terms notice known; check the source"))
    return table


def print_summary(result: "BuildResult", file: Any = None) -> None:
    """Print the funnel, the quotas and the terms of a finished build (standard output),
    each table fitted to the console's width (80 columns in a pipe), with no trailing blanks."""
    from rich.console import Console

    console = Console(file=file or sys.stdout, soft_wrap=False, highlight=False)
    manifest = result.manifest
    tables = [funnel_table(manifest.get("counts"))]
    if manifest.get("quotas"):
        tables.append(quota_table(manifest["quotas"]))
    if (manifest.get("licence") or {}).get("terms"):
        tables.append(terms_table(manifest))
    for table in tables:
        with console.capture() as captured:
            console.print(table)
        console.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n\n")
    console.file.flush()


def final_line(result: "BuildResult", warnings: int = 0, *, quiet: bool = False) -> str:
    """``wrote output/lima (train 222, dev 4, test 22); 8 warnings above``."""
    sizes = ", ".join(f"{split} {len(items)}" for split, items in result.splits.items())
    line = f"wrote {result.folder} ({sizes})"
    if warnings:
        said = "(run without -q to see them)" if quiet else "above"
        line += f"; {warnings} warning{'s' if warnings != 1 else ''} {said}"
    return line
