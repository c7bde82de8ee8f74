"""The exported dataset and what makes it usable: split files, formats, card, licence, report.

Entry points (all take plain data; heavy libraries are imported only when needed):

``write_data_files(folder, export, splits, candidates) -> list[Path]``
    The data files of a build, driven by ``export`` (an ``ExportConfig``): the three split
    files, candidates.jsonl, lima.jsonl, Parquet / save_to_disk. Returns the paths written
    (the manifest lists them with their hashes).
``write_documents(folder, name, export, splits, manifest)``
    What a person reads: README.md (the dataset card), LICENSE.md, ATTRIBUTION.md and, with
    ``export.report``, report.html; all from the splits and the finished manifest.
``splits.write_splits(folder, splits: dict[str, list[Example]]) -> dict[str, int]``
    train.jsonl, dev.jsonl, test.jsonl in one fixed row schema (see :mod:`.splits`).
``lima_layout.write_lima_layout(path, examples) -> int``
    lima.jsonl as ``{"conversations": [...], "source": ...}``.
``formats.write_formats(folder, splits, parquet: bool, save_to_disk: bool) -> list[Path]``
    parquet/<split>.parquet and hf_dataset/ (save_to_disk), atomically.
``card.write_card(path, *, name, splits, manifest, pretty_name=None)``
    README.md, a Hugging Face dataset card (built with huggingface_hub's DatasetCard).
``card.write_licence_file(path, splits, manifest)``
    LICENSE.md, the set's licence and every source's terms (the card's ``license_link``).
``attribution.write_attribution(path, examples) -> int``
    ATTRIBUTION.md for every CC BY* item.
``report.write_report(folder, out=None, *, projection=None, max_points=None, seed=None) -> Path``
    report.html (the ``lima-curate report`` command is :mod:`lima_curate.cli.report`).

Licences and the commercial gate are a build stage: :mod:`lima_curate.licence`.
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
