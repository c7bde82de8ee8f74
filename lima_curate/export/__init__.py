"""The exported dataset and what makes it usable: split files, formats, card, licence, report.

:func:`write_data_files` writes the data files of a build, :func:`write_documents` what a
person reads (the card, LICENSE.md, ATTRIBUTION.md, report.html); one module for each.
Heavy libraries are imported only when needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from lima_curate.splits import SPLITS

if TYPE_CHECKING:
    from lima_curate.config import ExportConfig
    from lima_curate.records import Example


def write_data_files(
    folder: Path,
    export: "ExportConfig",
    splits: Mapping[str, list["Example"]],
    candidates: Iterable["Example"],
) -> list[Path]:
    """Write the data files of a build into ``folder``; return the paths written."""
    from lima_curate.export.formats import write_formats
    from lima_curate.export.lima_layout import write_lima_layout
    from lima_curate.export.splits import split_file, write_splits
    from lima_curate.records import write_jsonl

    folder = Path(folder)
    write_splits(folder, splits)
    written = [split_file(folder, s) for s in SPLITS]
    write_jsonl(folder / "candidates.jsonl", candidates)
    written.append(folder / "candidates.jsonl")
    if export.lima_layout:
        write_lima_layout(folder / "lima.jsonl", splits.get("train", []))
        written.append(folder / "lima.jsonl")
    written += [p for p in write_formats(folder, splits, parquet=export.parquet, save_to_disk=export.save_to_disk)
                if p.is_file()]
    return written


def write_documents(
    folder: Path,
    name: str,
    export: "ExportConfig",
    splits: Mapping[str, list["Example"]],
    manifest: Mapping[str, Any],
) -> None:
    """Write the card, LICENSE.md, ATTRIBUTION.md and (with ``export.report``) report.html."""
    from lima_curate.export.attribution import write_attribution
    from lima_curate.export.card import write_card, write_licence_file

    folder = Path(folder)
    write_attribution(folder / "ATTRIBUTION.md", [e for s in SPLITS for e in splits.get(s, [])])
    write_licence_file(folder / "LICENSE.md", splits, manifest)
    write_card(folder / "README.md", name=name, splits=splits, manifest=manifest,
               pretty_name=export.pretty_name or None)
    if export.report:
        from lima_curate.export.report import write_report

        write_report(folder, manifest=manifest)
