import re
import sys

import numpy as np
import pytest

from lima_curate.config import ConfigError
from lima_curate.rejects import Rejects
from lima_curate.select.dedup import deduplicate, find_duplicates, priority_key


def run(examples, prompts, responses, threshold=0.92, **kwargs):
    rejects = Rejects()
    kept = deduplicate(examples, prompts, responses, threshold=threshold, rejects=rejects, **kwargs)
    return kept, {row["id"]: row for row in rejects.rows}


def test_distinct_items_are_all_kept(make_item, make_vectors):
    examples = [make_item(i) for i in range(20)]
    kept, dropped = run(examples, make_vectors(20, seed=1), make_vectors(20, seed=2))
    assert kept == list(range(20)) and dropped == {}


def test_exact_duplicate_after_normalisation_keeps_the_better_one(make_item, make_vectors):
    examples = [
        make_item(1, quality=2.0, prompt="How do I descale a kettle?", response="Use vinegar."),
        make_item(2, quality=5.0, prompt="how do i   descale a KETTLE", response="use vinegar"),
    ]
    kept, dropped = run(examples, make_vectors(2, seed=3), make_vectors(2, seed=4))
    assert kept == [1]
    assert dropped["stackexchange-0001"]["rule"] == "exact_duplicate"
    assert dropped["stackexchange-0001"]["detail"].startswith("duplicate of stackexchange-0002 (same normalised")
    assert "higher quality (5 > 2)" in dropped["stackexchange-0001"]["detail"]


def test_same_prompt_other_response_is_a_near_duplicate_prompt(make_item, make_vectors):
    examples = [make_item(1, prompt="Same question?"), make_item(2, prompt="Same question?")]
    prompts = np.repeat(make_vectors(1, seed=5), 2, axis=0)
    kept, dropped = run(examples, prompts, make_vectors(2, seed=6))
    assert kept == [0]
    row = dropped["stackexchange-0002"]
    assert row["rule"] == "near_duplicate_prompt" and row["stage"] == "dedup"
    assert re.search(r"duplicate of stackexchange-0001 \(cosine 1\.000\); kept stackexchange-0001: same quality, smaller id", row["detail"])


def test_hand_written_wins_over_a_better_scored_mined_item(make_item, make_vectors):
    mined = make_item(1, quality=99.0)
    authored = make_item(2, source="authored", quality=0.0)
    prompts = np.repeat(make_vectors(1, seed=7), 2, axis=0)
    kept, dropped = run([mined, authored], prompts, make_vectors(2, seed=8))
    assert kept == [1]
    assert "hand-written wins over mined" in dropped["stackexchange-0001"]["detail"]


def test_near_duplicate_response_is_found_separately(make_item, make_vectors):
    examples = [make_item(i, quality=float(i)) for i in range(3)]
    responses = make_vectors(3, seed=9)
    responses[0] = responses[2] * 0.999 + responses[1] * 0.001
    responses /= np.linalg.norm(responses, axis=1, keepdims=True)
    kept, dropped = run(examples, make_vectors(3, seed=10), responses)
    assert kept == [1, 2]
    assert dropped["stackexchange-0000"]["rule"] == "near_duplicate_response"
    assert "duplicate of stackexchange-0002" in dropped["stackexchange-0000"]["detail"]


def test_prompt_only_items_are_not_response_duplicates(make_item, make_vectors):
    examples = [make_item(1, response=None), make_item(2, response=None)]
    responses = np.repeat(make_vectors(1, seed=11), 2, axis=0)  # both embed the empty response
    kept, dropped = run(examples, make_vectors(2, seed=12), responses)
    assert kept == [0, 1] and dropped == {}


def test_a_chain_keeps_the_leader_and_whatever_is_far_enough_from_it(make_item):
    # a ~ b (0.95), b ~ c (0.95), a vs c ~0.81: b goes, c stays (its only close neighbour was dropped)
    angles = np.array([0.0, 0.318, 0.636])
    vectors = np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    examples = [make_item(i, quality=10.0 - i) for i in range(3)]
    kept, dropped = run(examples, vectors, np.eye(3, dtype=np.float32), threshold=0.94)
    assert kept == [0, 2] and list(dropped) == ["stackexchange-0001"]


@pytest.mark.parametrize("block", [2, 5, 4096])
def test_result_does_not_depend_on_the_block_size(make_item, make_vectors, block):
    rng = np.random.default_rng(13)
    prompts = make_vectors(40, seed=14)
    copies = rng.choice(40, 12, replace=False)
    prompts[copies[6:]] = prompts[copies[:6]] + 0.01 * rng.standard_normal((6, 16)).astype(np.float32)
    prompts /= np.linalg.norm(prompts, axis=1, keepdims=True)
    examples = [make_item(i, quality=float(rng.integers(5))) for i in range(40)]
    expected, _ = run(examples, prompts, make_vectors(40, seed=15), block=4096)
    kept, dropped = run(examples, prompts, make_vectors(40, seed=15), block=block)
    assert kept == expected and len(dropped) == 6


def test_priority_key_orders_authored_then_quality_then_id(make_item):
    items = [make_item(3, quality=1.0), make_item(1, quality=1.0), make_item(2, quality=7.0),
             make_item(9, source="authored", quality=0.0), make_item(4, quality=None)]
    assert [e.id for e in sorted(items, key=priority_key)] == [
        "authored-0009", "stackexchange-0002", "stackexchange-0001", "stackexchange-0003", "stackexchange-0004"]


def test_ivf_search_finds_the_same_duplicates_as_the_exact_one(make_item, make_vectors):
    rng = np.random.default_rng(16)
    prompts = make_vectors(1500, dim=32, seed=17)
    sources = rng.choice(1500, 200, replace=False)
    prompts[sources[100:]] = prompts[sources[:100]] + 0.02 * rng.standard_normal((100, 32)).astype(np.float32)
    prompts /= np.linalg.norm(prompts, axis=1, keepdims=True)
    examples = [make_item(i) for i in range(1500)]
    responses = make_vectors(1500, dim=32, seed=18)
    exact = find_duplicates(examples, prompts, responses, threshold=0.95, block=512)
    approx = find_duplicates(examples, prompts, responses, threshold=0.95, block=512, search="ivf")
    assert len(exact) == 100
    assert {(d.dropped, d.kept) for d in approx} == {(d.dropped, d.kept) for d in exact}
    with pytest.raises(ValueError, match="unknown near-duplicate search"):
        find_duplicates(examples, prompts, responses, threshold=0.95, search="lsh")


def test_ivf_without_faiss_says_how_to_get_it(make_item, make_vectors, monkeypatch):
    monkeypatch.setitem(sys.modules, "faiss", None)  # as if the optional extra were not installed
    examples = [make_item(i) for i in range(20)]
    vectors = make_vectors(20, dim=8, seed=3)
    with pytest.raises(ConfigError, match=r"needs faiss: pip install 'lima-curate\[ann\]'"):
        find_duplicates(examples, vectors, vectors, threshold=0.95, search="ivf")


@pytest.mark.slow
@pytest.mark.realdata
def test_planted_near_duplicates_of_real_questions_are_found(se_questions, se_vectors, embedder, embedding_config):
    from lima_curate.select.embed import embed_texts
    from select_helpers import question_example

    originals = se_questions[::15]  # 20 real titles, every site
    edits = []
    for number, original in enumerate(originals):
        title = original.prompt
        edited = f"Question: {title}" if number % 2 else title.lower().rstrip("?")  # light edits
        copy = question_example(original.meta["group"], f"copy-{number}", -1, edited)
        edits.append(copy.with_messages([copy.messages[0], {"role": "assistant", "content": f"Reply {number}."}]))
    examples = [*se_questions, *edits]
    copies = embed_texts([e.prompt for e in edits], embedding_config, embedder=embedder, cache=False)
    prompts = np.concatenate([se_vectors, copies])
    responses = np.eye(len(examples), dtype=np.float32)  # no response duplicates here
    kept, dropped = run(examples, prompts, responses)
    for original, edit in zip(originals, edits):
        assert edit.id in dropped, edit.prompt
        assert dropped[edit.id]["rule"] == "near_duplicate_prompt"
        assert dropped[edit.id]["detail"].startswith(f"duplicate of {original.id} (cosine ")
    planted = {e.id for e in edits}
    assert len(set(dropped) - planted) <= 3  # the real dumps hold very few near-identical titles
