"""Text similarity for the checker: a cosine matrix between two lists of texts.

A :data:`Similarity` is any function ``(texts_a, texts_b) -> ndarray`` of shape
``(len(a), len(b))``, so tests can pass a cheap one. :func:`default_similarity` uses the
pipeline's sentence embedder, or TF-IDF character n-grams when that cannot be imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import numpy as np

    from lima_curate.config import EmbeddingConfig

Similarity = Callable[[Sequence[str], Sequence[str]], "np.ndarray"]


def embedding_similarity(config: "EmbeddingConfig") -> Similarity:
    """Cosines of the pipeline's sentence embeddings (cached; the model loads on first use)."""
    from lima_curate.select.embed import Embedder, embed_texts

    embedder = Embedder(config)

    def similarity(a: Sequence[str], b: Sequence[str]) -> "np.ndarray":
        import numpy as np

        if not a or not b:
            return np.zeros((len(a), len(b)), dtype=np.float32)
        vectors = embed_texts([*a, *b], config, embedder=embedder)
        return vectors[: len(a)] @ vectors[len(a):].T

    return similarity


def tfidf_similarity(a: Sequence[str], b: Sequence[str]) -> "np.ndarray":
    """Cosines of TF-IDF vectors over character 3-5-grams within words (no model needed)."""
    import numpy as np

    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    matrix = vectoriser.fit_transform([*a, *b])
    left, right = matrix[: len(a)], matrix[len(a):]
    return np.asarray((left @ right.T).todense(), dtype=np.float32)


def no_similarity(a: Sequence[str], b: Sequence[str]) -> "np.ndarray":
    """All zeros: turns the similarity checks off."""
    import numpy as np

    return np.zeros((len(a), len(b)), dtype=np.float32)


def default_similarity(config: "EmbeddingConfig") -> tuple[Similarity, str]:
    """The embedding similarity when available, else TF-IDF; and a line saying which."""
    try:
        return embedding_similarity(config), f"sentence embeddings ({config.model})"
    except ImportError as missing:
        return tfidf_similarity, f"TF-IDF character n-grams (embeddings unavailable: {missing})"
