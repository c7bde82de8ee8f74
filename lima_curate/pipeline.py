"""Run a pipeline file end to end: sources -> review -> licence -> select -> splits -> export.

Each step is a plain function over lists of :class:`~lima_curate.records.Example` that a notebook
can call on its own; :func:`build` wires them together, writing into a staging folder renamed into
place when the build is complete.
"""

from __future__ import annotations

import logging
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, Iterable

from lima_curate import progress
from lima_curate.atomic import build_directory
from lima_curate.config import PipelineConfig
from lima_curate.errors import InputError
from lima_curate.executor import Executor, Unit
from lima_curate.export import write_data_files, write_documents
from lima_curate.export.report import REPORT_NAME
from lima_curate.licence import commercial_gate
from lima_curate.manifest import build_manifest, describe_inputs, describe_outputs, write_manifest
from lima_curate.records import META_SPLIT, Example
from lima_curate.rejects import Rejects
from lima_curate.select.embed import cache_beside_outputs
from lima_curate.select.stage import select_stage
from lima_curate.sources import registry
from lima_curate.sources.outcome import Outcome, collect
from lima_curate.sources.table import TableCache
from lima_curate.splits import SPLITS, split_of

log = logging.getLogger(__name__)


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
    config: PipelineConfig, raw: Path, rejects: Rejects, notes: list[str], tables: "TableCache | None" = None,
) -> list[Example]:
    """Run every enabled source on its folder in ``raw``; a missing folder is a warning (and a note).

    ``tables``: where sources keep their measurements tables. All sources' units run on one executor
    (``sources.stackexchange.workers`` processes); outcomes are collected in the order of
    :data:`~lima_curate.sources.registry.SOURCES`. Progress counts the input bytes read.
    """
    workers = config.sources.stackexchange.workers
    planned: list[tuple[registry.Source, "list[Unit] | None"]] = []
    for source in registry.SOURCES:
        source_config = getattr(config.sources, source.name)
        root = raw / source.folder
        if not source_config.enabled:
            _note(notes, f"{source.name}: disabled in the pipeline", logging.INFO)
            planned.append((source, None))
        elif not root.is_dir():
            _note(notes, f"{source.name}: no folder {root}, skipped", logging.WARNING)
            planned.append((source, None))
        else:
            planned.append((source, source.units(root, source_config, config.seed, tables=tables)))
    everything = [unit for _, units in planned for unit in units or ()]
    running = ", ".join(source.name for source, units in planned if units is not None)
    candidates: list[Example] = []
    with progress.task("extracting", total=sum(unit.size for unit in everything), unit="B", note=running) as step, \
            closing(Executor(workers).run(everything, on_bytes=step.advance)) as results:
        for source, units in planned:
            if units is None:
                continue
            outcomes: Iterable[Outcome] = chain.from_iterable(islice(results, len(units)))
            if source.finish is not None:
                outcomes = source.finish(outcomes)
            candidates.extend(collect(outcomes, rejects))
    return candidates


def _note(notes: list[str], message: str, level: int = logging.WARNING) -> None:
    """Record a fact in the manifest's notes and say it once, through the log."""
    notes.append(message)
    log.log(level, "%s", message)


def load_authored_examples(config: PipelineConfig, notes: list[str]) -> list[Example]:
    """The hand-written examples named by the pipeline (none when no folder is set)."""
    folder = config.authored.dir
    if not folder:
        return []
    if not Path(folder).is_dir():
        _note(notes, f"authored: no folder {folder}, skipped")
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
    _note(notes, f"review: {len(decisions)} decisions from {decisions_path}", logging.INFO)
    return list(apply_decisions(candidates, decisions, rejects))


def licence_gate(examples: list[Example], commercial: bool, rejects: Rejects, notes: list[str]) -> list[Example]:
    """With ``commercial``, refuse non-commercial items (each one to rejects)."""
    kept, refused = commercial_gate(examples, commercial)
    for example in refused:
        rejects.drop(example, stage="licence", rule="noncommercial_refused",
                     detail=str(example.meta.get("license", "")))
    if refused:
        _note(notes, f"licence: --commercial refused {len(refused)} non-commercial items", logging.INFO)
    return kept


def source_folders(config: PipelineConfig, raw: Path) -> list[tuple[str, Path]]:
    """``(source name, folder)`` of every enabled source whose folder is in ``raw``."""
    return [(source.name, raw / source.folder) for source in registry.SOURCES
            if getattr(config.sources, source.name).enabled and (raw / source.folder).is_dir()]


def require_mined_source(config: PipelineConfig, raw: Path, found: "Rejects | None" = None) -> None:
    """InputError when ``raw`` holds no enabled source (before extraction) or its sources gave no
    candidate, kept or dropped (after it, with ``found``): a wrong ``--raw`` would otherwise replace
    a good build with the hand-written items alone. A pipeline with every source disabled passes.
    """
    enabled = [source.folder for source in registry.SOURCES if getattr(config.sources, source.name).enabled]
    if not enabled:
        return
    expected = ", ".join(f"{folder}/" for folder in enabled)
    if not source_folders(config, raw):
        raise InputError(raw, f"no source folder here (expected one of {expected}); is it the raw folder?")
    if found is not None and not (sum(found.dropped.values()) or sum(found.kept.values())):
        raise InputError(raw, f"the source folders ({expected}) hold no input a source could read")


# ---------------------------------------------------------------- the whole build


def build(
    config: PipelineConfig,
    *,
    raw: "Path | None" = None,
    out: Path = Path("output"),
    pipeline_path: "Path | None" = None,
    command: str = "",
) -> BuildResult:
    """Build ``out/<name>/`` from ``raw`` (default: the pipeline's raw folder).

    Facts the user must know (a short quota, a skipped source) are logged once as warnings and kept
    in the manifest's notes. The embedding cache is ``select.embedding.cache_dir``, else
    ``out/.cache/embeddings``. InputError (before anything is replaced) when ``raw`` holds no mined source.
    """
    raw = Path(raw or config.raw)
    require_mined_source(config, raw)
    notes: list[str] = []
    if config.select.warn_without_eval_files and not config.select.eval_files:
        message = ("decontamination: no external evaluation set (select.eval_files, or --eval FILE); "
                   "only this build's own dev/test prompts are held out")
        _note(notes, message)
    final = Path(out) / config.name
    embedding = cache_beside_outputs(config.select.embedding, Path(out))
    with build_directory(Path(out), config.name, also_replaces=(REPORT_NAME,)) as stage:  # report: made again
        rejects = Rejects(stage / "rejected.jsonl")
        try:
            mined = extract_sources(config, raw, rejects, notes, TableCache.under(out))
            require_mined_source(config, raw, found=rejects)
            authored = load_authored_examples(config, notes)
            mined = apply_review(mined, review_decisions_path(config, pipeline_path), rejects, notes)
            mined = licence_gate(mined, config.export.commercial, rejects, notes)
            authored = licence_gate(authored, config.export.commercial, rejects, notes)
            outcome = select_stage(config, mined, authored, rejects, embedding=embedding)
        finally:
            rejects.close()

        for name in sorted(outcome.selection.quotas):
            notes.extend(outcome.selection.quotas[name].notes)  # each already logged when found
        splits = assemble_splits(config, outcome.selected, outcome.authored, notes)
        with progress.task("writing outputs"):
            written = write_data_files(stage, config.export, splits, outcome.review_rows())
            roots = [(f"raw/{folder.name}", folder) for _, folder in source_folders(config, raw)]
            if config.authored.dir and Path(config.authored.dir).is_dir():
                roots.append(("authored", Path(config.authored.dir)))
            manifest = build_manifest(
                config, command=command, inputs=describe_inputs(roots, config.select.eval_files),
                counts=rejects.table(), quotas=outcome.quota_report(), selection=outcome.counts, splits=splits,
                notes=notes, outputs=describe_outputs(stage, written),
            )
            write_documents(stage, config.name, config.export, splits, manifest)
            write_manifest(stage / "manifest.json", manifest)
    return BuildResult(folder=final, splits=splits, manifest=manifest, notes=notes, rejects=rejects)


def assemble_splits(
    config: PipelineConfig, selected: Iterable[Example], authored: Iterable[Example], notes: list[str]
) -> dict[str, list[Example]]:
    """Put selected mined items and hand-written items into train/dev/test; note shortfalls."""
    quota_splits = config.select.quota_splits
    splits: dict[str, list[Example]] = {name: [] for name in SPLITS}
    for example in [*selected, *authored]:
        split = split_of(example, quota_splits)
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
            _note(notes, f"authored: {split} has {have} hand-written items, the recipe wants {target} "
                         f"({target - have} missing)")
    for split in SPLITS:
        splits[split].sort(key=lambda e: (e.source, e.domain, e.id))
    return splits
