"""Authored examples kept in JSONL or CSV files (e.g. exported from a spreadsheet).

JSONL: one object per line, either ``{"messages": [{"role", "content"}, ...]}`` or
``{"prompt": ..., "response": ...}`` (``response`` left out for a test prompt), plus the
Markdown front-matter fields ``id``, ``group``, ``split``, ``tags``, ``author``, ``license``.

CSV: a header row with ``prompt`` and optionally ``response``, ``split``, ``group``,
``tags`` (separated by ``,`` or ``;`` inside the cell), ``id``, ``author``, ``license``.

In both, missing fields get defaults: ``id`` is ``<file stem>-<line>`` (give ids when
lines may move), ``split`` is ``train``, ``group`` is ``B`` for test and ``A`` otherwise.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePosixPath
from typing import Any

from lima_curate.authoring.findings import Finding, error
from lima_curate.authoring.items import FIELDS, AuthoredItem, Turn, normalise_text
from lima_curate.csv_input import RecordError, dict_reader
from lima_curate.safe_json import JSONError, loads

TEXT_KEYS = ("messages", "prompt", "response")
CSV_COLUMNS = ("prompt", "response", *FIELDS)


def parse_jsonl(text: str, file: str) -> tuple[list[AuthoredItem], list[Finding]]:
    """The items of a JSONL file; a bad line is a ``bad-record`` finding, the rest still read."""
    items: list[AuthoredItem] = []
    problems: list[Finding] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = loads(line)
        except JSONError as bad_json:
            problems.append(error("bad-record", file, number, f"not valid JSON ({bad_json.msg})"))
            continue
        if not isinstance(record, dict):
            problems.append(error("bad-record", file, number, "each line must be a JSON object"))
            continue
        turns, turn_problems = _jsonl_turns(record, file, number)
        problems.extend(turn_problems)
        if turn_problems:
            continue
        fields = {k: v for k, v in record.items() if k not in TEXT_KEYS}
        items.append(_item(file, number, fields, turns))
    return items, problems


def _jsonl_turns(record: dict[str, Any], file: str, line: int) -> tuple[list[Turn], list[Finding]]:
    if "messages" in record:
        if "prompt" in record or "response" in record:
            return [], [error("bad-record", file, line, "give either 'messages' or 'prompt'/'response', not both")]
        messages = record["messages"]
        if not isinstance(messages, list) or not all(
            isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
            and isinstance(m.get("content"), str) for m in messages
        ):
            return [], [error("bad-record", file, line,
                              "'messages' must be a list of {\"role\": system|user|assistant, \"content\": text}")]
        return [Turn(m["role"], normalise_text(m["content"]), line) for m in messages], []
    turns = []
    for key, role in (("prompt", "user"), ("response", "assistant")):
        value = record.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return [], [error("bad-record", file, line, f"{key!r} must be text")]
        turns.append(Turn(role, normalise_text(value), line))
    return turns, []


def parse_csv(text: str, file: str) -> tuple[list[AuthoredItem], list[Finding]]:
    """The items of a CSV file with a header row (see the module docstring)."""
    reader = dict_reader(io.StringIO(text, newline=""), file)
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as bad_csv:
        return [], [error("bad-record", file, 1, f"not valid CSV ({bad_csv})")]
    except RecordError as bad_record:
        return [], [error("bad-record", file, bad_record.line, bad_record.message)]
    if "prompt" not in header:
        return [], [error("bad-record", file, 1, "the header row needs a 'prompt' column")]
    unknown = sorted(set(header) - set(CSV_COLUMNS))
    if unknown:
        known = ", ".join(CSV_COLUMNS)
        return [], [error("unknown-field", file, 1, f"unknown column {unknown[0]!r} (known: {known})")]
    reader.fieldnames = header
    items: list[AuthoredItem] = []
    problems: list[Finding] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:
                problems.append(error("bad-record", file, start, "more cells than header columns"))
            else:
                cells = {k: v for k, v in row.items() if v is not None and v.strip()}
                turns = [Turn(role, normalise_text(cells[key]), start)
                         for key, role in (("prompt", "user"), ("response", "assistant")) if key in cells]
                if "prompt" not in cells:
                    turns.insert(0, Turn("user", "", start))
                fields = {k: v.strip() for k, v in cells.items() if k not in TEXT_KEYS}
                items.append(_item(file, start, fields, turns))
            start = reader.line_num + 1
    except csv.Error as bad_csv:
        problems.append(error("bad-record", file, reader.line_num, f"not valid CSV ({bad_csv})"))
    except RecordError as bad_record:
        problems.append(error("bad-record", file, bad_record.line, bad_record.message))
    return items, problems


def _item(file: str, line: int, fields: dict[str, Any], turns: list[Turn]) -> AuthoredItem:
    """An item with the import defaults filled in (id, split, group)."""
    fields = dict(fields)
    fields.setdefault("id", f"{PurePosixPath(file).stem}-{line}")
    fields.setdefault("split", "train")
    if "group" not in fields:
        fields["group"] = "B" if str(fields["split"]).strip().lower() == "test" else "A"
    return AuthoredItem(file=file, line=line, fields=fields, turns=turns)
