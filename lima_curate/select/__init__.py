"""Embeddings, dedup, decontamination and diverse per-quota selection.

Plain functions over lists of :class:`~lima_curate.records.Example` and row-aligned float32
arrays of unit vectors (row ``i`` belongs to ``examples[i]``). Importing this package is cheap:
torch, sentence-transformers and scikit-learn load on first use.

- :mod:`.embed` (cache: :mod:`.cache`): ``embed_texts``, ``embed_examples``, ``Embedder``;
- :mod:`.dedup` (walk: :mod:`.leader`): ``deduplicate``, hand-written before mined, then
  higher quality, then smaller id;
- :mod:`.evalset`, :mod:`.decontaminate`: evaluation prompts, ``decontaminate``;
- :mod:`.allocate`, :mod:`.diversity`, :mod:`.quota`, :mod:`.report`: ``select_quotas``;
- :mod:`.stage`: ``select_stage``, the steps above in the order a build runs them.
"""

from lima_curate.select.allocate import allocate
from lima_curate.select.decontaminate import decontaminate
from lima_curate.select.dedup import deduplicate
from lima_curate.select.embed import Embedder, embed_examples, embed_texts
from lima_curate.select.evalset import EvalPrompt, eval_prompts_from_examples, load_eval_files, load_eval_prompts
from lima_curate.select.quota import QuotaSelection, Selection, select_quota, select_quotas
from lima_curate.select.report import diversity_report
from lima_curate.select.stage import StageResult, select_stage

__all__ = [
    "Embedder",
    "EvalPrompt",
    "QuotaSelection",
    "Selection",
    "StageResult",
    "allocate",
    "decontaminate",
    "deduplicate",
    "diversity_report",
    "embed_examples",
    "embed_texts",
    "eval_prompts_from_examples",
    "load_eval_files",
    "load_eval_prompts",
    "select_quota",
    "select_quotas",
    "select_stage",
]
