"""The one record type that flows through every stage, :class:`Example`, and its JSONL form."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from lima_curate.atomic import atomic_write
from lima_curate.errors import InputError
from lima_curate.safe_json import JSONError, loads

# meta keys every stage may rely on
META_LICENSE = "license"  # licence of the content, e.g. "CC BY-SA 4.0"
META_URL = "url"  # where the content lives
META_QUALITY = "quality"  # the source's quality ordering (higher is better)
META_QUOTA = "quota"  # which recipe quota the item competes in
META_GROUP = "group"  # stratum for temperature sampling inside a quota (site, category)
META_SPLIT = "split"  # train / dev / test
META_NONCOMMERCIAL = "noncommercial"  # True when the licence forbids commercial use
META_TERMS = "terms"  # the source's terms notice, a short key into export.licence

ROLES = ("system", "user", "assistant")


def make_id(source: str, *source_ids: object) -> str:
    """Return a stable id: the source name plus a short hash of its own ids."""
    key = "\x1f".join([source, *(str(part) for part in source_ids)])
    return f"{source}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class Example:
    """One prompt/response candidate (or test prompt) with its provenance."""

    id: str  # from the source's own ids (make_id), so a post has the same id in every build
    source: str  # the extractor: stackexchange, wikihow, writingprompts, askreddit, sni, authored
    domain: str  # the stratum inside the source: stem/other, a wikiHow category, a subreddit ...
    messages: tuple[dict[str, str], ...]  # {"role": ..., "content": ...}; a test prompt: the user turn only
    meta: dict[str, Any] = field(default_factory=dict)  # provenance, measurements, decisions (META_* keys)

    def __post_init__(self) -> None:
        object.__setattr__(self, "messages", tuple(dict(m) for m in self.messages))
        for message in self.messages:
            if message.get("role") not in ROLES or not isinstance(message.get("content"), str):
                raise ValueError(f"{self.id}: bad message {message!r}")

    @property
    def prompt(self) -> str:
        """The first user turn."""
        return next((m["content"] for m in self.messages if m["role"] == "user"), "")

    @property
    def response(self) -> str:
        """The last assistant turn ("" for a prompt-only test item)."""
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "assistant"), "")

    def with_meta(self, **updates: Any) -> "Example":
        """A copy with ``meta`` updated."""
        return replace(self, meta={**self.meta, **updates})

    def with_messages(self, messages: Iterable[dict[str, str]]) -> "Example":
        """A copy with other messages."""
        return replace(self, messages=tuple(messages))

    def to_dict(self) -> dict[str, Any]:
        # built by hand: dataclasses.asdict deep-copies every value and is the slow part of
        # writing millions of rejects
        return {
            "id": self.id,
            "source": self.source,
            "domain": self.domain,
            "messages": [dict(m) for m in self.messages],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Example":
        return cls(
            id=data["id"],
            source=data["source"],
            domain=data.get("domain", ""),
            messages=tuple(data["messages"]),
            meta=dict(data.get("meta") or {}),
        )


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def dumps(obj: Any) -> str:
    """One canonical JSON line: sorted keys, UTF-8, no spaces, so reruns are byte-identical.

    A float that is NaN or infinite (a dump's ``"score": Infinity``) has no JSON form and is
    written as ``null``, so every line written is valid JSON.
    """
    try:
        return _CANONICAL.encode(obj)  # one encoder for every call: json.dumps builds one each time
    except ValueError as error:
        if "Out of range float" not in str(error):
            raise
        return _CANONICAL.encode(_finite(obj))


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def write_jsonl(path: Path, rows: Iterable[Any]) -> int:
    """Write rows (Examples or plain dicts) as JSONL atomically; return how many."""
    count = 0
    with atomic_write(Path(path)) as handle:
        for row in rows:
            handle.write(dumps(row.to_dict() if isinstance(row, Example) else row))
            handle.write("\n")
            count += 1
    return count


def numbered_jsonl(path: "Path | str") -> Iterator[tuple[int, Any]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSONL file.

    Raises InputError naming the file and the line for bad JSON or text that is not UTF-8.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = loads(line)
                except JSONError as error:
                    raise InputError(path, f"not valid JSON ({error.msg})", f"line {number}") from None
                yield number, value
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None  # decoded in blocks: no exact line


def read_examples(path: Path) -> Iterator[Example]:
    """Yield the Examples of a JSONL file written by :func:`write_jsonl`."""
    for number, data in numbered_jsonl(path):
        try:
            yield Example.from_dict(data)
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(path, f"not an example record ({error})", f"line {number}") from None
