"""A broken embedding cache is discarded and recomputed; long texts are cut before tokenizing."""

from __future__ import annotations

import logging
import random
import time

import numpy as np
import pytest

from lima_curate.config import EmbeddingConfig
from lima_curate.select import embed
from lima_curate.select.cache import EmbeddingCache, text_digest
from lima_curate.select.embed import CUT_ABOVE_CHARS, cut_for_model, embed_texts


class FakeEmbedder:
    """Deterministic unit vectors from the text's digest; counts what it encodes."""

    key = "fake-model"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded += list(texts)
        rows = [np.frombuffer(text_digest(t)[:16], dtype=np.uint8).astype(np.float32) + 1 for t in texts]
        return embed.normalise_rows(np.stack(rows))

    def known_dimension(self) -> int:
        return 16


TEXTS = ["How do I descale a kettle?", "Why is my espresso sour?", "What grind for a French press?"]


def _cached(tmp_path):
    config = EmbeddingConfig(cache_dir=str(tmp_path))
    first = embed_texts(TEXTS, config, embedder=FakeEmbedder())
    cache = EmbeddingCache(tmp_path, FakeEmbedder.key)
    (keys,) = cache.folder.glob("*.keys.npy")
    return config, first, cache.folder, keys.name[: -len(".keys.npy")]


def _again(config):
    embedder = FakeEmbedder()
    return embed_texts(TEXTS, config, embedder=embedder), embedder.encoded


@pytest.mark.parametrize("damage", [
    lambda vecs, keys: vecs.write_bytes(b""),
    lambda vecs, keys: keys.write_bytes(b""),
    lambda vecs, keys: vecs.write_bytes(vecs.read_bytes()[:-7]),
    lambda vecs, keys: vecs.write_bytes(b"\x93NUMPY garbage"),
    lambda vecs, keys: np.save(vecs, np.ones((3, 8), dtype=np.float64)),
])
def test_a_shard_that_does_not_load_is_discarded_and_recomputed(tmp_path, caplog, damage):
    config, first, folder, name = _cached(tmp_path)
    damage(folder / f"{name}.vecs.npy", folder / f"{name}.keys.npy")
    with caplog.at_level(logging.WARNING):
        again, encoded = _again(config)
    assert sorted(encoded) == sorted(TEXTS)  # all embedded again (longest first)
    assert again.tobytes() == first.tobytes()
    assert "embedding cache: discarded" in caplog.text
    assert _again(config)[1] == []  # and cached afresh


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, 0.0, 7.0])
def test_a_corrupt_vector_discards_its_shard(tmp_path, caplog, bad_value):
    config, first, folder, name = _cached(tmp_path)
    vecs = folder / f"{name}.vecs.npy"
    vectors = np.load(vecs)
    vectors[1] = bad_value
    np.save(vecs, vectors)
    with caplog.at_level(logging.WARNING):
        again, encoded = _again(config)
    assert sorted(encoded) == sorted(TEXTS) and again.tobytes() == first.tobytes()
    assert "corrupt shard" in caplog.text


def test_a_shard_of_another_width_is_discarded(tmp_path):
    config, first, folder, name = _cached(tmp_path)
    other = EmbeddingCache(tmp_path, FakeEmbedder.key)
    other.add([text_digest("elsewhere")], np.ones((1, 4), dtype=np.float32) / 2)
    reopened = EmbeddingCache(tmp_path, FakeEmbedder.key)
    assert len(reopened) == 3  # the first shard loaded (sorted by name) sets the width
    assert len(list(folder.glob("*.keys.npy"))) == 1


# ---------------------------------------------------------------- cutting long texts


class WordTokenizer:
    truncation_side = "right"

    def __init__(self) -> None:
        self.lengths: list[int] = []

    def __call__(self, text, **kwargs):
        self.lengths.append(len(text))
        return {"input_ids": text.split()}


class WordModel:
    max_seq_length = 256

    def __init__(self) -> None:
        self.tokenizer = WordTokenizer()


def test_normal_texts_are_not_touched():
    model = WordModel()
    text = "word " * (CUT_ABOVE_CHARS // 5)
    assert cut_for_model(text, model) is text and model.tokenizer.lengths == []


def test_a_long_text_is_cut_at_a_word_boundary_and_keeps_its_length_for_batching():
    model = WordModel()
    text = "word  " * 200_000  # 1.2 MB
    cut = cut_for_model(text, model)
    assert CUT_ABOVE_CHARS <= len(str(cut)) < CUT_ABOVE_CHARS + 10
    assert text.startswith(str(cut)) and str(cut).endswith("word")
    assert len(cut) == len(text)  # what sentence-transformers sorts batches by
    assert max(model.tokenizer.lengths) < 2 * CUT_ABOVE_CHARS


def test_a_prefix_with_too_few_tokens_is_lengthened_and_a_text_without_blanks_is_kept():
    model = WordModel()
    text = "w" * 40_000 + " tail" * 300 + " more" * 10_000
    cut = str(cut_for_model(text, model))
    assert len(cut.split()) > 256 and text.startswith(cut)
    solid = "x" * 100_000
    assert cut_for_model(solid, model) is solid


def test_the_real_model_gives_byte_identical_vectors_for_cut_texts(embedder):
    random.seed(3)
    words = "coffee grind water ratio, temperature; the bean (roast) brews slowly. Über café".split()
    texts = [" ".join(random.choice(words) for _ in range(n)) for n in (5, 80, 300, 9_000, 12_000)]
    model = embedder.model
    whole = model.encode(texts, batch_size=embedder.config.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    assert embedder.encode(texts).tobytes() == embed.normalise_rows(np.asarray(whole, dtype=np.float32)).tobytes()
    assert [type(cut_for_model(t, model)).__name__ for t in texts[3:]] == ["_Prefix", "_Prefix"]
    huge = "coffee grind water " * 60_000  # about 1.1 MB
    started = time.perf_counter()
    vector = embedder.encode([huge])
    assert time.perf_counter() - started < 5 and np.isfinite(vector).all()


def test_a_shard_this_process_cannot_read_is_skipped_not_deleted(tmp_path, caplog, monkeypatch):
    config, first, folder, name = _cached(tmp_path)
    real_load = np.load

    def refuse(path, *args, **kwargs):
        if str(path).endswith(".vecs.npy"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(np, "load", refuse)
    with caplog.at_level(logging.WARNING):
        again, encoded = _again(config)
    assert sorted(encoded) == sorted(TEXTS) and again.tobytes() == first.tobytes()
    assert (folder / f"{name}.vecs.npy").exists() and "skipped" in caplog.text  # another user's file stays
