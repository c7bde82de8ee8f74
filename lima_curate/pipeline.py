"""Run a pipeline file end to end: sources -> review -> dedup -> select -> splits -> export.

Each step is a plain function over lists of :class:`~lima_curate.records.Example` that a
notebook can call on its own; :func:`build` only wires them together, writes every file
into a staging folder and renames it into place when the build is complete.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from lima_curate import __version__
from lima_curate.atomic import build_directory
from lima_curate.config import PipelineConfig, config_hash
from lima_curate.manifest import describe_inputs, write_manifest
from lima_curate.records import META_SPLIT, Example
from lima_curate.rejects import Rejects

log = logging.getLogger(__name__)

#: source name (its section under ``sources:``) -> its folder inside the raw dir
SOURCES: dict[str, str] = {
    "stackexchange": "stackexchange",
    "wikihow": "wikihow",
    "reddit": "reddit",
    "sni": "super_natural_instructions",
}
SPLITS = ("train", "dev", "test")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build produced: its folder, split sizes, notes and the manifest."""

    folder: Path
    splits: dict[str, list[Example]]
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    rejects: Rejects = field(default_factory=Rejects)


# ---------------------------------------------------------------- steps


def extract_sources(
    config: PipelineConfig, raw: Path, rejects: Rejects, notes: list[str], progress: Progress
) -> list[Example]:
    """Run every enabled source on its folder in ``raw``; a missing folder is a note."""
    candidates: list[Example] = []
    for name, folder in SOURCES.items():
        source_config = getattr(config.sources, name)
        root = raw / folder
        if not source_config.enabled:
            notes.append(f"{name}: disabled in the pipeline")
            continue
        if not root.is_dir():
            notes.append(f"{name}: no folder {root}, skipped")
            continue
        progress(f"extracting {name}")
        module = importlib.import_module(f"lima_curate.sources.{name}")
        found = list(module.extract(root, source_config, rejects, seed=config.seed))
        notes.append(f"{name}: {len(found)} candidates passed its rules")
        candidates.extend(found)
    return candidates


def load_authored_examples(config: PipelineConfig, notes: list[str]) -> list[Example]:
    """The hand-written examples named by the pipeline (none when no folder is set)."""
    folder = config.authored.dir
    if not folder:
        return []
    if not Path(folder).is_dir():
        notes.append(f"authored: no folder {folder}, skipped")
        return []
    from lima_curate.authoring.format import load_authored

    return load_authored(Path(folder))


def review_decisions_path(config: PipelineConfig, pipeline_path: "Path | None") -> "Path | None":
    """Where the review decisions of this pipeline live."""
    if config.review.decisions:
        return Path(config.review.decisions)
    if pipeline_path is None:
        return None
    return pipeline_path.with_suffix(".review.jsonl")


def apply_review(
    candidates: list[Example], decisions_path: "Path | None", rejects: Rejects, notes: list[str]
) -> list[Example]:
    """Honour a person's review decisions: rejected out, edits in, promoted flagged."""
    if decisions_path is None or not decisions_path.is_file():
        return candidates
    from lima_curate.review.decisions import apply_decisions, load_decisions

    decisions = load_decisions(decisions_path)
    notes.append(f"review: {len(decisions)} decisions from {decisions_path}")
    return list(apply_decisions(candidates, decisions, rejects))


def licence_gate(examples: list[Example], commercial: bool, rejects: Rejects, notes: list[str]) -> list[Example]:
    """With ``commercial``, refuse non-commercial items (each one to rejects)."""
    from lima_curate.export.licence import commercial_gate

    kept, refused = commercial_gate(examples, commercial)
    for example in refused:
        rejects.drop(example, stage="licence", rule="noncommercial_refused",
                     detail=str(example.meta.get("license", "")))
    if refused:
        notes.append(f"licence: --commercial refused {len(refused)} non-commercial items")
    return kept


# ---------------------------------------------------------------- the whole build


def build(
    config: PipelineConfig,
    *,
    raw: "Path | None" = None,
    out: Path = Path("output"),
    pipeline_path: "Path | None" = None,
    command: str = "",
    progress: "Progress | None" = None,
) -> BuildResult:
    """Build ``out/<name>/`` from ``raw`` (default: the pipeline's raw folder)."""
    from lima_curate.select.stage import select_stage

    say = progress or (lambda message: log.info(message))
    raw = Path(raw or config.raw)
    notes: list[str] = []
    final = Path(out) / config.name
    with build_directory(Path(out), config.name) as stage:
        rejects = Rejects(stage / "rejected.jsonl")
        try:
            mined = extract_sources(config, raw, rejects, notes, say)
            authored = load_authored_examples(config, notes)
            mined = apply_review(mined, review_decisions_path(config, pipeline_path), rejects, notes)
            mined = licence_gate(mined, config.export.commercial, rejects, notes)
            authored = licence_gate(authored, config.export.commercial, rejects, notes)
            outcome = select_stage(config, mined, authored, rejects, progress=say)
        finally:
            rejects.close()

        for name in sorted(outcome.selection.quotas):
            notes.extend(outcome.selection.quotas[name].notes)
        splits = assemble_splits(config, outcome.selected, outcome.authored, notes)
        say("writing outputs")
        from lima_curate.export import write_build_outputs

        manifest = {
            "name": config.name,
            "version": __version__,
            "seed": config.seed,
            "command": command,
            "config_hash": config_hash(config),
            "inputs": describe_inputs(raw, config),
            "counts": {"rules": rejects.table()},
            "quotas": outcome.quota_report(),
            "selection": outcome.counts,
            "splits": {s: dict(sorted(Counter(e.source for e in splits[s]).items())) for s in SPLITS},
            "notes": notes,
        }
        manifest = write_build_outputs(stage, config, splits, outcome.review_rows(), manifest)
        write_manifest(stage / "manifest.json", manifest)
    return BuildResult(folder=final, splits=splits, manifest=manifest, notes=notes, rejects=rejects)


def assemble_splits(
    config: PipelineConfig, selected: Iterable[Example], authored: Iterable[Example], notes: list[str]
) -> dict[str, list[Example]]:
    """Put selected mined items and hand-written items into train/dev/test; note shortfalls."""
    from lima_curate.select.stage import split_of

    splits: dict[str, list[Example]] = {name: [] for name in SPLITS}
    for example in [*selected, *authored]:
        split = split_of(example, config)
        if split == "test":
            example = example.with_messages(example.messages[:1])  # prompts only, as in the paper
        splits[split].append(example.with_meta(**{META_SPLIT: split}))
    targets = {
        "train": config.authored.train_target,
        "dev": config.authored.dev_target,
        "test": config.authored.test_target,
    }
    for split, target in targets.items():
        have = sum(1 for e in splits[split] if e.source == "authored")
        if config.authored.dir and have < target:
            message = f"authored: {split} has {have} hand-written items, the recipe wants {target} ({target - have} missing)"
            notes.append(message)
            warnings.warn(message, stacklevel=2)
    for split in SPLITS:
        splits[split].sort(key=lambda e: (e.source, e.domain, e.id))
    return splits
