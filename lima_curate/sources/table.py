"""Measurements tables on disk: what a source measured about one input, kept for the next build.

One Parquet file per source input under ``<out>/.cache/measurements/<source>/`` (:class:`TableCache`),
valid while its key (:func:`input_key`) matches: the source, its table version, a hash of the code
that reads and measures (:func:`code_digest`), the settings that change rows, and each input file's
path, size and modification time (not its content: hashing costs seconds per GiB). A table that
cannot be read is measured again and replaced.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from lima_curate.atomic import atomic_write

log = logging.getLogger(__name__)

KEY = b"lima_curate.key"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def input_key(source: str, version: str, settings: Mapping[str, Any], files: Iterable[Path]) -> str:
    """The key of a table made from ``files`` with ``settings`` (see the module docstring)."""
    described = []
    for path in files:
        stat = os.stat(path)
        described.append([str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns])
    blob = json.dumps([source, version, code_digest(), settings, described], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@functools.cache
def code_digest() -> str:
    """A hash of the code that reads and measures (the package's ``sources/`` and ``text/``):
    a table made by other code is measured again, even where a version was not bumped."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*(package / "sources").rglob("*.py"), *(package / "text").rglob("*.py")]):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class TableCache:
    """The measurements tables of one output folder (``<out>/.cache/measurements``)."""

    folder: Path

    @classmethod
    def under(cls, out: "Path | str") -> "TableCache":
        """The cache of the build folder ``out``."""
        return cls(Path(out) / ".cache" / "measurements")

    def path(self, source: str, input_path: "Path | str") -> Path:
        """Where the table of ``input_path`` (a file or folder) lives: one file per input."""
        resolved = str(Path(input_path).resolve())
        name = _UNSAFE.sub("_", Path(resolved).name)[:60] or "input"
        digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:12]
        return self.folder / source / f"{name}-{digest}.parquet"

    def open(self, path: Path, key: str) -> "Any | None":
        """The table at ``path`` as an open ``pyarrow.parquet.ParquetFile``, if it was saved
        with ``key``; None when it is absent, has another key, or cannot be read."""
        if not path.is_file():
            return None
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)  # not read_table: that imports pyarrow.dataset
            if (parquet.schema_arrow.metadata or {}).get(KEY) != key.encode("ascii"):
                parquet.close()
                return None
            return parquet
        except (OSError, ValueError) as error:  # pyarrow's errors derive from these
            log.warning("%s: unreadable measurements table, measuring again (%s)", path, error)
            return None

    @contextlib.contextmanager
    def writing(
        self, path: Path, schema: Any, key: str, metadata: "Mapping[str, str] | None" = None
    ) -> Iterator[Any]:
        """A Parquet writer for the table of ``path`` (write record batches to it); the file
        replaces the older table only when the block ends without an error. A disk that
        refuses is logged, not fatal: the block gets None and the build goes on."""
        import pyarrow.parquet as pq

        extra = {KEY: key.encode("ascii")}
        extra.update({k.encode("utf-8"): v.encode("utf-8") for k, v in (metadata or {}).items()})
        schema = schema.with_metadata({**(schema.metadata or {}), **extra})
        try:
            stack = contextlib.ExitStack()
            handle = stack.enter_context(atomic_write(path, "wb"))
        except OSError as error:
            log.warning("%s: measurements table not saved (%s); the next build measures again", path, error)
            yield None
            return
        with stack:
            writer = pq.ParquetWriter(handle, schema, compression="zstd", compression_level=1)
            try:
                yield writer
            finally:
                writer.close()
