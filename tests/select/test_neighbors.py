import numpy as np
import pytest

from lima_curate.select.neighbors import best_matches, blocks


def test_blocks_cover_the_range_once():
    assert [(s.start, s.stop) for s in blocks(10, 4)] == [(0, 4), (4, 8), (8, 10)]
    assert list(blocks(0, 4)) == []
    with pytest.raises(ValueError):
        list(blocks(3, 0))


@pytest.mark.parametrize("block", [1, 7, 64, 4096])
def test_best_matches_equal_brute_force_whatever_the_block(make_vectors, block):
    queries, corpus = make_vectors(50, seed=1), make_vectors(93, seed=2)
    where, best = best_matches(queries, corpus, block=block)
    full = queries @ corpus.T
    assert np.array_equal(where, full.argmax(axis=1))
    assert np.allclose(best, full.max(axis=1), atol=1e-6)


def test_best_matches_over_a_subset_returns_corpus_rows(make_vectors):
    queries, corpus = make_vectors(20, seed=3), make_vectors(40, seed=4)
    subset = np.array([5, 17, 31])
    where, _ = best_matches(queries, corpus, corpus_rows=subset, block=2)
    assert set(where.tolist()) <= {5, 17, 31}
    assert np.array_equal(where, subset[(queries @ corpus[subset].T).argmax(axis=1)])


def test_best_matches_with_no_candidates(make_vectors):
    where, best = best_matches(make_vectors(3), make_vectors(5), corpus_rows=np.array([], dtype=np.int64))
    assert where.tolist() == [-1, -1, -1] and np.all(np.isneginf(best))
