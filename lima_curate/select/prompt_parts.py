"""Compare a question's parts, not only the prompt, with evaluation prompts.

An evaluation prompt planted as the body of a question under another title is diluted in
the whole prompt (cosine 0.81-0.88 to itself, under the 0.9 threshold); compared alone, the
body is the evaluation prompt.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lima_curate.records import Example
from lima_curate.select.neighbors import DEFAULT_BLOCK, best_matches

PART_SEPARATOR = "\n\n"  # a Stack Exchange prompt built as title, blank line, body
PART_NAMES = ("prompt", "title", "body", "title and body")


def question_parts(example: Example) -> list[tuple[str, str]]:
    """``(name, text)`` of what to compare: the prompt, then the question's title, its body
    (meta ``question_title``/``question_body``) and both together, each when it differs
    from the ones before."""
    title, body = (example.meta.get(f"question_{name}") for name in ("title", "body"))
    title = title if isinstance(title, str) else ""
    body = body if isinstance(body, str) else ""
    both = f"{title}{PART_SEPARATOR}{body}" if title.strip() and body.strip() else ""
    found = [(PART_NAMES[0], example.prompt)]
    seen = {example.prompt.strip()}
    for name, text in zip(PART_NAMES[1:], (title, body, both)):
        if text.strip() and text.strip() not in seen:
            found.append((name, text))
            seen.add(text.strip())
    return found


def prompt_parts(prompt: str, *, title: str = "", body: str = "") -> tuple[str, ...]:
    """The whole prompt, then its title and body when it has both (given, or split at the
    first blank line when the prompt starts with ``title``); empty parts left out."""
    if not title and not body:
        head, separator, rest = prompt.partition(PART_SEPARATOR)
        title, body = (head, rest) if separator else ("", "")
    parts = [prompt, title.strip(), body.strip()]
    return tuple(dict.fromkeys(part for part in parts if part.strip()))


def best_part_matches(
    part_vectors: np.ndarray, owners: Sequence[int], count: int, eval_vectors: np.ndarray, *, block: int = DEFAULT_BLOCK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per prompt ``0..count-1``: ``(best eval prompt, cosine, which part)``.

    ``part_vectors`` holds one unit row per part and ``owners`` the prompt each part
    belongs to; "which part" is the position of the winning part among that prompt's
    parts (0 is the whole prompt). A prompt without parts gets -1, -inf, -1.
    """
    owners = np.asarray(owners, dtype=np.int64)
    if len(owners) != len(part_vectors):
        raise ValueError("one owner per part vector")
    where, best = best_matches(part_vectors, eval_vectors, block=block)
    out_where = np.full(count, -1, dtype=np.int64)
    out_best = np.full(count, -np.inf, dtype=np.float32)
    out_part = np.full(count, -1, dtype=np.int64)
    position = np.zeros(count, dtype=np.int64)
    for row, owner in enumerate(owners):
        if best[row] > out_best[owner]:
            out_where[owner], out_best[owner], out_part[owner] = where[row], best[row], position[owner]
        position[owner] += 1
    return out_where, out_best, out_part
