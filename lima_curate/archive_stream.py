"""Members of a ``.7z`` archive read as byte streams, never extracted to disk.

A dump's 7z archives expand ten-fold or more, so libarchive (``libarchive-c``) decompresses a member
in blocks straight into its reader: nothing goes to ``$TMPDIR``, memory stays at a block. A member
may expand to at most ``limit`` bytes (its header's size, then the bytes read), so an archive bomb
costs bounded work. A :class:`SevenZip` reads forward: a member after the last one read continues
from there (in a solid archive an earlier one means decompressing all before it again).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lima_curate.errors import InputError

BLOCK_BYTES = 1 << 20  # decompressed bytes handed over at a time
GIB = 1 << 30
LIMIT_SETTING = "stackexchange.max_archive_member_gib"


def _libarchive() -> Any:
    try:
        import libarchive
    except (ImportError, OSError, AttributeError):  # the package, or the C library it loads, is missing
        return None
    return libarchive


@dataclass(frozen=True)
class ArchiveMember:
    """One top-level file of an archive: its name as stored and the size its header declares."""

    archive: "SevenZip"
    name: str
    size: int

    @property
    def label(self) -> str:
        return f"{self.archive.path}:{self.name}"

    def open(self) -> "MemberStream":
        """A stream of the member's bytes (see :meth:`SevenZip.stream`)."""
        return self.archive.stream(self)


class MemberStream:
    """The bytes of one member, read in order; InputError when the archive is broken or
    the member expands past the limit."""

    def __init__(self, member: ArchiveMember, blocks: Iterator[bytes], limit: int) -> None:
        self.member, self._blocks, self._limit = member, blocks, limit
        self._buffer = b""
        self._offset = 0  # of the buffer's unread part
        self.decompressed = 0  # bytes taken from the archive so far
        self._done = False

    def __enter__(self) -> "MemberStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._done, self._buffer = True, b""

    def _fill(self) -> bool:
        if self._done:
            return False
        try:
            block = next(self._blocks, b"")
        except Exception as error:  # libarchive's ArchiveError (corrupt data, CRC, truncation)
            raise self.member.archive.error(error) from None
        if not block:
            self._done = True
            return False
        self.decompressed += len(block)
        if self.decompressed > self._limit:
            raise _too_big(self.member, self._limit)
        self._buffer, self._offset = block, 0
        return True

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes, fewer only at the end (everything left when ``size`` < 0); b"" at the end."""
        pieces: list[bytes] = []
        remaining = size if size is not None and size >= 0 else sys.maxsize
        while remaining > 0 and (self._offset < len(self._buffer) or self._fill()):
            piece = self._buffer[self._offset:self._offset + remaining]
            pieces.append(piece)
            remaining -= len(piece)
            self._offset += len(piece)
        return b"".join(pieces)


def _too_big(member: ArchiveMember, limit: int) -> InputError:
    return InputError(
        member.label,
        f"expands to more than {limit / GIB:g} GiB, the limit ({LIMIT_SETTING}); "
        "raise it in the pipeline for a bigger dump",
    )


class SevenZip:
    """A ``.7z`` archive, open for reading its top-level members in order (a context manager)."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path = Path(path)
        self.limit = int(limit)
        self._library = _libarchive()
        if self._library is None:
            raise InputError(
                self.path,
                "reading .7z archives needs the libarchive C library (Debian/Ubuntu: apt-get install "
                "libarchive13); or extract the archive and point --raw at the folder",
            )
        self._reader: Any = None  # the open libarchive reader (a context manager) ...
        self._entries: "Iterator[Any] | None" = None  # ... its entries ...
        self._position = -1  # ... and the index of the entry last taken from them
        self.members = self._list()

    def __enter__(self) -> "SevenZip":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._reader is not None:
            reader, self._reader, self._entries, self._position = self._reader, None, None, -1
            reader.__exit__(None, None, None)

    def error(self, error: BaseException) -> InputError:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return InputError(self.path, f"cannot read the 7z archive ({message})")

    def _open(self) -> None:
        self.close()
        try:
            self._reader = self._library.file_reader(str(self.path), format_name="7zip")
            self._entries = iter(self._reader.__enter__())
        except Exception as error:
            self._reader = None
            raise self.error(error) from None

    def _next_entry(self) -> Any:
        assert self._entries is not None
        try:
            entry = next(self._entries, None)
        except Exception as error:
            raise self.error(error) from None
        self._position += 1
        return entry

    def _list(self) -> "list[ArchiveMember | None]":
        """Every entry in archive order: a top-level file as a member, anything else None.

        libarchive skips an entry's data lazily, so listing decompresses nothing.
        """
        self._open()
        listed: "list[ArchiveMember | None]" = []
        try:
            while (entry := self._next_entry()) is not None:
                name = entry.pathname or ""
                top_level_file = entry.isfile and "/" not in name and "\\" not in name
                listed.append(ArchiveMember(self, name, int(entry.size or 0)) if top_level_file else None)
        finally:
            self.close()
        return listed

    def member(self, name: str) -> "ArchiveMember | None":
        """The top-level member called ``name`` (any case), or None."""
        return next((m for m in self.members if m is not None and m.name.lower() == name.lower()), None)

    def stream(self, member: ArchiveMember) -> MemberStream:
        """Stream ``member`` from the start: forward from the last member read, or from a reopened
        archive when it lies behind (then everything before it is decompressed again)."""
        index = self.members.index(member)
        if member.size > self.limit:
            raise _too_big(member, self.limit)
        if self._entries is None or index <= self._position:
            self._open()
        entry = None
        while self._position < index:
            entry = self._next_entry()
            if entry is None:
                raise InputError(self.path, f"cannot read the 7z archive (it ends before {member.name})")
        return MemberStream(member, entry.get_blocks(BLOCK_BYTES), self.limit)


def limit_bytes(gib: float) -> int:
    """A limit given in GiB (the config's unit) in bytes."""
    return int(gib * GIB)


#: the default of ``stackexchange.max_archive_member_gib``
DEFAULT_LIMIT_GIB = 256.0


def open_binary(source: "Path | ArchiveMember") -> Any:
    """A binary reader (a context manager) of a file on disk or of an archive member."""
    return source.open() if isinstance(source, ArchiveMember) else open(source, "rb")


def size_of(source: "Path | ArchiveMember") -> int:
    """Bytes of a file on disk, or the expanded size an archive member's header declares."""
    return source.size if isinstance(source, ArchiveMember) else Path(source).stat().st_size
