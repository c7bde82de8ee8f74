"""The one streaming pass over a site's Posts.xml, and the ranking it allows.

Memory holds integers in typed arrays (per question, per answer, per answer at or above the
measuring floor) and the titles as JSON strings in one buffer; the other texts go to a
:class:`Spill` file on disk, so a 1 GB dump costs some tens of MB. Only questions and answers with
the attributes they need count (other rows are counted and skipped); a question id seen twice
keeps its first row; answers to a question not in the file are ignored.
"""

from __future__ import annotations

import json
import marshal
import os
import struct
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from lima_curate.numbers import INT64_MAX, INT64_MIN, int64_or_none
from lima_curate.sources.stackexchange.dump import iter_rows

AnswerHook = Callable[[int, str], None]
_TITLE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)  # records.dumps, for a str


class Spill:
    """Records (tuples of str/int) appended to a temporary file and read back by offset."""

    _LENGTH = struct.Struct("<I")

    def __init__(self, folder: "str | None" = None) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="lima-se-spill-", dir=folder)
        self._end = 0
        self._reading = False
        self._pack = self._LENGTH.pack

    def __enter__(self) -> "Spill":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def write(self, record: tuple) -> int:
        if self._reading:
            self._file.seek(0, os.SEEK_END)
            self._reading = False
        data = marshal.dumps(record)
        offset = self._end
        self._file.write(self._pack(len(data)) + data)
        self._end += self._LENGTH.size + len(data)
        return offset

    def read(self, offset: int) -> tuple:
        self._reading = True
        self._file.seek(offset)
        (length,) = self._LENGTH.unpack(self._file.read(self._LENGTH.size))
        return marshal.loads(self._file.read(length))


@dataclass
class PostsScan:
    """What the pass keeps: integer arrays, and counts for the log."""

    q_id: array = field(default_factory=lambda: array("q"))
    q_score: array = field(default_factory=lambda: array("q"))
    q_accepted: array = field(default_factory=lambda: array("q"))
    q_offset: array = field(default_factory=lambda: array("q"))  # (title, body, tags, date, licence, owner name)
    q_owner: array = field(default_factory=lambda: array("q"))
    q_title_json: bytearray = field(default_factory=bytearray)  # the titles as JSON strings, UTF-8, end to end
    q_title_end: array = field(default_factory=lambda: array("q"))  # where each one ends in q_title_json
    a_id: array = field(default_factory=lambda: array("q"))
    a_parent: array = field(default_factory=lambda: array("q"))
    a_score: array = field(default_factory=lambda: array("q"))
    h_id: array = field(default_factory=lambda: array("q"))  # answers >= min_answer_score
    h_offset: array = field(default_factory=lambda: array("q"))
    h_owner: array = field(default_factory=lambda: array("q"))
    h_html_chars: array = field(default_factory=lambda: array("q"))
    skipped: int = 0  # question/answer rows with a missing or bad attribute
    other_rows: int = 0  # rows of other post types

    @property
    def questions(self) -> int:
        return len(self.q_id)

    @property
    def answers(self) -> int:
        return len(self.a_id)

    def summary(self) -> str:
        return (
            f"{self.questions} questions, {self.answers} answers, {self.other_rows} other rows, "
            f"{self.skipped} rows skipped (missing attributes)"
        )

    def ranking(self) -> "Ranking":
        """The ranking (:class:`Ranking`); the per-post arrays are let go once it is made (the
        titles stay: the table is built from them)."""
        ranking = Ranking.of(self)
        for name in ("q_id", "q_score", "q_accepted", "q_offset", "q_owner", "a_id", "a_parent", "a_score",
                     "h_id", "h_offset", "h_owner", "h_html_chars"):
            setattr(self, name, array("q"))
        return ranking


def _owner_id(value: "str | None") -> int:
    """The OwnerUserId as an int; 0 when absent or odd (deleted users have none)."""
    return int64_or_none(value) or 0


def scan_posts(
    path: Path, label: str, spill: Spill, min_answer_score: int, on_answer: "AnswerHook | None" = None
) -> PostsScan:
    """The streaming pass. ``on_answer(answer_id, html)`` is called for each answer scoring at
    least ``min_answer_score`` that is, when read, its question's best such answer (score,
    then lower id): a hint for measuring answers early, in another process."""
    scan = PostsScan()
    best: dict[int, tuple[int, int]] = {}  # question -> (score, -id) of its best answer >= min so far
    titles, title_end = scan.q_title_json, scan.q_title_end.append
    q_id, q_score, q_accepted = scan.q_id.append, scan.q_score.append, scan.q_accepted.append
    q_offset, q_owner = scan.q_offset.append, scan.q_owner.append
    a_id, a_parent, a_score = scan.a_id.append, scan.a_parent.append, scan.a_score.append
    h_id, h_offset, h_owner, h_html_chars = (scan.h_id.append, scan.h_offset.append, scan.h_owner.append,
                                             scan.h_html_chars.append)
    write, encode = spill.write, _TITLE_JSON.encode
    skipped = other_rows = 0
    for row in iter_rows(path, label):  # the appends are bound once: this loop runs per row of the dump
        get = row.get
        kind = get("PostTypeId")
        if kind == "2":
            try:  # int() here, the range below: no call per number
                post_id, parent, score = int(get("Id")), int(get("ParentId")), int(get("Score"))
            except (TypeError, ValueError):
                skipped += 1
                continue
            if not (INT64_MIN <= post_id <= INT64_MAX and INT64_MIN <= parent <= INT64_MAX
                    and INT64_MIN <= score <= INT64_MAX):
                skipped += 1
                continue
            attrib = row.attrib
            if "Body" not in attrib or "CreationDate" not in attrib:  # test presence: no string made
                skipped += 1
                continue
            a_id(post_id)
            a_parent(parent)
            a_score(score)
            if score >= min_answer_score:
                owner = _owner_id(get("OwnerUserId"))
                body = get("Body")
                h_id(post_id)
                h_offset(write((body, get("CreationDate"), get("ContentLicense") or "", owner,
                                get("OwnerDisplayName") or "")))
                h_owner(owner)
                h_html_chars(len(body))
                if on_answer is not None:
                    key = (score, -post_id)
                    if key > best.get(parent, (min_answer_score - 1, 0)):
                        best[parent] = key
                        on_answer(post_id, body)
        elif kind == "1":
            title, body, created = get("Title"), get("Body"), get("CreationDate")
            try:
                post_id, score, accepted = int(get("Id")), int(get("Score")), int(get("AcceptedAnswerId") or "0")
            except (TypeError, ValueError):
                skipped += 1
                continue
            if not (INT64_MIN <= post_id <= INT64_MAX and INT64_MIN <= score <= INT64_MAX
                    and INT64_MIN <= accepted <= INT64_MAX):
                skipped += 1
                continue
            if title is None or body is None or created is None:
                skipped += 1
                continue
            q_offset(write((body, get("Tags") or "", created, get("ContentLicense") or "", get("OwnerDisplayName") or "")))
            titles += encode(title.strip()).encode("utf-8")
            title_end(len(titles))
            q_owner(_owner_id(get("OwnerUserId")))
            q_id(post_id)
            q_score(score)
            q_accepted(accepted)
        else:
            other_rows += 1
    scan.skipped, scan.other_rows = skipped, other_rows
    return scan


@dataclass
class Ranking:
    """Questions best first, each with its top answer (-1 when it has none)."""

    question_id: "object"  # numpy int64 arrays, all in rank order
    question_score: "object"
    question_offset: "object"
    question_owner: "object"
    answer_id: "object"
    answer_score: "object"
    answer_count: "object"  # answers to the question in the file
    answer_accepted: "object"  # bool: the top answer is the accepted one
    position: "object"  # each question's position in the file (its title is title_json[position])
    answers: dict[int, tuple[int, int, int]]  # answer id -> (spill offset, owner, HTML chars), answers >= min only
    duplicates: int = 0

    @classmethod
    def of(cls, scan: PostsScan) -> "Ranking":
        """Rank by score (ties: lower id); pick top answers (score, then accepted, then lower id)."""
        import numpy as np

        def arr(values: array) -> "np.ndarray":
            return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)

        q_id, q_score, q_acc, q_off, q_own = (
            arr(a) for a in (scan.q_id, scan.q_score, scan.q_accepted, scan.q_offset, scan.q_owner)
        )
        q_pos = np.arange(len(q_id), dtype=np.int64)
        unique, first = np.unique(q_id, return_index=True)
        duplicates = len(q_id) - len(unique)
        if duplicates:
            keep = np.sort(first)
            q_id, q_score, q_acc, q_off, q_own, q_pos = (
                q_id[keep], q_score[keep], q_acc[keep], q_off[keep], q_own[keep], q_pos[keep])
        a_id, a_parent, a_score = arr(scan.a_id), arr(scan.a_parent), arr(scan.a_score)

        by_id = np.argsort(q_id, kind="stable")
        sorted_ids = q_id[by_id]
        where = np.searchsorted(sorted_ids, a_parent)
        clipped = np.minimum(where, max(len(sorted_ids) - 1, 0))
        known = (where < len(sorted_ids)) & (sorted_ids[clipped] == a_parent) if len(sorted_ids) else np.zeros(len(a_id), bool)
        a_id, a_parent, a_score = a_id[known], a_parent[known], a_score[known]
        accepted = q_acc[by_id][clipped[known]] == a_id
        # parent, then score descending, then accepted first, then lower id
        order = np.lexsort((a_id, ~accepted, -a_score, a_parent))
        parents = a_parent[order]
        first_of_group = np.ones(len(parents), dtype=bool)
        first_of_group[1:] = parents[1:] != parents[:-1]
        top_parent = parents[first_of_group]
        top_id, top_score = a_id[order][first_of_group], a_score[order][first_of_group]
        top_accepted = accepted[order][first_of_group]
        group_starts = np.flatnonzero(first_of_group)
        top_count = np.diff(np.append(group_starts, len(parents)))

        where = np.searchsorted(top_parent, q_id)
        clipped = np.minimum(where, max(len(top_parent) - 1, 0))
        has = (where < len(top_parent)) & (top_parent[clipped] == q_id) if len(top_parent) else np.zeros(len(q_id), bool)
        answer_id = np.where(has, top_id[clipped] if len(top_id) else 0, -1)
        answer_score = np.where(has, top_score[clipped] if len(top_score) else 0, 0)
        answer_count = np.where(has, top_count[clipped] if len(top_count) else 0, 0)
        answer_accepted = np.where(has, top_accepted[clipped] if len(top_accepted) else False, False)

        rank = np.lexsort((q_id, -q_score))
        answers = {
            int(i): (int(o), int(w), int(c))
            for i, o, w, c in zip(scan.h_id, scan.h_offset, scan.h_owner, scan.h_html_chars)
        }
        return cls(q_id[rank], q_score[rank], q_off[rank], q_own[rank], answer_id[rank], answer_score[rank],
                   answer_count[rank], answer_accepted[rank], q_pos[rank], answers, duplicates)

    def __len__(self) -> int:
        return len(self.question_id)

    def owners(self) -> set[int]:
        """Owner user ids of the chosen answers that score at least the minimum, and of their
        questions (the prompt is the question author's text: both are attributed)."""
        owners = set()
        for answer_id, question_owner in zip(self.answer_id.tolist(), self.question_owner.tolist()):
            found = self.answers.get(answer_id)
            if found is not None:
                owners.update(owner for owner in (found[1], question_owner) if owner)
        return owners
