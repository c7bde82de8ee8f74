"""train.jsonl, dev.jsonl, test.jsonl: one fixed row schema for every source.

Each line is one item with exactly these keys (JSON, sorted keys)::

    id             str   stable id (records.make_id)
    source         str   stackexchange | wikihow | writingprompts | askreddit | sni | authored
    domain         str   stratum inside the source (stem/other, wikiHow category, ...)
    split          str   train | dev | test
    messages       list  [{"role": "user"|"assistant"|"system", "content": str}, ...]
    license        str   the item's licence as its source gives it ("" when unknown)
    url            str   where the content lives ("" for hand-written items)
    noncommercial  bool  True when it may not be used commercially (NC licence or Reddit terms)
    terms          str   key of the source's terms notice (see licence.TERMS_NOTICES)
    quota          str   the recipe quota it was selected in ("" for hand-written items)
    group          str   the group it was sampled from inside its quota (site, category)
    provenance     str   the item's whole ``meta`` as a canonical JSON string

Every value has one type in every row (missing strings are ``""``, never null), and the
source-specific ``meta`` — whose keys and types differ between sources — is carried as a
JSON *string*, so ``datasets.load_dataset("json", data_files=...)`` reads all three files,
mixed sources included, without a schema conflict; ``json.loads(row["provenance"])`` gives
the meta back. ``messages`` is the column SFT trainers (TRL's SFTTrainer, chat templates)
read. Test rows hold the prompt turns only (everything before the first assistant turn).
An empty split is an empty file; ``load_dataset`` refuses a named split with no rows, so
the dataset card's ``configs`` list only the non-empty ones.

Files are written atomically, rows in the order the caller gives, so the same input gives
byte-identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

from lima_curate.licence import is_noncommercial, terms_key
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_QUOTA,
    META_URL,
    Example,
    write_jsonl,
)
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


def prompt_turns(messages: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """The turns before the first assistant turn (a test item's prompt)."""
    turns = []
    for message in messages:
        if message["role"] == "assistant":
            break
        turns.append({"role": message["role"], "content": message["content"]})
    return turns


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def export_row(example: Example, split: str) -> dict[str, Any]:
    """The exported row of ``example`` in ``split`` (see the module docstring)."""
    meta = example.meta
    if split == "test":
        messages = prompt_turns(example.messages)
    else:
        messages = [{"role": m["role"], "content": m["content"]} for m in example.messages]
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
    """Write ``train.jsonl``, ``dev.jsonl`` and ``test.jsonl`` into ``folder``; return row counts.

    All three files are always written (an empty split gives an empty file).
    """
    counts = {}
    for split, rows in split_rows(splits).items():
        counts[split] = write_jsonl(split_file(folder, split), rows)
    return counts


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
