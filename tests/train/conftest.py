"""Tiny models built from a config, a tokenizer trained on real LIMA text, and small train sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import tiny


@pytest.fixture(scope="session")
def lima_rows(realdata: Path) -> list[dict[str, Any]]:
    """The real LIMA train set as build-output rows (messages, id, source, meta)."""
    return tiny.lima_conversations(realdata / "lima" / "lima_train_alpaca_format.json")


@pytest.fixture(scope="session")
def short_rows(lima_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Single-turn LIMA examples short enough for fast CPU steps."""
    return [r for r in lima_rows if len(r["messages"]) == 2 and sum(len(m["content"]) for m in r["messages"]) < 600]


@pytest.fixture(scope="session")
def tokenizer(lima_rows: list[dict[str, Any]]) -> Any:
    texts = [m["content"] for row in lima_rows[:300] for m in row["messages"]]
    return tiny.train_tokenizer(texts, vocab_size=512)


@pytest.fixture(scope="session")
def llama_dir(tmp_path_factory: pytest.TempPathFactory, tokenizer: Any) -> Path:
    return tiny.build_model(tmp_path_factory.mktemp("llama"), tokenizer, family="llama")


@pytest.fixture(scope="session")
def gpt2_dir(tmp_path_factory: pytest.TempPathFactory, tokenizer: Any) -> Path:
    return tiny.build_model(tmp_path_factory.mktemp("gpt2"), tokenizer, family="gpt2")


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread: tiny tensors run faster, and results do not depend on the core count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
