"""The same rows as Parquet (``parquet/<split>.parquet``) and a ``datasets`` save_to_disk folder.

Both have the rows, columns and ``datasets`` features that ``load_dataset("json", ...)`` gives
for the JSONL files (:mod:`.splits`), so every format loads as the same dataset.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable, Mapping

from lima_curate.atomic import atomic_write, staged_directory
from lima_curate.export.splits import ROW_FIELDS, split_rows
from lima_curate.records import Example, dumps

#: column order: sorted, as ``load_dataset("json")`` infers it from sorted-key JSON lines
COLUMNS = tuple(sorted(ROW_FIELDS))


def features() -> Any:
    """The ``datasets.Features`` of an exported row."""
    from datasets import Features, Value

    string = Value("string")
    types = {name: string for name in COLUMNS}
    types["noncommercial"] = Value("bool")
    types["messages"] = [{"content": string, "role": string}]
    return Features({name: types[name] for name in COLUMNS})


def arrow_table(rows: list[dict[str, Any]]) -> Any:
    """The rows as a pyarrow Table with the exported schema (works for zero rows too)."""
    import pyarrow as pa

    schema = features().arrow_schema
    columns = {name: [row[name] for row in rows] for name in COLUMNS}
    return pa.Table.from_pydict(columns, schema=schema)


def write_parquet(folder: Path, rows_by_split: Mapping[str, list[dict[str, Any]]]) -> list[Path]:
    """Write ``<folder>/parquet/<split>.parquet`` for every split; return the paths."""
    import pyarrow.parquet as pq

    paths = []
    for split, rows in rows_by_split.items():
        path = Path(folder) / "parquet" / f"{split}.parquet"
        with atomic_write(path, "wb") as handle:
            pq.write_table(arrow_table(rows), handle, compression="zstd")
        paths.append(path)
    return paths


def write_disk(folder: Path, rows_by_split: Mapping[str, list[dict[str, Any]]]) -> Path:
    """Write a ``datasets.DatasetDict.save_to_disk`` folder at ``<folder>/hf_dataset``."""
    from datasets import Dataset, DatasetDict, DatasetInfo, NamedSplit
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    parts = {}
    for split, rows in rows_by_split.items():
        # a fingerprint from the content, so reruns write the same state.json
        digest = hashlib.sha256("\n".join(dumps(r) for r in rows).encode("utf-8")).hexdigest()[:16]
        parts[split] = Dataset(
            arrow_table(rows),
            info=DatasetInfo(features=features()),
            split=NamedSplit(split),
            fingerprint=f"{split}-{digest}",
        )
    final = Path(folder) / "hf_dataset"
    with staged_directory(final) as stage:
        DatasetDict(parts).save_to_disk(str(stage))
    return final


def write_formats(
    folder: Path,
    splits: Mapping[str, Iterable[Example]],
    parquet: bool = False,
    save_to_disk: bool = False,
) -> list[Path]:
    """Write the asked-for formats of ``splits`` into ``folder``; return what was written."""
    if not (parquet or save_to_disk):
        return []
    rows = split_rows(splits)
    written: list[Path] = []
    if parquet:
        written += write_parquet(folder, rows)
    if save_to_disk:
        written.append(write_disk(folder, rows))
    return written
