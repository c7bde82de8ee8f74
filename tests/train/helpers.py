"""Helpers for the training tests: build-output files and a short, fast recipe config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lima_curate.records import dumps
from lima_curate.train.config import load_train_config


def write_set(folder: Path, rows: list[dict[str, Any]], dev: "list[dict[str, Any]] | None" = None) -> Path:
    """train.jsonl (and dev.jsonl beside it) in ``folder``, as `lima-curate build` writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.jsonl").write_text("".join(dumps(r) + "\n" for r in rows), encoding="utf-8")
    if dev is not None:
        (folder / "dev.jsonl").write_text("".join(dumps(r) + "\n" for r in dev), encoding="utf-8")
    return folder / "train.jsonl"


def quick_config(model: Path, data: Path, out: Path, **overrides: Any):
    """A short, fast run of the recipe (no progress bar, nothing saved unless asked)."""
    settings = {
        "model": str(model), "data": str(data), "out": str(out), "epochs": 2, "examples_per_step": 4,
        "lr": 1e-3, "final_lr": 1e-4, "first_save_epoch": 1, "last_save_epoch": 0, "save_final": False,
        "max_seq_len": 256, "micro_batch_tokens": 512, "residual_dropout": 0.0, "progress": False,
        "generation.max_new_tokens": 8,
    }
    settings.update(overrides)
    return load_train_config(None, settings)


def checkpoint_weights(out: Path) -> dict[str, Any]:
    """The model weights of ``out``/checkpoint as full tensors, read from its shards in this process."""
    import warnings

    import torch
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint import HuggingFaceStorageReader

    folder = str(out / "checkpoint" / "shards")
    metadata = HuggingFaceStorageReader(folder).read_metadata()
    state = {name: torch.empty(item.size, dtype=item.properties.dtype)
             for name, item in metadata.state_dict_metadata.items() if name.startswith("model.")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "assuming the intent is to load in a single process"
        dcp.load(state, storage_reader=HuggingFaceStorageReader(folder))
    return {name[len("model."):]: value for name, value in state.items()}
