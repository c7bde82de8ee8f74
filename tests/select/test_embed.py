from pathlib import Path

import numpy as np
import pytest

from lima_curate.config import EmbeddingConfig
from lima_curate.errors import InputError
from lima_curate.select.embed import DEFAULT_MODEL, Embedder, normalise_rows, resolve_device, resolve_model


def test_default_model_is_the_packaged_minilm():
    target, key = resolve_model("default")
    assert key == DEFAULT_MODEL and (Path(target) / "config.json").is_file()
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == (target, key)


def test_a_local_folder_or_a_name_is_used_as_given(tmp_path):
    assert resolve_model(str(tmp_path)) == (str(tmp_path.resolve()), str(tmp_path.resolve()))
    assert resolve_model("some-org/some-model") == ("some-org/some-model", "some-org/some-model")


def test_auto_device_follows_torch():
    import torch

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"


def test_rows_are_unit_length_float32():
    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.dtype == np.float32 and np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


@pytest.mark.slow
def test_a_model_that_is_not_here_is_an_input_error_without_download(tmp_path):
    embedder = Embedder(EmbeddingConfig(model="no-such-org/no-such-model-xyz", device="cpu"))
    with pytest.raises(InputError, match="cannot load the embedding model offline"):
        embedder.encode(["hello"])


@pytest.mark.slow
def test_the_default_model_embeds_meaning(embedder):
    vectors = embedder.encode(["How do I grind coffee beans?", "What is the best way to grind coffee?",
                               "Which qubit gates are universal?"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > 0.7 > 0.3 > vectors[0] @ vectors[2]
    assert np.allclose(embedder.encode(["How do I grind coffee beans?"])[0], vectors[0], atol=1e-5)


def test_a_cuda_device_without_cuda_is_one_line(monkeypatch):
    import torch

    from lima_curate.errors import InputError
    from lima_curate.select.embed import load_model

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(InputError, match="no CUDA device"):
        load_model("any-model", "cuda")
