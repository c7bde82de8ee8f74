"""Reading the official Stack Exchange data dump: site discovery, archives, safe streaming XML.

Per site, a dump root holds a folder ``<site>/`` with ``Posts.xml`` (and ``Users.xml``), an
archive ``<site>.7z`` holding them, or Stack Overflow's split ``<site>-Posts.7z`` /
``<site>-Users.7z``; a folder wins over an archive. Archive members are streamed, never extracted.
The XML is parsed with no DTD, entity or network access, after a file with a DOCTYPE is refused
(:func:`check_prolog_head`); malformed XML raises :class:`~lima_curate.errors.InputError` naming the
file, line and column.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from lxml import etree

from lima_curate import progress
from lima_curate.archive_stream import DEFAULT_LIMIT_GIB, ArchiveMember, SevenZip, limit_bytes, open_binary, size_of
from lima_curate.errors import InputError

POSTS = "Posts.xml"
USERS = "Users.xml"
SAFE_PARSER = {"resolve_entities": False, "no_network": True, "load_dtd": False}
_BLANK = re.compile(rb"^(\xef\xbb\xbf)?\s*$")


@dataclass(frozen=True)
class SiteDump:
    """Where one site's dump lives: a folder or archive(s) under the dump root."""

    name: str  # the site's host name, e.g. "coffee.stackexchange.com"
    folder: "Path | None" = None
    archive: "Path | None" = None  # <site>.7z with both files
    posts_archive: "Path | None" = None  # <site>-Posts.7z
    users_archive: "Path | None" = None  # <site>-Users.7z

    @property
    def location(self) -> Path:
        return self.folder or self.archive or self.posts_archive  # type: ignore[return-value]

    @property
    def files(self) -> list[Path]:
        """The files its dump is read from (what a measurements table's key describes)."""
        if self.folder is not None:
            return [path for path in (self.folder / POSTS, self.folder / USERS) if path.is_file()]
        return [path for path in (self.archive, self.posts_archive, self.users_archive) if path is not None]

    @property
    def size(self) -> int:
        """Bytes on disk of its Posts.xml (or of its archive)."""
        path = self.folder / POSTS if self.folder is not None else self.location
        return path.stat().st_size


def find_sites(root: Path) -> list[SiteDump]:
    """Every site under ``root``, sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "Stack Exchange dump folder not found")
    found: dict[str, dict[str, Path]] = {}
    for entry in sorted(root.iterdir()):
        name = entry.name
        if entry.is_dir() and (entry / POSTS).is_file():
            found.setdefault(name, {})["folder"] = entry
        elif entry.is_file() and name.endswith("-Posts.7z"):
            found.setdefault(name[: -len("-Posts.7z")], {})["posts_archive"] = entry
        elif entry.is_file() and name.endswith("-Users.7z"):
            found.setdefault(name[: -len("-Users.7z")], {})["users_archive"] = entry
        elif entry.is_file() and name.endswith(".7z"):
            found.setdefault(name[: -len(".7z")], {})["archive"] = entry
    sites = []
    for name, places in sorted(found.items()):
        if "folder" in places:
            sites.append(SiteDump(name, folder=places["folder"]))
        elif "archive" in places:
            sites.append(SiteDump(name, archive=places["archive"]))
        elif "posts_archive" in places:
            sites.append(
                SiteDump(name, posts_archive=places["posts_archive"], users_archive=places.get("users_archive"))
            )
    return sites


@dataclass(frozen=True)
class SiteFiles:
    """The files of one site, ready to read (on disk or in an archive); ``label`` names them."""

    posts: "Path | ArchiveMember"
    posts_label: str
    users: "Path | ArchiveMember | None"
    users_label: str


@contextlib.contextmanager
def open_site(site: SiteDump, member_limit: int = limit_bytes(DEFAULT_LIMIT_GIB)) -> Iterator[SiteFiles]:
    """Yield the site's Posts.xml (and Users.xml): files, or members streamed from its archive(s)."""
    if site.folder is not None:
        users = site.folder / USERS
        yield SiteFiles(
            site.folder / POSTS, str(site.folder / POSTS), users if users.is_file() else None, str(users)
        )
        return
    posts_archive = site.archive or site.posts_archive
    assert posts_archive is not None
    with contextlib.ExitStack() as stack:
        archive = stack.enter_context(SevenZip(posts_archive, member_limit))
        posts = archive.member(POSTS)
        if posts is None:
            raise InputError(posts_archive, f"archive holds no {POSTS}")
        users, users_archive = None, site.archive or site.users_archive
        if site.archive is not None:
            users = archive.member(USERS)
        elif site.users_archive is not None:
            users = stack.enter_context(SevenZip(site.users_archive, member_limit)).member(USERS)
        yield SiteFiles(posts, f"{posts_archive}:{POSTS}", users, f"{users_archive}:{USERS}")


def is_empty(path: "Path | ArchiveMember") -> bool:
    """True for a file with no markup at all (empty, or only a BOM and whitespace)."""
    if size_of(path) > 4096:
        return False
    with open_binary(path) as handle:
        head = handle.read(4096)
    return bool(_BLANK.match(head))


PROLOG_LIMIT = 1 << 16  # bytes before the root element (a dump's prolog is one line)
_PROLOG_MARKUP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def check_prolog_head(head: bytes, label: str) -> None:
    """Refuse a dump whose first :data:`PROLOG_LIMIT` bytes ``head`` hold a DOCTYPE.

    The prolog (BOM, XML declaration, comments, processing instructions) is skipped as
    bytes; what follows must be the root element. A ``<!DOCTYPE`` there is the only way
    to declare entities (billion laughs, external entities), so it is refused with the
    same message whatever libxml2 version is installed.
    """
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        markup = _PROLOG_MARKUP.match(head, position)
        if markup is None or markup.end() == position:
            break
        position = markup.end()
    while position < len(head) and head[position : position + 1].isspace():
        position += 1
    unfinished = position >= len(head) or head[position + 1 : position + 2] in (b"!", b"?")
    if unfinished and len(head) == PROLOG_LIMIT and not _DOCTYPE.match(head, position):
        raise InputError(label, f"no root element in the first {PROLOG_LIMIT} bytes; not a Stack Exchange dump")
    if _DOCTYPE.match(head, position):
        line = head.count(b"\n", 0, position) + 1
        raise InputError(
            label,
            "has a document type declaration (DOCTYPE); a Stack Exchange dump has none, "
            "and entity declarations are refused",
            f"line {line}",
        )


def iter_rows(path: Path, label: str) -> Iterator[etree._Element]:
    """Yield each ``<row/>`` element of a dump file; it is cleared when the next is asked for.

    The consumer must read what it needs from the element before asking for the next.
    """
    with open_binary(path) as raw:
        head = raw.read(PROLOG_LIMIT)  # one read of the file: an archive member is streamed once
        check_prolog_head(head, label)
        handle = _CountingReader(raw, path, head)
        # every element, not only rows, is cleared and unlinked once read, and comments and
        # processing instructions are never kept: no markup a dump can hold makes memory grow.
        # huge_tree (no limit on one attribute's size) is safe: no entity can have been declared
        elements = etree.iterparse(handle, events=("end",), huge_tree=True, remove_comments=True,
                                   remove_pis=True, **SAFE_PARSER)
        try:
            for _, element in elements:
                if element.tag == "row":
                    yield element
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as error:
            raise _syntax_error(label, error) from None


class _CountingReader:
    """A file reader that hands out ``head`` (already read) first, then the rest of the file.
    A Posts.xml reports the bytes read to the build's progress (:mod:`lima_curate.progress`), as
    their share of the file or archive on disk (the unit's size); other files report nothing."""

    def __init__(self, handle, path: "Path | ArchiveMember", head: bytes) -> None:
        self.handle, self.head = handle, head
        member = isinstance(path, ArchiveMember)
        name = path.name if member else Path(path).name
        self.scale = 0.0 if name != POSTS else (
            path.archive.path.stat().st_size / max(path.size, 1) if member else 1.0)

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data = self.head if size is None or size < 0 else self.head[:size]
            self.head = self.head[len(data):]
        else:
            data = self.handle.read(size)
        if self.scale:
            progress.read_bytes(len(data) * self.scale)
        return data


def _syntax_error(label: str, error: etree.XMLSyntaxError) -> InputError:
    line, column = (error.position if error.position else (error.lineno, error.offset))
    message = error.msg or str(error)
    message = re.sub(r", line \d+, column \d+$", "", message)
    return InputError(label, f"malformed or truncated XML: {message}", f"line {line}, column {column}")
