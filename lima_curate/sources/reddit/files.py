"""Finding the Reddit inputs under a folder, by kind, in reading order: Pushshift dumps
(:mod:`.pushshift`, submission files first, so that comments of dropped submissions need not be
held), thread pages (``*.json`` starting with ``[``, :mod:`.threads`) and the WritingPrompts
dataset (``*.csv``, ``.wp_source``/``.wp_target`` pairs). Hidden files are skipped, others ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lima_curate.errors import InputError
from lima_curate.sources.reddit.threads import looks_like_thread

_DUMP_SUFFIXES = {".zst", ".zstd", ".ndjson", ".jsonl"}
_DUMP_NAME = re.compile(r"^R[SC]_.+|.+_(?:submissions|comments)$", re.IGNORECASE)
_SUBMISSIONS_NAME = re.compile(r"^RS_|submissions", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """The files under ``root`` by kind, each list in reading order."""

    dumps: tuple[Path, ...]
    threads: tuple[Path, ...]
    dataset_csvs: tuple[Path, ...]
    dataset_pairs: tuple[tuple[Path, Path], ...]


def discover(root: Path) -> Layout:
    """Find the Reddit files under ``root``; an unpaired ``.wp_source``/``.wp_target`` is an InputError."""
    dumps, threads, csvs, pairs = [], [], [], []
    files = sorted(
        (p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    for path in files:
        suffix = path.suffix.lower()
        if suffix in _DUMP_SUFFIXES or (suffix == "" and _DUMP_NAME.match(path.name)):
            dumps.append(path)
        elif suffix == ".json":
            (threads if looks_like_thread(path) else dumps).append(path)
        elif suffix == ".csv":
            csvs.append(path)
        elif suffix == ".wp_source":
            target = path.with_suffix(".wp_target")
            if not target.is_file():
                raise InputError(path, f"no matching {target.name} beside it")
            pairs.append((path, target))
        elif suffix == ".wp_target" and not path.with_suffix(".wp_source").is_file():
            raise InputError(path, f"no matching {path.with_suffix('.wp_source').name} beside it")
    dumps.sort(key=lambda p: (0 if _SUBMISSIONS_NAME.search(p.name) else 1, p.relative_to(root).as_posix()))
    return Layout(tuple(dumps), tuple(threads), tuple(csvs), tuple(pairs))
