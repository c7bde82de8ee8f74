"""Streaming reader for Pushshift dump files: NDJSON lines, plain or zstandard-compressed.

Files of many gigabytes are read in chunks, never whole; a zstandard file's frames are checked
before it is read (:func:`check_zstd_frames`). A line that is not UTF-8 (``invalid_utf8``) or not
a JSON object (``bad_json_line``) comes as a :class:`BadLine`, and the rest of the file is read.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import zstandard

from lima_curate import progress, safe_json
from lima_curate.errors import InputError

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ZSTD_MAX_WINDOW = 2**31  # what `zstd --long=31` needs; the Pushshift dumps use it
CHUNK_BYTES = 1 << 16  # bytes read from the file at a time
OUTPUT_BYTES = 1 << 16  # decompressed bytes decoded at a time (small: one emoji makes a
#                         whole chunk decode to 4 bytes per character)
MAX_LINE_CHARS = 64 << 20  # a "line" longer than this is not NDJSON

BAD_JSON_LINE = "bad_json_line"
INVALID_UTF8 = "invalid_utf8"

_SURROGATE_ESCAPE = re.compile(r"[\udc80-\udcff]")  # bytes that were not UTF-8


@dataclass(frozen=True)
class BadLine:
    """A line that was skipped: ``rule`` is ``bad_json_line`` or ``invalid_utf8``."""

    path: Path
    line: int
    rule: str
    detail: str


def is_zstd(path: Path) -> bool:
    """True for a ``.zst`` file or one that starts with the zstandard magic number."""
    if path.suffix.lower() in (".zst", ".zstd"):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == ZSTD_MAGIC


def iter_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the file's (decompressed) bytes in pieces; raise InputError for a broken .zst."""
    path = Path(path)
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None
    with handle:
        if is_zstd(path):
            at = 0
            for chunk in _zstd_chunks(handle, path, chunk_bytes):
                progress.read_bytes(handle.tell() - at)  # compressed bytes: the file's share on disk
                at = handle.tell()
                yield chunk
            return
        for chunk in iter(lambda: handle.read(chunk_bytes), b""):
            progress.read_bytes(len(chunk))
            yield chunk


def _zstd_chunks(handle: Any, path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """Decompress every frame of ``handle`` in pieces of at most :data:`OUTPUT_BYTES`."""
    check_zstd_frames(handle, path)
    handle.seek(0)
    dctx = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
    reader = dctx.stream_reader(handle, read_size=chunk_bytes, read_across_frames=True)
    while True:
        try:
            out = reader.read(OUTPUT_BYTES)
        except zstandard.ZstdError as error:
            raise InputError(path, f"corrupt zstandard data ({error})", f"near compressed byte {handle.tell()}") from None
        if not out:
            return
        yield out


def check_zstd_frames(handle: Any, path: Path) -> int:
    """Walk the frame and block headers of a zstandard file (seeking past the data) and
    raise InputError unless the file is a sequence of complete frames; return how many.
    (``stream_reader`` ends quietly at a cut, so a truncated download would pass as a shorter dump.)
    """
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        raise InputError(path, "empty file: not a zstandard stream (an unfinished download?)")
    position = frames = 0
    while position < size:
        start = position
        handle.seek(position)
        head = handle.read(18)  # magic + the longest frame header
        magic = int.from_bytes(head[:4], "little")
        if len(head) >= 8 and magic & 0xFFFFFFF0 == 0x184D2A50:  # skippable frame
            position += 8 + int.from_bytes(head[4:8], "little")
        elif head[:4] == ZSTD_MAGIC:
            try:
                position += zstandard.frame_header_size(head)
                has_checksum = zstandard.get_frame_parameters(head).has_checksum
            except zstandard.ZstdError:
                _cut(path, start, size, position + len(head) >= size)
            position = _skip_blocks(handle, path, position, start, size)
            position += 4 if has_checksum else 0
        elif len(head) < 4 and ZSTD_MAGIC.startswith(head):
            _cut(path, start, size, True)
        else:
            raise InputError(path, "corrupt zstandard data: no frame starts here", f"compressed byte {start}")
        if position > size:
            _cut(path, start, size, True)
        frames += 1
    return frames


def _skip_blocks(handle: Any, path: Path, position: int, start: int, size: int) -> int:
    """Seek past the blocks of the frame whose first block header is at ``position``."""
    while True:
        handle.seek(position)
        header = handle.read(3)
        if len(header) < 3:
            _cut(path, start, size, True)
        value = int.from_bytes(header, "little")
        block_type, block_size = (value >> 1) & 3, value >> 3
        if block_type == 3:
            raise InputError(path, "corrupt zstandard data: reserved block type", f"compressed byte {position}")
        position += 3 + (1 if block_type == 1 else block_size)
        if value & 1:  # last block of the frame
            return position
        if position > size:
            _cut(path, start, size, True)


def _cut(path: Path, start: int, size: int, at_end: bool) -> None:
    if at_end:
        raise InputError(
            path,
            f"truncated zstandard stream: the last frame (from compressed byte {start} of {size}) "
            "is incomplete (an unfinished download?)",
        )
    raise InputError(path, "corrupt zstandard data: bad frame header", f"compressed byte {start}")


def iter_lines(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, "str | None"]]:
    """Yield ``(line_number, text)`` for every non-blank line; ``text`` is None when the
    line is not valid UTF-8. Line numbers count every line, blank ones included."""
    path = Path(path)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    pending: list[str] = []  # the unfinished line, in pieces: joined once, when it ends (linear
    pending_chars = 0  #         in the line's length, however many chunks it spans)
    pending_dirty = False  # pending holds bytes that were not UTF-8 (as surrogate escapes)
    number = 0
    for chunk in iter_chunks(path, chunk_bytes):
        text, dirty = _decode(decoder, chunk)
        if "\n" not in text:
            pending.append(text)
            pending_chars += len(text)
            pending_dirty = pending_dirty or (dirty and _SURROGATE_ESCAPE.search(text) is not None)
            _check_line_length(path, pending_chars, number + 1)
            continue
        if pending:
            text = "".join(pending) + text
            dirty = dirty or pending_dirty
        lines = text.split("\n")
        tail = lines.pop()
        pending, pending_chars = [tail], len(tail)
        pending_dirty = dirty and _SURROGATE_ESCAPE.search(tail) is not None
        _check_line_length(path, pending_chars, number + len(lines) + 1)
        for line in lines:
            number += 1
            if dirty and _SURROGATE_ESCAPE.search(line):
                yield number, None
            elif line and not line.isspace():
                yield number, line
    end, dirty = _decode(decoder, b"", final=True)
    last = "".join(pending) + end
    if last and not last.isspace():
        number += 1
        yield number, None if (dirty or pending_dirty) else last


def _check_line_length(path: Path, chars: int, line: int) -> None:
    if chars > MAX_LINE_CHARS:
        raise InputError(path, f"a line longer than {MAX_LINE_CHARS} characters: not NDJSON", f"line {line}")


def _decode(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> tuple[str, bool]:
    """Decode strictly (fast); if the chunk holds bytes that are not UTF-8, decode it again
    with surrogate escapes so that only the lines holding them are lost."""
    state = decoder.getstate()
    try:
        return decoder.decode(chunk, final), False
    except UnicodeDecodeError:
        decoder.setstate(state)
        decoder.errors = "surrogateescape"
        try:
            return decoder.decode(chunk, final), True
        finally:
            decoder.errors = "strict"


LOADS = safe_json.loads  # orjson when installed; deep nesting and huge numbers are bad lines


def iter_records(
    path: Path,
    chunk_bytes: int = CHUNK_BYTES,
    loads: "Callable[[str], Any] | None" = None,
) -> Iterator[tuple[int, "dict[str, Any] | BadLine"]]:
    """Yield ``(line_number, record)`` for each line: the JSON object, or a :class:`BadLine`."""
    path = Path(path)
    loads = loads or LOADS
    for number, line in iter_lines(path, chunk_bytes):
        if line is None:
            yield number, BadLine(path, number, INVALID_UTF8, "line is not valid UTF-8")
            continue
        try:
            record = loads(line)
        except ValueError as error:  # safe_json.JSONError, or json's own error when a caller passes json.loads
            yield number, BadLine(path, number, BAD_JSON_LINE, f"not valid JSON ({_short(error)})")
            continue
        if type(record) is not dict:
            yield number, BadLine(path, number, BAD_JSON_LINE, f"a JSON {type(record).__name__}, not an object")
            continue
        yield number, record


def _short(error: ValueError) -> str:
    return getattr(error, "msg", None) or str(error).split("\n")[0][:120]
