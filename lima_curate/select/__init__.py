"""Embeddings, dedup, decontamination and diverse per-quota selection.

Plain functions over lists of :class:`~lima_curate.records.Example` and row-aligned
float32 numpy arrays of unit vectors (row ``i`` belongs to ``examples[i]``). Importing
this package is cheap: torch, sentence-transformers and scikit-learn load on first use.

Embeddings (:mod:`.embed`, cache in :mod:`.cache`)::

    embed_texts(texts, config: EmbeddingConfig | None = None, *, embedder=None, cache=True)
        -> np.ndarray (len(texts), 384) float32, L2-normalised; cached on disk by text
           sha256 + model under config.cache_dir (unset or '': none; a build puts it in
           <out>/.cache/embeddings); only misses reach the model
    embed_examples(examples, config=None, *, embedder=None) -> (prompt_vecs, response_vecs)
    Embedder(config)           # .encode(texts), .batches / .texts_encoded counters

Dedup (:mod:`.dedup`) — hand-written beats mined, then higher quality, then smaller id::

    deduplicate(examples, prompt_vecs, response_vecs, *, threshold, rejects,
                stage="dedup", block=4096, search="exact" | "ivf", seed=0) -> list[int]
        kept positions (ascending); drops go to rejects with rule exact_duplicate /
        near_duplicate_prompt / near_duplicate_response, detail naming the kept id,
        the cosine and why it won. The walk itself (exact, or through a faiss IVF
        index for millions of items) is :mod:`.leader`.

Decontamination (:mod:`.evalset`, :mod:`.decontaminate`)::

    load_eval_files(paths) -> list[EvalPrompt]          # InputError names file and line
    eval_prompts_from_examples(dev_and_test_items) -> list[EvalPrompt]
    decontaminate(examples, prompt_vecs, eval_prompts, eval_vecs, *, threshold, rejects,
                  stage="decontaminate", block=4096) -> list[int]   # kept positions
        rule contaminated_eval_prompt (exact normalised match or cosine >= threshold)

Selection (:mod:`.allocate`, :mod:`.diversity`, :mod:`.quota`, :mod:`.report`)::

    select_quotas(examples, prompt_vecs, config: SelectConfig, *, seed=0, rejects=None,
                  stage="select", report=True) -> Selection
        Selection.quotas[name] -> QuotaSelection(selected, runners_up, allocation,
        pool_groups, promoted, report, notes); Selection.selected (all quotas);
        Selection.unplaced (quota not in the pipeline); Selection.summary() -> dict for
        the manifest. With rejects: not_selected / no_quota drops, selected counted kept.
    select_quota(name, examples, prompt_vecs, quota: QuotaConfig, *, method, quality_weight,
                 seed, exact_runners_up, report, report_draws) -> QuotaSelection
    allocate(group_sizes, total, temperature) -> dict[group, int]
    diversity_report(vectors, selected_positions, *, seed, draws) -> dict   # k-means: scikit-learn

The whole stage in one call (:mod:`.stage`)::

    select_stage(config: PipelineConfig, mined, authored, rejects, *, embedder=None,
                 embedding=None) -> StageResult(selection: Selection, authored: list[Example],
                 counts: dict); .selected; .quota_report() -> dict for the manifest;
                 .review_rows() -> the rows of candidates.jsonl

which chains them like this (slicing the arrays with the kept positions)::

    prompts, responses = embed_examples(items, cfg.embedding)          # authored + mined
    kept = deduplicate(items, prompts, responses, threshold=cfg.near_duplicate_threshold,
                       rejects=rejects, block=cfg.block_size, search=cfg.near_duplicate_search)
    evals = eval_prompts_from_examples(authored_dev_and_test) + load_eval_files(cfg.eval_files)
    kept = decontaminate(train_bound, their_prompt_vecs, evals,
                         embed_texts([p.text for p in evals], cfg.embedding),
                         threshold=cfg.decontaminate_threshold, rejects=rejects)
    selection = select_quotas(mined_survivors, their_prompt_vecs, cfg, seed=seed, rejects=rejects)
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
