"""Saved weights and resumable checkpoints; nothing here is ever unpickled.

``<out>/epoch-NN/``: from_pretrained-loadable safetensors weights, config, generation config
(EOT as stop token), tokenizer with the chat template, and ``generations.jsonl``.
``<out>/checkpoint/`` (latest only): ``shards/`` (weights and AdamW state, one shard per rank,
written by torch.distributed.checkpoint and resharded on load), ``model/`` (config, tokenizer),
``rng.safetensors``, ``trainer_state.json`` and ``state.json`` (position, data fingerprint,
config). All ranks write it into a staging folder that rank 0 renames into place, so a crash
never leaves a half-written checkpoint (the folder must be on storage every node sees).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from lima_curate.atomic import staged_directory, write_text
from lima_curate.errors import InputError
from lima_curate.records import dumps
from lima_curate.train.distributed import Runtime, barrier, gather_objects, unwrap
from lima_curate.train.model import first_line

CHECKPOINT = "checkpoint"
SHARDS = "shards"
PROGRESS_KEYS = {"global_step": int, "epoch": int, "step_in_epoch": int, "fingerprint": str, "config": dict}


# ---------------------------------------------------------------- exports


def full_model_state(model: Any, dtype: Any = None) -> dict[str, Any]:
    """The unsharded state dict on the main rank, cast to ``dtype`` (collective under FSDP; {} elsewhere)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    state = get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    if dtype is not None:
        state = {key: value.to(dtype) if value.is_floating_point() else value for key, value in state.items()}
    return state


def save_weights(folder: Path, model: Any, state: dict[str, Any], tokenizer: Any) -> None:
    """from_pretrained-loadable weights (safetensors), config (with the weights' dtype), generation config, tokenizer."""
    import copy

    net = unwrap(model)
    dtypes = {value.dtype for value in state.values() if value.is_floating_point()}
    net.save_pretrained(folder, state_dict=state, safe_serialization=True)  # empties ``state``
    if len(dtypes) == 1:  # config.json names the dtype the weights are stored in
        config = copy.deepcopy(net.config)
        config.dtype = next(iter(dtypes))
        config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def export_epoch(out: Path, epoch: int, model: Any, tokenizer: Any, runtime: Runtime,
                 state: dict[str, Any], generations: Iterable[dict[str, Any]]) -> "Path | None":
    """Write epoch-NN/ (main rank) from a gathered ``state``; return its path on the main rank."""
    folder = None
    if runtime.is_main:
        folder = Path(out) / f"epoch-{epoch:02d}"
        with staged_directory(folder) as stage:
            save_weights(stage, model, state, tokenizer)
            write_text(stage / "generations.jsonl", "".join(dumps(row) + "\n" for row in generations))
    barrier(runtime)
    return folder


# ---------------------------------------------------------------- training state


def _training_tensors(model: Any, optimizer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(this rank's model and AdamW tensors under flat names, the optimiser state dict holding them).

    A fresh optimiser gets its state created (zeros) here, so that it can be loaded into.
    """
    from torch.distributed.checkpoint.state_dict import get_model_state_dict, get_optimizer_state_dict

    flat = {f"model.{name}": value for name, value in get_model_state_dict(model).items()}
    optim = get_optimizer_state_dict(model, optimizer)
    for name, state in optim["state"].items():
        for key, value in state.items():
            flat[f"optimizer.{name}.{key}"] = value
    return flat, optim


def rng_state(runtime: Runtime) -> dict[str, Any]:
    import torch

    state = {"cpu": torch.get_rng_state()}
    if runtime.device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(runtime.device)
    return state


def restore_rng(state: dict[str, Any], runtime: Runtime) -> None:
    import torch

    torch.set_rng_state(state["cpu"])
    if "cuda" in state and runtime.device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda"], runtime.device)


def save_checkpoint(out: Path, model: Any, optimizer: Any, scheduler: Any, tokenizer: Any,
                    runtime: Runtime, progress: dict[str, Any]) -> None:
    """Write <out>/checkpoint/ (collective: every rank must call it)."""
    import torch.distributed.checkpoint as dcp
    from safetensors.torch import save_file
    from torch.distributed.checkpoint import HuggingFaceStorageWriter

    tensors, _ = _training_tensors(model, optimizer)
    rngs = gather_objects(rng_state(runtime), runtime)
    final = Path(out) / CHECKPOINT
    with staged_directory(final) if runtime.is_main else contextlib.nullcontext() as stage:
        stage = Path(gather_objects(str(stage) if runtime.is_main else None, runtime)[0])
        with _single_process_quiet():
            dcp.save(tensors, storage_writer=HuggingFaceStorageWriter(str(stage / SHARDS), save_distributed=True))
        if runtime.is_main:
            net = unwrap(model)
            net.config.save_pretrained(stage / "model")
            net.generation_config.save_pretrained(stage / "model")
            tokenizer.save_pretrained(stage / "model")
            save_file({f"rank{rank}.{kind}": value for rank, state in enumerate(rngs) for kind, value in state.items()},
                      str(stage / "rng.safetensors"))
            trainer = {"scheduler": scheduler.state_dict(), "lr": [group["lr"] for group in optimizer.param_groups]}
            write_text(stage / "trainer_state.json", json.dumps(trainer, indent=2, sort_keys=True) + "\n")
            write_text(stage / "state.json", json.dumps({**progress, "world_size": runtime.world_size},
                                                        indent=2, sort_keys=True) + "\n")
    barrier(runtime)


def read_progress(out: Path) -> "dict[str, Any] | None":
    """state.json of the checkpoint in ``out``, or None when there is none; InputError when unusable."""
    folder = Path(out) / CHECKPOINT
    path = folder / "state.json"
    if not path.is_file():
        return None
    if not (folder / SHARDS).is_dir() and any(folder.glob("*.pt")):
        raise InputError(folder, "a checkpoint of an older lima-curate (pickled .pt files, which are never "
                                 "loaded); start again with another --out")
    try:
        progress = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(path, f"corrupt checkpoint state, not JSON ({error})") from None
    if not isinstance(progress, dict):
        raise InputError(path, "corrupt checkpoint state: not a JSON object")
    for key, kind in PROGRESS_KEYS.items():
        if not isinstance(progress.get(key), kind) or isinstance(progress.get(key), bool):
            raise InputError(path, f"corrupt checkpoint state: {key!r} missing or not {kind.__name__}")
    if progress["global_step"] < 0:
        raise InputError(path, "corrupt checkpoint state: negative global_step")
    if not (folder / SHARDS).is_dir():
        raise InputError(folder, "incomplete checkpoint: no shards/ folder")
    return progress


def load_training_state(out: Path, model: Any, optimizer: Any, scheduler: Any, runtime: Runtime) -> None:
    """Restore weights, optimiser, scheduler and this rank's RNG from <out>/checkpoint (collective).

    Raises InputError in one line when the files cannot be read.
    """
    import torch
    import torch.distributed.checkpoint as dcp
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    from torch.distributed.checkpoint import HuggingFaceStorageReader
    from torch.distributed.checkpoint.api import CheckpointException
    from torch.distributed.checkpoint.state_dict import set_model_state_dict, set_optimizer_state_dict

    folder = Path(out) / CHECKPOINT
    tensors, optim = _training_tensors(model, optimizer)
    try:
        with _single_process_quiet():
            dcp.load(tensors, storage_reader=HuggingFaceStorageReader(str(folder / SHARDS)))
        trainer = json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
        rngs = load_file(str(folder / "rng.safetensors"))
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError, CheckpointException) as error:
        raise InputError(folder, f"cannot read the checkpoint ({first_line(error)})") from None
    set_model_state_dict(model, {name[len("model."):]: value for name, value in tensors.items()
                                 if name.startswith("model.")})
    set_optimizer_state_dict(model, optimizer, optim)
    scheduler.load_state_dict(trainer["scheduler"])
    for group, lr in zip(optimizer.param_groups, trainer["lr"]):
        group["lr"] = lr
    ranks = {int(key.split(".")[0][4:]) for key in rngs}
    rank = runtime.rank if len(ranks) == runtime.world_size else 0
    restore_rng({key.split(".", 1)[1]: value for key, value in rngs.items() if key.startswith(f"rank{rank}.")}, runtime)
    if len(ranks) != runtime.world_size:  # another process count: dropout masks cannot match the old run anyway
        torch.manual_seed(int(torch.randint(0, 2**31, (1,))) + runtime.rank)


@contextlib.contextmanager
def _single_process_quiet() -> Iterator[None]:
    """DCP warns that it assumes one process when there is no process group: that is intended here."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="torch.distributed is disabled, unavailable or uninitialized")
        yield
