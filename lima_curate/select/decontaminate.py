"""Drop candidates whose question is (nearly) an evaluation prompt (rule ``contaminated_eval_prompt``).

A question is compared in its parts (:func:`~lima_curate.select.prompt_parts.question_parts`:
the whole prompt, and a Stack Exchange question's title and body), since its answer answers
the whole question. A candidate is dropped when, in this order,

1. a part has the same normalised text as an evaluation prompt;
2. a part holds at least ``min_coverage`` of an evaluation prompt's word n-grams, or a short one
   whole (:class:`~lima_curate.select.ngrams.NGramIndex`);
3. the cosine of the prompt's embedding (or a part's, with ``embed_parts``) to an evaluation
   prompt's is >= ``threshold`` (a blocked search: memory bounded by the block size).

The detail names the evaluation prompt (``file:line`` or ``<split> <id>``), the test and the
part. An evaluation prompt with the candidate's own id (a dev/test item) never counts.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.select.evalset import EvalPrompt
from lima_curate.select.fingerprint import normalise_text
from lima_curate.select.neighbors import DEFAULT_BLOCK, as_unit_rows, best_matches
from lima_curate.select.ngrams import NGramIndex, detail
from lima_curate.select.prompt_parts import PART_NAMES, best_part_matches, question_parts

RULE = "contaminated_eval_prompt"
STAGE = "decontaminate"

EmbedTexts = Callable[[list[str]], np.ndarray]


def contamination(
    examples: Sequence[Example],
    prompt_vectors: np.ndarray,
    eval_prompts: Sequence[EvalPrompt],
    eval_vectors: np.ndarray,
    *,
    threshold: float,
    block: int = DEFAULT_BLOCK,
    embed_parts: "EmbedTexts | None" = None,
    ngrams: "NGramIndex | None" = None,
) -> dict[int, str]:
    """Position -> drop detail for every contaminated candidate (nothing is recorded).
    ``embed_parts`` embeds the titles and bodies for the cosine test on parts (without it,
    the cosine test sees the whole prompt only); ``ngrams``: an index of the evaluation
    prompts' texts (built with the defaults when not given)."""
    if len(prompt_vectors) != len(examples) or len(eval_vectors) != len(eval_prompts):
        raise ValueError("one vector per example and per evaluation prompt")
    if not examples or not eval_prompts:
        return {}
    parts = [question_parts(example) for example in examples]
    own = [{number for number, prompt in enumerate(eval_prompts) if prompt.id and prompt.id == example.id}
           for example in examples]
    details: dict[int, str] = {}

    exact: dict[str, list[int]] = {}
    for number, prompt in enumerate(eval_prompts):
        key = normalise_text(prompt.text)
        if key:  # a prompt of punctuation alone is the same text as no text: it matches nothing
            exact.setdefault(key, []).append(number)
    index = ngrams if ngrams is not None else NGramIndex(prompt.text for prompt in eval_prompts)
    for i, found in enumerate(parts):
        for name, text in found:
            match = next((n for n in exact.get(normalise_text(text), ()) if n not in own[i]), None)
            if match is not None:
                details[i] = f"same normalised text as eval prompt {eval_prompts[match].origin}{_part(name)}"
                break
        if i in details:
            continue
        for name, text in found:
            overlap = next((o for o in index.overlaps(text) if o.prompt not in own[i]), None)
            if overlap is not None and overlap.coverage >= index.min_coverage:
                details[i] = detail(overlap, eval_prompts[overlap.prompt].origin) + _part(name)
                break

    eval_vectors = as_unit_rows(eval_vectors)
    where, best, part = _cosines(examples, parts, prompt_vectors, eval_vectors, block, embed_parts)
    for i in (i for i in range(len(examples)) if own[i]):  # never match oneself: the whole prompt, not itself
        sims = eval_vectors @ np.asarray(prompt_vectors[i], dtype=np.float32)
        sims[list(own[i])] = -np.inf
        where[i], best[i], part[i] = int(np.argmax(sims)), sims.max(), 0
    for i in range(len(examples)):
        if i not in details and best[i] >= threshold:
            prompt = eval_prompts[int(where[i])]
            name = parts[i][part[i]][0]
            details[i] = f"cosine {best[i]:.3f} to eval prompt {prompt.origin}{_part(name)}: {_preview(prompt.text)}"
    return details


def _cosines(
    examples: Sequence[Example], parts: list, prompt_vectors: np.ndarray, eval_vectors: np.ndarray, block: int,
    embed_parts: "EmbedTexts | None",
) -> "tuple[np.ndarray, np.ndarray, np.ndarray]":
    """Per candidate: best evaluation prompt, its cosine, and the part (0: the whole prompt)."""
    if embed_parts is None:
        where, best = best_matches(prompt_vectors, eval_vectors, block=block)
        return where, best, np.zeros(len(examples), dtype=np.int64)
    extra = [(owner, text) for owner, found in enumerate(parts) for _, text in found[1:]]
    rows = [np.asarray(prompt_vectors, dtype=np.float32)]
    owners = list(range(len(examples)))
    if extra:
        rows.append(as_unit_rows(embed_parts([text for _, text in extra])))
        owners += [owner for owner, _ in extra]
    # best_part_matches numbers each candidate's parts in the order its rows come: the whole
    # prompt first (its row comes before any extra one), then its title and body
    return best_part_matches(np.concatenate(rows), owners, len(examples), eval_vectors, block=block)


def decontaminate(
    examples: Sequence[Example],
    prompt_vectors: np.ndarray,
    eval_prompts: Sequence[EvalPrompt],
    eval_vectors: np.ndarray,
    *,
    threshold: float,
    rejects: Rejects,
    stage: str = STAGE,
    block: int = DEFAULT_BLOCK,
    embed_parts: "EmbedTexts | None" = None,
) -> list[int]:
    """Drop contaminated candidates into ``rejects``; return the kept positions, ascending."""
    details = contamination(examples, prompt_vectors, eval_prompts, eval_vectors, threshold=threshold, block=block,
                            embed_parts=embed_parts)
    kept = []
    for i, example in enumerate(examples):
        if i in details:
            rejects.drop(example, stage=stage, rule=RULE, detail=details[i])
        else:
            rejects.keep(example, stage=stage)
            kept.append(i)
    return kept


def _part(name: str) -> str:
    return "" if name == PART_NAMES[0] else f" (the question's {name})"


def _preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")
