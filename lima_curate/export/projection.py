"""Prompts to 2-D points for the report's map of candidates against selected items.

``embedding``: the selection's sentence embeddings (lima_curate.select.embed) reduced with
PCA. ``tfidf``: TF-IDF vectors reduced with TruncatedSVD, needing no model. ``auto`` tries
the embeddings and falls back to TF-IDF, saying why. Both are seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

METHODS = ("auto", "embedding", "tfidf", "none")


@dataclass(frozen=True)
class Projection:
    coords: Any  # numpy array (n, 2)
    note: str  # the method used, and why a fallback happened


def embed_texts(texts: Sequence[str], embedding_config: "Mapping[str, Any] | None") -> Any:
    """Sentence embeddings from the selection's embedder (raises when it is unavailable)."""
    from lima_curate.config import EmbeddingConfig, parse
    from lima_curate.select.embed import embed_texts as embed

    config = parse(EmbeddingConfig, dict(embedding_config or {}))
    return embed(list(texts), config)


def _pca(vectors: Any, seed: int) -> Any:
    import numpy as np
    from sklearn.decomposition import PCA

    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.shape[0] < 2:
        return np.zeros((vectors.shape[0], 2))
    dims = min(2, vectors.shape[0], vectors.shape[1])
    return _pad(PCA(n_components=dims, random_state=seed).fit_transform(vectors))


def _pad(coords: Any) -> Any:
    """Two columns (zeros added), each axis' sign fixed (largest absolute value positive) so
    reruns draw the same map."""
    import numpy as np

    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((coords.shape[0], 2 - coords.shape[1]))])
    for axis in range(coords.shape[1]):
        column = coords[:, axis]
        if column.size and column[np.argmax(np.abs(column))] < 0:
            coords[:, axis] = -column
    return coords


def tfidf_coords(texts: Sequence[str], seed: int) -> Any:
    """TF-IDF + TruncatedSVD to 2-D."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return np.zeros((len(texts), 2))
    try:
        matrix = TfidfVectorizer(sublinear_tf=True, max_features=50_000, min_df=1).fit_transform(texts)
    except ValueError:  # empty vocabulary
        return np.zeros((len(texts), 2))
    dims = min(2, matrix.shape[1] - 1)
    if dims < 1:
        return np.zeros((len(texts), 2))
    coords = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix)
    return _pad(np.asarray(coords, dtype=np.float64))


def project(
    texts: Sequence[str], method: str = "auto", *, seed: int = 0,
    embedding_config: "Mapping[str, Any] | None" = None,
) -> Projection:
    """2-D coordinates for ``texts`` with ``method`` (see the module docstring)."""
    if method not in METHODS or method == "none":
        raise ValueError(f"unknown projection {method!r}; expected one of auto, embedding, tfidf")
    if method in ("auto", "embedding"):
        try:
            vectors = embed_texts(texts, embedding_config)
        except Exception as error:  # any failure of the optional model path falls back
            if method == "embedding":
                raise
            reason = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            return Projection(tfidf_coords(texts, seed),
                              f"TF-IDF + TruncatedSVD (sentence embeddings unavailable: {reason})")
        return Projection(_pca(vectors, seed), "sentence embeddings + PCA")
    return Projection(tfidf_coords(texts, seed), "TF-IDF + TruncatedSVD")
