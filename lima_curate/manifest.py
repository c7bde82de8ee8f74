"""The build manifest: resolved config, inputs with sizes and hashes, counts, licence, outputs.

:func:`build_manifest` assembles it; :func:`funnel_rows` and :func:`stage_rows` read its
counts back. Paths are relative and nothing time-dependent goes in, so the same inputs give
the same bytes wherever the checkout lives.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from lima_curate import __version__, progress
from lima_curate.atomic import write_text
from lima_curate.config import PipelineConfig, config_hash, portable_config
from lima_curate.licence import TERMS_SHORT, summarize, terms_notices
from lima_curate.records import Example
from lima_curate.splits import SPLITS

#: the stages of a build, in the order a candidate meets them
STAGE_ORDER = ("extract", "review", "licence", "dedup", "decontaminate", "select")


def sha256_file(path: Path, on_bytes: "Callable[[int], None] | None" = None) -> str:
    """The file's SHA-256 in hex; ``on_bytes(n)`` after each piece read (progress)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    return digest.hexdigest()


def _file_row(path: Path, label: str, on_bytes: "Callable[[int], None] | None" = None) -> dict[str, Any]:
    return {"path": label, "bytes": path.stat().st_size, "sha256": sha256_file(path, on_bytes)}


def describe_inputs(roots: Iterable[tuple[str, Path]], eval_files: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every input file a build reads: ``{"path", "bytes", "sha256"}``.

    ``roots`` are ``(label, folder)`` pairs (``raw/stackexchange``, ``authored``); each file
    is named ``label/<path inside folder>``; evaluation files as ``eval/<name>``.
    """
    named = [(path, f"{label}/{path.relative_to(root).as_posix()}") for label, root in roots
             for path in sorted(root.rglob("*")) if path.is_file() and not path.name.startswith(".")]
    named += [(Path(e), f"eval/{Path(e).name}") for e in eval_files if Path(e).is_file()]
    with progress.task("hashing inputs", total=sum(path.stat().st_size for path, _ in named), unit="B") as step:
        return [_file_row(path, label, step.advance) for path, label in named]


def describe_outputs(folder: Path, paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The data files of a build (sorted), each with its size and SHA-256."""
    return [_file_row(p, p.relative_to(folder).as_posix()) for p in sorted(paths) if p.is_file()]


def build_manifest(
    config: PipelineConfig,
    *,
    command: str,
    inputs: list[dict[str, Any]],
    counts: list[dict[str, Any]],
    quotas: Mapping[str, Any],
    selection: Mapping[str, int],
    splits: Mapping[str, Sequence[Example]],
    notes: Sequence[str],
    outputs: list[dict[str, Any]],
) -> dict[str, Any]:
    """The manifest of a build: ``counts`` is ``Rejects.table()``, ``quotas`` the selection's
    per-quota report, ``selection`` its counts; licence and terms come from ``splits``."""
    everything = [e for s in SPLITS for e in splits.get(s, ())]
    licence = summarize(everything)
    licence["commercial_build"] = bool(config.export.commercial)
    return {
        "name": config.name,
        "version": __version__,
        "seed": config.seed,
        "command": command,
        "config_hash": config_hash(config),
        "config": portable_config(config),
        "inputs": inputs,
        "counts": {"rules": counts},
        "quotas": dict(quotas),
        "selection": dict(selection),
        "splits": {s: dict(sorted(Counter(e.source for e in splits.get(s, ())).items())) for s in SPLITS},
        "notes": list(notes),
        "licence": licence,
        "terms": terms_notices(everything),
        "terms_notices": [
            f"{key} ({n} items): {TERMS_SHORT.get(key, 'no terms notice known; check the source')}"
            for key, n in licence["terms"].items()
        ],
        "outputs": outputs,
    }


def write_manifest(path: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``manifest.json``: sorted keys, indented, strict JSON, nothing time-dependent."""
    write_text(path, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n")


def stage_rank(stage: str) -> int:
    """Position of ``stage`` in :data:`STAGE_ORDER` (unknown stages last)."""
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def funnel_rows(counts: "Mapping[str, Any] | None") -> list[tuple[str, str, str, int]]:
    """``(source, stage, rule, count)`` from a manifest's ``counts``: per source, stages in
    build order, each stage's kept count first, then its drops by rule."""
    rows = [
        (str(row["source"]), str(row["stage"]), str(row["rule"]), int(row["count"]))
        for row in (counts or {}).get("rules", [])
        if isinstance(row, Mapping) and {"source", "stage", "rule", "count"} <= set(row)
    ]
    return sorted(rows, key=lambda r: (r[0], stage_rank(r[1]), r[1], r[2] != "kept", r[2]))


#: why items pass a stage without being checked by it (the stage's scope)
NOT_CHECKED = {
    "decontaminate": "decontaminate compares only train-bound items with the evaluation prompts; "
                     "dev/test items are those prompts",
    "select": "select fills the quotas with mined items; hand-written items go straight to their split",
}


@dataclass(frozen=True)
class StageRow:
    """One source at one stage: what came in, what went on, drops by rule, items not checked."""

    source: str
    stage: str
    entered: int
    passed: int
    drops: tuple[tuple[str, int], ...]
    not_checked: int


def stage_rows(counts: "Mapping[str, Any] | None") -> list[StageRow]:
    """The manifest's counts as a funnel per source, stages in build order.

    A source enters its first stage with what that stage saw, and every later one with what
    the one before passed on; at a stage that counts keeps, what it neither kept nor dropped
    is ``not_checked``. A stage that did nothing to a source is left out.
    """
    rows = funnel_rows(counts)
    stages = sorted({stage for _, stage, _, _ in rows}, key=lambda s: (stage_rank(s), s))
    counting = {stage for _, stage, rule, _ in rows if rule == "kept"}
    per: dict[tuple[str, str], dict[str, int]] = {}
    for source, stage, rule, count in rows:
        per.setdefault((source, stage), {})[rule] = count
    table: list[StageRow] = []
    for source in sorted({source for source, _, _, _ in rows}):
        passed: "int | None" = None
        for stage in stages:
            cell = per.get((source, stage))
            if cell is None and (not passed or stage not in counting):
                continue
            cell = cell or {}
            kept = cell.get("kept", 0)
            drops = tuple(sorted(((r, n) for r, n in cell.items() if r != "kept"), key=lambda d: (-d[1], d[0])))
            dropped = sum(n for _, n in drops)
            entered = kept + dropped if passed is None else passed
            unchecked = max(entered - kept - dropped, 0) if stage in counting else 0
            passed = entered - dropped
            table.append(StageRow(source, stage, entered, passed, drops, unchecked))
    return table
