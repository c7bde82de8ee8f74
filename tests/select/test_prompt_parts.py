"""Comparing a prompt's title and body apart: the parts listed, the best part kept per prompt."""

from __future__ import annotations

import numpy as np

from lima_curate.select.prompt_parts import best_part_matches, prompt_parts


def test_parts_of_a_title_and_body_prompt() -> None:
    assert prompt_parts("Title?\n\nBody text.") == ("Title?\n\nBody text.", "Title?", "Body text.")
    assert prompt_parts("Just a title?") == ("Just a title?",)
    assert prompt_parts("Body alone", title="The title", body="Body alone") == ("Body alone", "The title")


def test_best_part_wins_per_prompt() -> None:
    eval_vectors = np.eye(3, dtype=np.float32)
    # prompt 0: whole (diluted) and body (== eval 2); prompt 1: one part close to eval 0
    parts = np.array([[0.6, 0.0, 0.8], [0.0, 0.0, 1.0], [0.9, 0.1, 0.0]], dtype=np.float32)
    parts /= np.linalg.norm(parts, axis=1, keepdims=True)
    where, best, which = best_part_matches(parts, [0, 0, 1], 3, eval_vectors)
    assert list(where) == [2, 0, -1]
    assert np.isclose(best[0], 1.0) and best[1] > 0.99 and best[2] == -np.inf
    assert list(which) == [1, 0, -1]
