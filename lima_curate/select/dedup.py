"""Exact and near-duplicate removal across every source and the hand-written set.

Candidates are ranked once: hand-written (source ``authored``) before mined, then higher
``meta["quality"]``, then smaller id. Walking that ranking, a candidate is dropped when
an already kept candidate is

- ``exact_duplicate``: the same normalised prompt and response
  (:func:`~lima_curate.select.fingerprint.text_key`);
- ``near_duplicate_prompt``: prompt embeddings with cosine >= ``threshold``;
- ``near_duplicate_response``: response embeddings with cosine >= ``threshold``
  (only between items that both have a response; prompt-only test items skip this).

so of every group of duplicates the best-ranked one survives. The detail names the
kept id, the similarity (the highest over the kept items) and why that one won. The
near-duplicate search (``"exact"`` or faiss ``"ivf"``) is :mod:`lima_curate.select.leader`.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from lima_curate.records import META_QUALITY, Example
from lima_curate.rejects import Rejects
from lima_curate.select.fingerprint import text_key
from lima_curate.select.leader import SEARCHES, Duplicate, ivf_leader_walk, leader_walk
from lima_curate.select.neighbors import DEFAULT_BLOCK, as_unit_rows

AUTHORED = "authored"
STAGE = "dedup"


def quality_of(example: Example) -> float:
    """``meta["quality"]`` as a float; missing or not a number ranks lowest."""
    value = example.meta.get(META_QUALITY)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return -math.inf
    return float(value)


def priority_key(example: Example) -> tuple[bool, float, str]:
    """Sort key, best first: hand-written, then higher quality, then smaller id."""
    return (example.source != AUTHORED, -quality_of(example), example.id)


def why_kept(kept: Example, dropped: Example) -> str:
    """Why ``kept`` won over ``dropped``, in words."""
    if kept.source == AUTHORED and dropped.source != AUTHORED:
        return "hand-written wins over mined"
    if quality_of(kept) > quality_of(dropped):
        return f"higher quality ({quality_of(kept):g} > {quality_of(dropped):g})"
    return "same quality, smaller id"


def deduplicate(
    examples: Sequence[Example],
    prompt_vectors: np.ndarray,
    response_vectors: np.ndarray,
    *,
    threshold: float,
    rejects: Rejects,
    stage: str = STAGE,
    block: int = DEFAULT_BLOCK,
    search: str = "exact",
    seed: int = 0,
) -> list[int]:
    """Drop duplicates into ``rejects``; return the kept positions, ascending.

    ``prompt_vectors``/``response_vectors`` are unit rows aligned with ``examples``.
    """
    duplicates = find_duplicates(
        examples, prompt_vectors, response_vectors, threshold=threshold, block=block, search=search, seed=seed
    )
    for dup in sorted(duplicates, key=lambda d: d.dropped):
        dropped, kept = examples[dup.dropped], examples[dup.kept]
        rejects.drop(dropped, stage=stage, rule=dup.rule, detail=describe(dup, kept, dropped))
    gone = {dup.dropped for dup in duplicates}
    survivors = [i for i in range(len(examples)) if i not in gone]
    for i in survivors:
        rejects.keep(examples[i], stage=stage)
    return survivors


def describe(dup: Duplicate, kept: Example, dropped: Example) -> str:
    what = "same normalised prompt and response" if dup.rule == "exact_duplicate" else f"cosine {dup.similarity:.3f}"
    return f"duplicate of {kept.id} ({what}); kept {kept.id}: {why_kept(kept, dropped)}"


def find_duplicates(
    examples: Sequence[Example],
    prompt_vectors: np.ndarray,
    response_vectors: np.ndarray,
    *,
    threshold: float,
    block: int = DEFAULT_BLOCK,
    search: str = "exact",
    seed: int = 0,
) -> list[Duplicate]:
    """The drop decisions of :func:`deduplicate`, without recording them."""
    if len(prompt_vectors) != len(examples) or len(response_vectors) != len(examples):
        raise ValueError("one prompt and one response vector per example")
    order = sorted(range(len(examples)), key=lambda i: priority_key(examples[i]))
    duplicates, leaders = exact_duplicates(examples, order)
    has_response = np.array([bool(examples[i].response.strip()) for i in leaders], dtype=bool)
    leaders_array = np.asarray(leaders, dtype=np.int64)
    if search not in SEARCHES:
        raise ValueError(f"unknown near-duplicate search {search!r} (use 'exact' or 'ivf')")
    prompts = as_unit_rows(prompt_vectors)
    responses = as_unit_rows(response_vectors)
    if search == "exact":
        near = leader_walk(prompts, responses, leaders_array, has_response, threshold, block)
    else:
        near = ivf_leader_walk(prompts, responses, leaders_array, has_response, threshold, block=block, seed=seed)
    return duplicates + near


def exact_duplicates(examples: Sequence[Example], order: Sequence[int]) -> tuple[list[Duplicate], list[int]]:
    """Exact duplicates in ranked ``order``; also the first of each text (the leaders)."""
    first: dict[str, int] = {}
    duplicates, leaders = [], []
    for i in order:
        key = text_key(examples[i].prompt, examples[i].response)
        if key in first:
            duplicates.append(Duplicate(i, first[key], "exact_duplicate", 1.0))
        else:
            first[key] = i
            leaders.append(i)
    return duplicates, leaders
