"""A person's review decisions on mined candidates, and applying them in a build.

The decisions file (``pipelines/<name>.review.jsonl`` beside the pipeline, or
``review.decisions``) holds one JSON object per line::

    {"id": "stackexchange-…", "decision": "accept" | "reject" | "edit",
     "messages": [...],            # the edited conversation, for "edit" only
     "note": "why", "reviewer": "ana", "at": "2024-05-01T10:00:00+00:00"}

Lines are only ever added, so the file keeps the history and can be appended to by
hand; the last line for an id wins. ``lima-curate review`` rewrites the whole file
atomically after each decision, so a crash never leaves half a line.

In a build, :func:`apply_decisions` drops rejected items (rule ``review_rejected``),
replaces the text of edited ones (meta ``reviewed: "edited"``) and marks accepted
ones (meta ``reviewed: "accepted"``). Accepted and edited items that are not marked
``selected`` get meta ``promoted: True``: selection takes promoted items first, so a
runner-up a person vouched for fills its quota. (Candidates straight from the
extractors carry no ``selected`` flag, so every item a person accepted is promoted.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from lima_curate import safe_json
from lima_curate.atomic import write_text
from lima_curate.errors import InputError
from lima_curate.records import ROLES, Example, dumps

if TYPE_CHECKING:
    from lima_curate.config import PipelineConfig
    from lima_curate.rejects import Rejects

ACCEPT, REJECT, EDIT = "accept", "reject", "edit"
DECISIONS = (ACCEPT, REJECT, EDIT)
KEYS = ("id", "decision", "messages", "note", "reviewer", "at")
STAGE = "review"
RULE_REJECTED = "review_rejected"
META_REVIEWED = "reviewed"  # "accepted" / "edited"
META_PROMOTED = "promoted"  # True: selection takes it before unreviewed items
META_SELECTED = "selected"  # written by the build on candidates.jsonl


@dataclass(frozen=True)
class Decision:
    """One review decision (see the module docstring)."""

    id: str
    decision: str
    messages: "tuple[dict[str, str], ...] | None" = None
    note: str = ""
    reviewer: "str | None" = None
    at: "str | None" = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "decision": self.decision, "note": self.note}
        if self.messages is not None:
            data["messages"] = [dict(m) for m in self.messages]
        if self.reviewer:
            data["reviewer"] = self.reviewer
        if self.at:
            data["at"] = self.at
        return data


def now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def decisions_path(config: "PipelineConfig", pipeline_path: "Path | None") -> "Path | None":
    """``review.decisions`` when set, else ``<pipeline>.review.jsonl`` beside the pipeline."""
    if config.review.decisions:
        return Path(config.review.decisions)
    if pipeline_path is None:
        return None
    return Path(pipeline_path).with_suffix(".review.jsonl")


def parse_decision(data: Any, path: "Path | str", line: int) -> Decision:
    """Check one decoded line; raise InputError naming the file and line."""

    def bad(message: str) -> InputError:
        return InputError(path, message, str(line))

    if not isinstance(data, dict):
        raise bad("each line must be a JSON object")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise bad(f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise bad("'id' must be the candidate's id")
    decision = data.get("decision")
    if decision not in DECISIONS:
        raise bad(f"'decision' must be accept, reject or edit, got {decision!r}")
    messages = data.get("messages")
    if decision == EDIT:
        messages = _messages(messages, bad)
    elif messages is not None:
        raise bad(f"'messages' belongs to an edit, not to {decision!r}")
    note = "" if data.get("note") is None else data["note"]
    if not isinstance(note, str):
        raise bad("'note' must be text")
    reviewer = data.get("reviewer")
    if reviewer is not None and not isinstance(reviewer, str):
        raise bad("'reviewer' must be text")
    at = data.get("at")
    if at is not None:
        try:
            datetime.fromisoformat(str(at))
        except ValueError:
            raise bad(f"'at' must be an ISO 8601 time, got {at!r}") from None
    return Decision(ident, decision, messages, note, reviewer or None, at)


def _messages(value: Any, bad: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise bad("an edit needs 'messages': the edited conversation")
    for message in value:
        if not (isinstance(message, dict) and set(message) == {"role", "content"}
                and message["role"] in ROLES and isinstance(message["content"], str)):
            raise bad('each message must be {"role": "user"|"assistant"|"system", "content": text}')
        if not message["content"].strip():
            raise bad(f"an edited {message['role']} message is empty")
    roles = [m["role"] for m in value]
    if "user" not in roles or "assistant" not in roles:
        raise bad("an edit needs a user and an assistant message")
    return tuple({"role": m["role"], "content": m["content"]} for m in value)


def read_decisions(path: Path) -> list[Decision]:
    """Every decision in the file, in file order (history included)."""
    path = Path(path)
    decisions = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad_byte:
        raise InputError(path, "not UTF-8 text", str(data.count(b"\n", 0, bad_byte.start) + 1)) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = safe_json.loads(line)
        except safe_json.JSONError as bad_json:
            raise InputError(path, f"not valid JSON ({bad_json.msg})", str(number)) from None
        decisions.append(parse_decision(record, path, number))
    return decisions


def load_decisions(path: Path) -> dict[str, Decision]:
    """The latest decision per candidate id (a missing file has none)."""
    latest = {decision.id: decision for decision in read_decisions(path)}
    return dict(sorted(latest.items()))


class DecisionLog:
    """The decisions file as ``lima-curate review`` writes it: history kept, whole-file rewrites."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        history = read_decisions(self.path)
        self.lines = [dumps(d.to_dict()) for d in history]
        self.latest = {d.id: d for d in history}

    def record(self, decision: Decision) -> None:
        """Add ``decision`` and rewrite the file atomically."""
        self.lines.append(dumps(decision.to_dict()))
        self.latest[decision.id] = decision
        write_text(self.path, "".join(f"{line}\n" for line in self.lines))


def apply_decisions(
    candidates: Iterable[Example], decisions: Mapping[str, Decision], rejects: "Rejects"
) -> Iterator[Example]:
    """Candidates with the decisions applied: rejects out, edits in, accepted marked and promoted."""
    for example in candidates:
        decision = decisions.get(example.id)
        if decision is None:
            yield example
            continue
        if decision.decision == REJECT:
            rejects.drop(example, stage=STAGE, rule=RULE_REJECTED, detail=decision.note or "rejected in review")
            continue
        if decision.decision == EDIT:
            assert decision.messages is not None
            example = example.with_messages(decision.messages).with_meta(**{META_REVIEWED: "edited"})
        else:
            example = example.with_meta(**{META_REVIEWED: "accepted"})
        if example.meta.get(META_SELECTED) is not True:
            example = example.with_meta(**{META_PROMOTED: True})
        yield example
