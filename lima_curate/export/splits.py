"""train.jsonl, dev.jsonl, test.jsonl: one fixed row schema (:data:`ROW_FIELDS`) for every source.

Every value has one type in every row (missing strings are ``""``), and the source-specific
``meta`` goes in ``provenance`` as a JSON string, so ``datasets.load_dataset("json", ...)``
reads all three files, mixed sources included, without a schema conflict. Test rows hold the
prompt turns only. Same input, same bytes.
"""

from __future__ import annotations

import json
import math
from itertools import takewhile
from pathlib import Path
from typing import Any, Iterable, Mapping

from lima_curate.licence import is_noncommercial, terms_key
from lima_curate.records import META_GROUP, META_LICENSE, META_QUOTA, META_URL, Example, write_jsonl
from lima_curate.splits import SPLITS

ROW_FIELDS = (
    "id", "source", "domain", "split", "messages", "license", "url",
    "noncommercial", "terms", "quota", "group", "provenance",
)


def split_file(folder: Path, split: str) -> Path:
    return Path(folder) / f"{split}.jsonl"


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a meta value: sets sorted, NaN/inf as strings, unknowns as str."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return str(value)


def provenance(meta: Mapping[str, Any]) -> str:
    """The meta as one canonical JSON string (sorted keys, no spaces)."""
    return json.dumps(_plain(meta), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def export_row(example: Example, split: str) -> dict[str, Any]:
    """The exported row of ``example`` in ``split``."""
    meta = example.meta
    messages = [{"role": m["role"], "content": m["content"]} for m in example.messages]
    if split == "test":  # the prompt: the turns before the first assistant turn
        messages = list(takewhile(lambda m: m["role"] != "assistant", messages))
    return {
        "id": example.id,
        "source": example.source,
        "domain": _text(example.domain),
        "split": split,
        "messages": messages,
        "license": _text(meta.get(META_LICENSE)),
        "url": _text(meta.get(META_URL)),
        "noncommercial": is_noncommercial(example),
        "terms": terms_key(example),
        "quota": _text(meta.get(META_QUOTA)),
        "group": _text(meta.get(META_GROUP)),
        "provenance": provenance(meta),
    }


def split_rows(splits: Mapping[str, Iterable[Example]]) -> dict[str, list[dict[str, Any]]]:
    """Rows for train, dev and test (an absent split gives no rows), in the caller's order."""
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise ValueError(f"unknown split {unknown[0]!r}; expected one of {', '.join(SPLITS)}")
    return {split: [export_row(e, split) for e in splits.get(split, ())] for split in SPLITS}


def write_splits(folder: Path, splits: Mapping[str, Iterable[Example]]) -> dict[str, int]:
    """Write all three split files into ``folder`` (an empty split, an empty file); return row counts."""
    return {split: write_jsonl(split_file(folder, split), rows) for split, rows in split_rows(splits).items()}


def row_to_example(row: Mapping[str, Any]) -> Example:
    """An exported row back as an Example (meta from ``provenance``; split kept in meta)."""
    try:
        meta = json.loads(row.get("provenance") or "{}")
    except json.JSONDecodeError:
        meta = {}
    meta = {**meta, "split": row.get("split", meta.get("split", ""))}
    return Example(
        id=row["id"], source=row["source"], domain=row.get("domain", ""),
        messages=tuple(row["messages"]), meta=meta,
    )


def read_split(path: Path) -> list[Example]:
    """The Examples of one exported split file (InputError naming file and line)."""
    from lima_curate.errors import InputError
    from lima_curate.records import numbered_jsonl

    examples = []
    for number, row in numbered_jsonl(path):
        try:
            examples.append(row_to_example(row))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(path, f"not an exported row ({error})", f"line {number}") from None
    return examples
