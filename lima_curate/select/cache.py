"""On-disk embedding cache, keyed by the text's sha256 and the model.

``<root>/<model folder>/`` holds shards, each a pair ``<name>.vecs.npy`` (float32 rows) and
``<name>.keys.npy`` (the texts' hex sha256 as ``S64``, same order); ``<name>`` is the sha256
of the keys. Files are written atomically, the keys last: a shard without its keys file is
ignored. Shards are only added, and read memory-mapped. A shard that cannot be loaded, or
that holds a vector that is not finite and of unit length, is deleted with a warning and its
texts are embedded again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from lima_curate.atomic import atomic_write

log = logging.getLogger(__name__)

KEY_DTYPE = "S64"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def text_digest(text: str) -> bytes:
    """The cache key of one text: its UTF-8 sha256 in hex, as bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


def model_folder(model_key: str) -> str:
    """A file-system-safe, collision-free folder name for a model key."""
    readable = _UNSAFE.sub("_", model_key.rstrip("/").rsplit("/", 1)[-1])[:48] or "model"
    return f"{readable}-{hashlib.sha256(model_key.encode('utf-8')).hexdigest()[:12]}"


class EmbeddingCache:
    """Vectors of one model, by text digest; see the module docstring."""

    def __init__(self, root: Path, model_key: str) -> None:
        self.folder = Path(root) / model_folder(model_key)
        self._keys = np.empty(0, dtype=KEY_DTYPE)  # sorted
        self._where = np.empty((0, 2), dtype=np.int64)  # (shard, row) per sorted key
        self._shards: "list[np.ndarray | None]" = []  # None: discarded
        self._shard_names: list[str] = []  # file name of each shard, same order
        self._names: set[str] = set()
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, where) not yet in the index
        self._load()

    def __len__(self) -> int:
        self._flush()
        return len(self._keys)

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        for keys_path in sorted(self.folder.glob("*.keys.npy")):
            name = keys_path.name[: -len(".keys.npy")]
            loaded = self._load_shard(name)
            if loaded is not None:
                self._attach(name, *loaded)

    def _attach(self, name: str, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Number a shard and queue its keys for the index (:meth:`_flush` folds them in)."""
        number = len(self._shards)
        self._shards.append(vectors)
        self._shard_names.append(name)
        self._names.add(name)
        self._pending.append((keys, np.stack([np.full(len(keys), number), np.arange(len(keys))], axis=1)))

    def _load_shard(self, name: str) -> "tuple[np.ndarray, np.ndarray] | None":
        """A shard's keys and memory-mapped vectors, or None (the shard discarded) when unusable."""
        keys_path, vecs_path = self.folder / f"{name}.keys.npy", self.folder / f"{name}.vecs.npy"
        try:
            shard_keys = np.load(keys_path, allow_pickle=False)
            vectors = np.load(vecs_path, mmap_mode="r", allow_pickle=False)
        except (ValueError, EOFError) as error:  # not an array file, or an empty one
            self._discard(name, "unreadable", str(error))
            return None
        except OSError as error:  # e.g. another user's shard in a shared folder: skipped, not deleted
            log.warning("%s: embedding cache shard %s skipped (%s); its texts are embedded again",
                        self.folder, name, error.strerror or error)
            return None
        width = self._width()
        if (
            vectors.ndim != 2 or vectors.dtype != np.float32 or shard_keys.ndim != 1
            or len(vectors) != len(shard_keys) or shard_keys.dtype != np.dtype(KEY_DTYPE)
            or (width is not None and vectors.shape[1] != width)
        ):
            self._discard(name, "inconsistent", "shapes or types do not match")
            return None
        return shard_keys, vectors

    def _discard(self, name: str, kind: str, detail: str) -> None:
        log.warning("embedding cache: discarded %s shard %s (%s); its texts will be embedded again",
                    kind, self.folder / name, detail)
        for suffix in (".keys.npy", ".vecs.npy"):  # keys first: a shard without keys is ignored
            (self.folder / f"{name}{suffix}").unlink(missing_ok=True)
        self._names.discard(name)

    def _flush(self) -> None:
        """Fold the queued shards into the sorted index (once, lazily)."""
        if self._pending:
            keys = np.concatenate([self._keys, *(k for k, _ in self._pending)])
            where = np.concatenate([self._where, *(w for _, w in self._pending)])
            self._pending = []
            order = np.argsort(keys, kind="stable")
            self._keys, self._where = keys[order], where[order]

    def _width(self) -> "int | None":
        return next((shard.shape[1] for shard in self._shards if shard is not None), None)

    def lookup(
        self, digests: Sequence[bytes], check: "Callable[[np.ndarray], np.ndarray] | None" = None
    ) -> tuple[np.ndarray, "np.ndarray | None"]:
        """``(found mask, vectors)`` for ``digests``; rows of missing digests are zero.

        Vectors read are checked (finite, and ``check(rows)`` -> bool per row when given); a
        shard holding one that fails is discarded, and its digests count as missing.
        """
        while True:
            self._flush()
            wanted = np.asarray(digests, dtype=KEY_DTYPE)
            found = np.zeros(len(wanted), dtype=bool)
            if not len(self._keys) or not len(wanted):
                return found, None
            slots = np.searchsorted(self._keys, wanted)
            slots[slots == len(self._keys)] = 0
            found = self._keys[slots] == wanted
            out = np.zeros((len(wanted), self._width() or 0), dtype=np.float32)
            hits = np.flatnonzero(found)
            places = self._where[slots[hits]]
            broken = []
            for shard in np.unique(places[:, 0]).tolist():
                mine = places[:, 0] == shard
                rows = places[mine, 1]
                order = np.argsort(rows)  # read the memory map in file order
                block = np.asarray(self._shards[shard][rows[order]], dtype=np.float32)
                good = np.isfinite(block).all(axis=1)
                if check is not None:
                    good &= check(block)
                if not good.all():
                    broken.append(shard)
                    continue
                out[hits[mine][order]] = block
            if not broken:
                return found, out
            for shard in broken:  # then look up again without them
                self._drop_shard(shard)

    def _drop_shard(self, number: int) -> None:
        self._discard(self._shard_names[number], "corrupt", "a vector that is not finite or fails the check")
        self._shards[number] = None
        keep = self._where[:, 0] != number
        self._keys, self._where = self._keys[keep], self._where[keep]

    def add(self, digests: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store one shard of new vectors (digests must be unique and not yet cached)."""
        if not len(digests):
            return
        keys = np.asarray(digests, dtype=KEY_DTYPE)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape[0] != len(keys):
            raise ValueError("one vector per digest")
        name = hashlib.sha256(keys.tobytes()).hexdigest()[:32]
        if name not in self._names:
            self.folder.mkdir(parents=True, exist_ok=True)
            _save(self.folder / f"{name}.vecs.npy", vectors)
            _save(self.folder / f"{name}.keys.npy", keys)  # last: marks the shard complete
        self._attach(name, keys, vectors)


def _save(path: Path, array: np.ndarray) -> None:
    with atomic_write(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)
