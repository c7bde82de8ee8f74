"""The table printed at the end of a build: kept and dropped per rule per source, quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lima_curate.manifest import funnel_rows

if TYPE_CHECKING:
    from lima_curate.pipeline import BuildResult


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def print_summary(result: "BuildResult", quiet: bool = False) -> None:
    """Print the funnel, the quotas and the notes of a finished build."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, soft_wrap=True)
    manifest = result.manifest
    if not quiet:
        funnel = Table(title="Candidates per source and rule", show_lines=False)
        for column in ("source", "stage", "rule", "count"):
            funnel.add_column(column, justify="right" if column == "count" else "left")
        for source, stage, rule, count in funnel_rows(manifest.get("counts")):
            funnel.add_row(source, stage, rule, str(count))
        console.print(funnel)

        quotas = Table(title="Quotas (diversity of the selected items vs a random sample of the same size)")
        for column in ("quota", "split", "target", "pool", "selected", "shortfall",
                       "mean cos dist sel/rand", "cluster cover sel/rand"):
            quotas.add_column(column)
        for name, row in sorted(manifest.get("quotas", {}).items()):
            diversity = row.get("diversity") or {}
            distance = diversity.get("mean_pairwise_cosine_distance") or {}
            coverage = diversity.get("cluster_coverage") or {}
            quotas.add_row(
                name, _fmt(row.get("split")), _fmt(row.get("target")), _fmt(row.get("pool")),
                _fmt(row.get("selected")), _fmt(row.get("shortfall") or ""),
                f"{_fmt(distance.get('selected'))} / {_fmt(distance.get('random'))}" if distance else "",
                f"{_fmt(coverage.get('selected'))} / {_fmt(coverage.get('random'))}" if coverage else "",
            )
        console.print(quotas)
        for note in result.notes:
            console.print(f"note: {note}", markup=False)
        for notice in manifest.get("terms_notices", []):
            console.print(f"terms: {notice}", markup=False)
    sizes = ", ".join(f"{split} {len(items)}" for split, items in result.splits.items())
    console.print(f"wrote {result.folder} ({sizes})", markup=False)
