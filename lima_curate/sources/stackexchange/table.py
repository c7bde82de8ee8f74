"""One site's measurements table (a row per question, in rank order), and the decisions taken from it.

A row holds the ranking's numbers, its ``id`` and title; for the questions whose top answer reaches
the measuring floor (``min_answer_score`` in the table's metadata), the texts and provenance
(:data:`PROVENANCE`); and the measurements taken so far (:data:`MEASURED`, null until taken).
:func:`decide_batch` applies the rules with a vector form on whole columns (their drops become
rejects lines at once, carrying the title and the ranking's numbers), then the other rules row by
row, each measurement taken from the table's texts when a rule first reads it.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterator, Mapping

from lima_curate.config import StackExchangeConfig
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUALITY,
    META_QUOTA,
    META_TERMS,
    META_URL,
    Example,
    dumps,
)
from lima_curate.rules import first_failure, first_failures
from lima_curate.sources.outcome import STAGE, Outcome, Rejected, RejectedLines
from lima_curate.sources.stackexchange.measure import Candidate
from lima_curate.sources.stackexchange.rules import active_rules

SOURCE = "stackexchange"
TERMS = "stackexchange"
#: the table's version: bump it with any change to what a row holds or how it is measured
VERSION = "stackexchange-table-2"
BATCH_ROWS = 8192
LICENSE_DATES = (("2011-04-08", "CC BY-SA 2.5"), ("2018-05-02", "CC BY-SA 3.0"))
LATEST_LICENSE = "CC BY-SA 4.0"

RANKING = ("question_id", "question_score", "answer_id", "answer_score", "answer_count", "answer_accepted",
           "answer_html_chars")
#: texts and provenance of the questions above the measuring floor
PROVENANCE = ("question_html", "tags", "question_author", "question_author_url", "answer_html", "answer_created",
              "answer_license", "answer_author", "answer_author_url")
HTML = ("question_html", "answer_html")  # the largest columns, read from a saved table only when needed

#: the measurements a row stores (null where not yet taken)
MEASURED: tuple[str, ...] = (
    "answer_text", "answer_chars", "first_person", "first_person_extended", "site_references",
    "question_references", "thread_talk", "removed_images", "bare_links", "entity_residue", "language",
    "body_text", "body_chars", "body_images", "body_link_only", "title_thread", "body_thread",
    "title_removed_images", "body_removed_images",
)


def schema() -> Any:
    """The arrow schema of a table; a measurement not named here is a list of words."""
    import pyarrow as pa

    measured = {
        "answer_text": pa.string(), "answer_chars": pa.int64(), "language": pa.string(), "body_text": pa.string(),
        "body_chars": pa.int64(), "body_images": pa.int64(), "body_link_only": pa.bool_(),
        "site_references": pa.list_(pa.struct([("kind", pa.string()), ("phrase", pa.string())])),
    }
    fields = [(name, pa.bool_() if name == "answer_accepted" else pa.int64()) for name in RANKING]
    fields += [("id", pa.string()), ("title_json", pa.string())]
    fields += [(name, pa.string()) for name in PROVENANCE]
    fields += [(name, measured.get(name, pa.list_(pa.string()))) for name in MEASURED]
    return pa.schema(fields)


def license_for(content_license: str, creation_date: str) -> str:
    """The post's licence: its ContentLicense, else the one in force on its date."""
    if content_license:
        return content_license
    for before, name in LICENSE_DATES:
        if creation_date[:10] < before:
            return name
    return LATEST_LICENSE


def parse_tags(tags: str) -> list[str]:
    """``<a><b>`` (older dumps) or ``|a|b|`` (newer) -> ``["a", "b"]``."""
    if tags.startswith("<"):
        return [t for t in tags[1:-1].split("><") if t] if tags.endswith(">") else []
    return [t for t in tags.split("|") if t]


def prompt_is_title(seed: int, site: str, question_id: int, probability: float) -> bool:
    """The per-question coin: True when the prompt is the title. Seeded by the question, so
    the choice does not depend on the order or the set of questions read."""
    return random.Random(f"{seed}:{site}:{question_id}").random() < probability


# ---------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Site:
    """What a decision needs to know about the site besides the table."""

    name: str
    domain: str
    config: StackExchangeConfig
    seed: int


@dataclass
class Decided:
    """A batch's outcomes, and the measurements taken while deciding it (column -> row -> value)."""

    outcomes: list[Outcome]
    taken: dict[str, dict[int, Any]]


def decide_batch(
    batch: Any, site: Site, ahead: "Mapping[int, dict[str, Any]] | None" = None,
    html: "Callable[[], Any] | None" = None,
) -> Decided:
    """Decide one record batch of the table (see the module docstring). ``ahead``: answer
    id -> measurements taken in a helper process, used instead of measuring again.
    ``html``: when the batch lacks the :data:`HTML` columns, gives them (a record batch of
    the same rows), read only if a measurement needs them."""

    rules = active_rules(site.config)
    columns = {
        "answer_id": _ints(batch, "answer_id", -1),
        "answer_score": _ints(batch, "answer_score", 0),
        "answer_html_chars": _ints(batch, "answer_html_chars", -1),
    }
    drops, alive, rest = first_failures(columns, rules, site.config)
    outcomes: list[Outcome] = []
    if drops:
        outcomes.append(_drop_lines(batch, drops, site))
    taken: dict[str, dict[int, Any]] = {}
    if len(alive):
        texts = _Html(html if html is not None else lambda: batch, alive)
        rows = batch.select([name for name in batch.schema.names if name not in HTML]).take(arrow_ints(alive))
        shown = _reads_through(rest)
        for position, row in zip(alive.tolist(), rows.to_pylist()):
            outcome, new = _decide_row(row, position, texts, rest, shown, site, ahead)
            outcomes.append(outcome)
            for key, value in new.items():
                taken.setdefault(key, {})[position] = value
    return Decided(outcomes, taken)


def _reads_through(rules: tuple) -> "dict[str | None, frozenset[str]]":
    """Rule name -> what the rules up to it read (what a drop by it shows); None -> what
    all of them read (what a kept candidate shows)."""
    through: dict[str | None, frozenset[str]] = {}
    reads: frozenset[str] = frozenset()
    for each in rules:
        reads = reads | set(each.reads)
        through.setdefault(each.name, reads)
    through[None] = reads
    return through


def arrow_ints(values: Any, valid: Any = None) -> Any:
    """A numpy int64 array as an arrow array (None where ``valid`` is False), built from its
    buffers: ``pa.array`` of a numpy array imports pandas."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.int64)
    bitmap = None if valid is None else pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))
    nulls = 0 if valid is None else int(len(values) - np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.int64(), len(values), [bitmap, pa.py_buffer(values)], null_count=nulls)


def _ints(batch: Any, name: str, missing: int) -> Any:
    """An int64 column of ``batch`` as a numpy array, ``missing`` where it is null (read
    from its buffers: a compute call per column costs more than the work on a batch)."""
    import numpy as np

    column = batch.column(name)
    bitmap, data = column.buffers()
    values = np.frombuffer(data, dtype=np.int64, count=len(column) + column.offset)[column.offset:]
    if not column.null_count:
        return values
    valid = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return np.where(valid[column.offset : column.offset + len(column)].astype(bool), values, missing)


class _Html:
    """A batch's HTML columns, read when first asked for, each for all the rows being decided
    at once (a value at a time costs more than the whole column of those rows)."""

    def __init__(self, read: "Callable[[], Any]", rows: Any) -> None:
        self._read, self._rows = read, rows
        self._values: dict[str, dict[int, "str | None"]] = {}

    def get(self, name: str, position: int) -> "str | None":
        values = self._values.get(name)
        if values is None:
            column = self._read().column(name).take(arrow_ints(self._rows)).to_pylist()
            values = self._values[name] = dict(zip(self._rows.tolist(), column))
        return values[position]


def _decide_row(
    row: dict[str, Any], position: int, html: _Html, rules: tuple, reads_through: Mapping, site: Site,
    ahead: "Mapping[int, dict] | None",
) -> tuple[Outcome, dict]:
    """The row's outcome, and the measurements taken for it that the table lacks."""
    config = site.config
    measured = {key: row[key] for key in RANKING}
    measured.update((key, row[key]) for key in MEASURED if row[key] is not None)
    if "site_references" in measured:  # structs come back as dicts: the rules read (kind, phrase) pairs
        measured["site_references"] = tuple((each["kind"], each["phrase"]) for each in row["site_references"])
    if ahead is not None and row["answer_id"] in ahead:
        for key, value in ahead[row["answer_id"]].items():
            measured.setdefault(key, value)
    title = json.loads(row["title_json"])
    candidate = Candidate(
        measured, title=title, html=lambda name: html.get(name, position),
        title_is_prompt=partial(prompt_is_title, site.seed, site.name, row["question_id"], config.title_prompt_probability),
        prompt_form=config.prompt,
    )
    drop = first_failure(measured, rules, config, candidate.measures)
    shown = set(reads_through[None if drop is None else drop.rule])
    if "answer_text" in measured:
        candidate.get("answer_chars")
        shown.add("answer_chars")
    if measured.get("prompt_kind") in ("body", "title_and_body"):
        candidate.get("body_chars")
        shown.add("body_chars")
    example = _example(row, title, measured, shown, site)
    new = {key: measured[key] for key in MEASURED if key in measured and row[key] is None}
    return (example if drop is None else Rejected.by(drop, example)), new


def _example(row: dict[str, Any], title: str, measured: dict[str, Any], shown: set, site: Site) -> Example:
    """The candidate with the measurements its decision read (``shown``), so that it is the
    same whatever else the table held; the prompt by its kind, when the rules took it."""
    meta = _stub_meta(row, site)
    answer_id, answer_score, created = row["answer_id"], row["answer_score"], row["answer_created"] or ""
    meta.update({
        "question_url": f"https://{site.name}/q/{row['question_id']}",
        META_URL: f"https://{site.name}/a/{answer_id}",
        META_GROUP: site.name,
        META_QUOTA: f"{SOURCE}_{site.domain}",
        META_QUALITY: float(answer_score),
        META_LICENSE: license_for(row["answer_license"] or "", created),
        META_NONCOMMERCIAL: False,
        META_TERMS: TERMS,
        "creation_date": created,
        "tags": parse_tags(row["tags"] or ""),
        "question_title": title,
    })
    for key in ("author", "author_url"):
        if row[f"answer_{key}"]:
            meta[key] = row[f"answer_{key}"]
        if row[f"question_{key}"]:
            meta[f"question_{key}"] = row[f"question_{key}"]
    meta.update((key, measured[key]) for key in sorted(shown) if key in measured and key not in RANKING)
    kind = measured.get("prompt_kind")
    prompt = title
    if kind:
        meta["prompt_kind"] = kind
        if kind != "title":
            body = measured["body_text"]
            meta["question_body"] = body
            prompt = body if kind == "body" else f"{title}\n\n{body}"
    messages = [{"role": "user", "content": prompt}]
    if "answer_text" in measured:
        messages.append({"role": "assistant", "content": measured["answer_text"]})
    return Example(id=row["id"], source=SOURCE, domain=site.domain, messages=tuple(messages), meta=meta)


def _stub_meta(row: Mapping[str, Any], site: Site) -> dict[str, Any]:
    """The site and the ranking's numbers (what a drop decided on the columns carries); the
    HTML length only for an answer scoring at least ``min_answer_score``."""
    meta = {key: row[key] for key in RANKING}
    if row["answer_score"] is None or row["answer_score"] < site.config.min_answer_score:
        meta["answer_html_chars"] = None
    meta["site"] = site.name
    return meta


def _drop_lines(batch: Any, drops: list, site: Site) -> RejectedLines:
    """The rejects lines of the drops decided on the columns, in rank order, built on whole
    columns at once: each is the rejects row of a record holding the title and :func:`_stub_meta`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    positions = np.concatenate([where for where, _, _ in drops])
    order = np.argsort(positions, kind="stable")  # rank order: the rows of every rule together
    rows = batch.select([*RANKING, "id", "title_json"]).take(arrow_ints(positions[order]))
    rule_of_row = np.repeat(np.arange(len(drops)), [len(where) for where, _, _ in drops])[order]
    rules = pa.array([dumps(name) for _, name, _ in drops], pa.string()).take(arrow_ints(rule_of_row))
    details = pa.concat_arrays([_detail_texts(details, len(where)) for where, _, details in drops])
    details = details.take(arrow_ints(order))

    def number(column: str) -> Any:
        return pc.fill_null(pc.cast(rows.column(column), pa.string()), "null")

    accepted = pc.if_else(rows.column("answer_accepted"), "true", "false")
    # the HTML length is known down to the table's floor; shown only down to
    # min_answer_score, so a drop reads the same whatever floor the table was measured at
    shown = pc.fill_null(pc.greater_equal(rows.column("answer_score"), site.config.min_answer_score), False)
    html_chars = pc.if_else(shown, number("answer_html_chars"), "null")
    pieces = [
        '{"detail":"', details, '","id":"', rows.column("id"),
        f'","record":{{"domain":{dumps(site.domain)},"id":"', rows.column("id"),
        '","messages":[{"content":', rows.column("title_json"), ',"role":"user"}],"meta":{"answer_accepted":',
        accepted, ',"answer_count":', number("answer_count"), ',"answer_html_chars":', html_chars,
        ',"answer_id":', number("answer_id"), ',"answer_score":', number("answer_score"),
        ',"question_id":', number("question_id"), ',"question_score":', number("question_score"),
        f',"site":{dumps(site.name)}}},"source":"{SOURCE}"}},"rule":', rules,
        f',"source":"{SOURCE}","stage":"{STAGE}"}}\n',
    ]
    lines = pc.binary_join_element_wise(*pieces, "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    text = bytes(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])
    return RejectedLines(text, {name: len(where) for where, name, _ in drops}, SOURCE)


def _detail_texts(details: Any, count: int) -> Any:
    """The ``count`` details of one rule's drops (:class:`~lima_curate.rules.Details`), as they
    appear inside a JSON string."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    prefix, _, suffix = details.template.partition("{}")
    if details.values is None:
        return pa.array([_json_inner(prefix)], pa.string()).take(arrow_ints(np.zeros(count, np.int64)))
    values = pc.cast(arrow_ints(details.values), pa.string())
    return pc.binary_join_element_wise(_json_inner(prefix), values, _json_inner(suffix), "")


def _json_inner(text: str) -> str:
    """``text`` as it appears inside a JSON string."""
    return dumps(text)[1:-1]


# ---------------------------------------------------------------- building


def build_batches(
    ranking: Any, scan: Any, spill: Any, names: Mapping[int, str], site: str, floor: int
) -> Iterator[Any]:
    """The table of a scanned site (:mod:`.scan`), :data:`BATCH_ROWS` rows at a time, its
    measurement columns still null. ``names``: user id -> display name (Users.xml);
    ``floor``: the lowest answer score whose texts the table keeps."""
    import numpy as np
    import pyarrow as pa

    table_schema = schema()
    prefix = f"{SOURCE}\x1f{site}\x1f"
    data = pa.py_buffer(scan.q_title_json)  # no copy: the scan keeps the buffer unchanged from here on
    ends = np.frombuffer(scan.q_title_end, dtype=np.int64) if len(scan.q_title_end) else np.zeros(0, np.int64)
    offsets = np.concatenate([np.zeros(1, np.int64), ends])
    titles = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), data)
    for start in range(0, len(ranking), BATCH_ROWS):
        end = min(start + BATCH_ROWS, len(ranking))
        answer_id = ranking.answer_id[start:end]
        has = answer_id >= 0
        measured = has & (ranking.answer_score[start:end] >= floor)
        columns: dict[str, Any] = {
            "question_id": arrow_ints(ranking.question_id[start:end]),
            "question_score": arrow_ints(ranking.question_score[start:end]),
            "answer_id": arrow_ints(answer_id, has),
            "answer_score": arrow_ints(ranking.answer_score[start:end], has),
            "answer_count": arrow_ints(ranking.answer_count[start:end]),
            "answer_accepted": pa.array(ranking.answer_accepted[start:end].tolist(), pa.bool_()),
        }
        ids = [_id(prefix, a, q) for q, a in zip(ranking.question_id[start:end].tolist(), answer_id.tolist())]
        columns["id"] = pa.array(ids, pa.string())
        columns["title_json"] = titles.take(arrow_ints(ranking.position[start:end])).cast(pa.string())
        extra: dict[str, list] = {name: [None] * (end - start) for name in ("answer_html_chars", *PROVENANCE)}
        for row in np.flatnonzero(measured).tolist():
            rank = start + row
            answer = int(ranking.answer_id[rank])
            answer_offset, answer_owner, html_chars = ranking.answers[answer]
            body, tags, _, _, question_owner_name = spill.read(int(ranking.question_offset[rank]))
            html, created, content_license, _, answer_owner_name = spill.read(answer_offset)
            question_owner = int(ranking.question_owner[rank])
            values = {
                "answer_html_chars": html_chars, "question_html": body, "tags": tags, "answer_html": html,
                "answer_created": created, "answer_license": content_license,
                "question_author": names.get(question_owner) or question_owner_name,
                "question_author_url": f"https://{site}/users/{question_owner}" if question_owner in names else "",
                "answer_author": names.get(answer_owner) or answer_owner_name,
                "answer_author_url": f"https://{site}/users/{answer_owner}" if answer_owner in names else "",
            }
            for name, value in values.items():
                extra[name][row] = value
        for name, values in extra.items():
            columns[name] = pa.array(values, table_schema.field(name).type)
        size = end - start
        for name in MEASURED:
            columns[name] = pa.nulls(size, table_schema.field(name).type)
        yield pa.RecordBatch.from_arrays([columns[field.name] for field in table_schema], schema=table_schema)


def _id(prefix: str, answer_id: int, question_id: int) -> str:
    """``make_id(SOURCE, site, answer_id)``, or ``make_id(SOURCE, site, "question", question_id)``
    for a question without an answer, with the common prefix of the key made once (a
    table has a row per question)."""
    key = f"{prefix}{answer_id}" if answer_id >= 0 else f"{prefix}question\x1f{question_id}"
    return f"{SOURCE}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


def with_taken(batch: Any, taken: Mapping[str, Mapping[int, Any]]) -> Any:
    """``batch`` with the measurements taken while deciding it filled in."""
    if not taken:
        return batch
    import pyarrow as pa

    arrays = []
    for field in batch.schema:
        column = batch.column(field.name)
        new = taken.get(field.name)
        if new:
            values = column.to_pylist()
            for row, value in new.items():
                values[row] = _storable(value)
            column = pa.array(values, field.type)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def _storable(value: Any) -> Any:
    """A measurement as the table stores it: (kind, phrase) pairs as structs."""
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return [{"kind": kind, "phrase": phrase} for kind, phrase in value]
    return list(value) if isinstance(value, tuple) else value
