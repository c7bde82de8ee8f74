"""The whole selection stage in one call: embed, dedup, decontaminate, fill the quotas.

1. Embed the prompts and responses of every mined and hand-written item (cached).
2. Dedup across everything at once (:func:`~lima_curate.select.dedup.deduplicate`):
   hand-written items win over mined ones.
3. Decontaminate (:func:`~lima_curate.select.decontaminate.decontaminate`) the items
   bound for training (by the split rule of :mod:`lima_curate.splits`: mined items whose
   quota goes to ``train`` and hand-written items of split ``train``) against the
   evaluation prompts: this build's dev/test-bound items (hand-written dev/test, and
   every candidate of a test quota such as AskReddit, before selection, so whichever are
   picked cannot leak) plus ``select.eval_files``. Test-bound items are evaluation
   prompts themselves and are not checked against one another.
4. Fill every quota from the surviving mined items
   (:func:`~lima_curate.select.quota.select_quotas`); hand-written survivors pass through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from lima_curate import progress
from lima_curate.config import EmbeddingConfig, PipelineConfig
from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.select.decontaminate import decontaminate
from lima_curate.select.dedup import AUTHORED, deduplicate
from lima_curate.select.embed import Embedder, embed_examples, embed_texts
from lima_curate.select.evalset import eval_prompts_from_examples, load_eval_files
from lima_curate.select.quota import Selection, select_quotas
from lima_curate.splits import split_of


@dataclass
class StageResult:
    """What the stage kept: the selection (per quota) and the hand-written survivors."""

    selection: Selection
    authored: list[Example]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def selected(self) -> list[Example]:
        return self.selection.selected

    def quota_report(self) -> dict[str, Any]:
        """Per quota: target, pool, selected, shortfall, groups and diversity, for the manifest."""
        report = self.selection.summary()
        for row in report.values():
            row["shortfall"] = max(row["target"] - row["selected"], 0)
        return report

    def review_rows(self) -> list[Example]:
        """Selected and runner-up candidates per quota, ranked (meta ``selected``, ``rank``):
        the rows of ``candidates.jsonl``, which ``lima-curate review`` walks through."""
        rows = []
        for name in sorted(self.selection.quotas):
            result = self.selection.quotas[name]
            ranked = [*((e, True) for e in result.selected), *((e, False) for e in result.runners_up)]
            for rank, (example, selected) in enumerate(ranked, start=1):
                rows.append(example.with_meta(selected=selected, rank=rank))
        return rows


def select_stage(
    config: PipelineConfig,
    mined: Sequence[Example],
    authored: Sequence[Example],
    rejects: Rejects,
    *,
    embedder: "Embedder | None" = None,
    embedding: "EmbeddingConfig | None" = None,
) -> StageResult:
    """Run steps 1–4 of the module docstring; every drop goes to ``rejects``.

    ``embedding`` replaces ``config.select.embedding`` (a build passes it with the cache
    folder beside its outputs). Each step shows its progress (:mod:`lima_curate.progress`).
    """
    select = config.select
    embedding = embedding or select.embedding
    quota_splits = select.quota_splits

    def training_bound(example: Example) -> bool:
        return split_of(example, quota_splits) == "train"

    everything = [*authored, *mined]
    embedder = embedder or Embedder(embedding)
    prompts, responses = embed_examples(everything, embedding, embedder=embedder)

    with progress.task("dedup", total=len(everything), unit="items"):
        kept = deduplicate(everything, prompts, responses, threshold=select.near_duplicate_threshold,
                           rejects=rejects, block=select.block_size, search=select.near_duplicate_search,
                           seed=config.seed)
    everything, prompts = [everything[i] for i in kept], prompts[kept]

    evals = eval_prompts_from_examples([e for e in everything if not training_bound(e)])
    evals += load_eval_files(select.eval_files)
    checked = [i for i, e in enumerate(everything) if training_bound(e)]
    eval_vectors = embed_texts([p.text for p in evals], embedding, embedder=embedder)
    with progress.task("decontaminating", total=len(checked), unit="items",
                       note=f"train-bound, against {len(evals):,} evaluation prompts") as step:
        survivors = decontaminate([everything[i] for i in checked], prompts[checked], evals, eval_vectors,
                                  threshold=select.decontaminate_threshold, rejects=rejects,
                                  block=select.block_size)
        step.advance(len(checked))
    clean = {checked[i] for i in survivors}
    rows = [i for i, e in enumerate(everything) if i in clean or not training_bound(e)]
    everything, prompts = [everything[i] for i in rows], prompts[rows]

    mined_rows = [i for i, e in enumerate(everything) if e.source != AUTHORED]
    selection = select_quotas([everything[i] for i in mined_rows], prompts[mined_rows], select,
                              seed=config.seed, rejects=rejects)
    authored_kept = [e for e in everything if e.source == AUTHORED]
    counts = {
        "after_dedup": len(kept),
        "eval_prompts": len(evals),
        "after_decontamination": len(everything),
        "selected": len(selection.selected),
        "authored": len(authored_kept),
    }
    return StageResult(selection=selection, authored=authored_kept, counts=counts)
