"""Processes, devices and model placement: one process, DDP, or FSDP2 (``fully_shard``).

Several processes are started by torchrun (:mod:`lima_curate.train.launch`); outside it the
engine is ``single``. ``bf16`` keeps fp32 master weights and computes in bfloat16 (autocast,
or FSDP2's mixed-precision policy); ``fp64`` runs everything in float64.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Any, Iterator

from lima_curate.config import ConfigError


@dataclass(frozen=True)
class Runtime:
    rank: int
    world_size: int
    device: Any  # torch.device
    engine: str  # single, ddp, fsdp
    precision: str  # bf16, fp32, fp64

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """A process group is in use (possibly of one rank)."""
        return self.engine != "single"

    @property
    def bf16(self) -> bool:
        return self.precision == "bf16"

    @property
    def dtype(self) -> Any:
        """dtype of the master weights and optimiser state."""
        import torch

        return torch.float64 if self.precision == "fp64" else torch.float32


def launched_by_torchrun() -> bool:
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


def setup(device: str = "auto", engine: str = "auto", precision: str = "auto") -> Runtime:
    """Join the process group (when launched by torchrun) and pick the device and precision."""
    import torch
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() if device == "auto" else device == "cuda"
    if use_cuda and not torch.cuda.is_available():
        raise ConfigError("device: cuda was asked for but no CUDA device is available")
    if engine == "auto":
        engine = "ddp" if world > 1 else "single"
    if engine in ("ddp", "fsdp") and not launched_by_torchrun():
        engine = "single"  # one plain process: nothing to distribute
    if engine == "single" and world > 1:
        raise ConfigError("engine: 'single' cannot run in several processes; use ddp or fsdp")
    if precision == "bf16" and not use_cuda:
        raise ConfigError("precision: bf16 needs a CUDA device here; use fp32 on CPU")
    if precision == "auto":
        precision = "bf16" if use_cuda else "fp32"
    if use_cuda:
        torch.cuda.set_device(local_rank)
        dev = torch.device("cuda", local_rank)
    else:
        dev = torch.device("cpu")
    if engine != "single" and not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo", device_id=dev if use_cuda else None)
    return Runtime(rank, world, dev, engine, precision)


def cleanup(failed: bool = False) -> None:
    """Leave the process group: together after a good run, at once after a failure.

    After a failure the other ranks may wait in a collective this rank never joins: a barrier
    would hang the job, while leaving closes the connections and ends their wait too.
    """
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return
    if failed:
        with contextlib.suppress(Exception):
            dist.destroy_process_group()
        return
    # every rank reaches the end before any tears its connections down: with gloo, a rank
    # that leaves while another still saves or generates can abort at exit
    dist.barrier()
    dist.destroy_process_group()


def place(model: Any, runtime: Runtime, full_state: "dict[str, Any] | None") -> Any:
    """Shard (FSDP2), give storage on the device, fill with ``full_state``, wrap (DDP).

    ``model`` has its parameters on the meta device; ``full_state`` is the full state dict on
    rank 0, broadcast from there (``{}`` elsewhere; ``None`` when a checkpoint fills the weights).
    """
    import torch
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

    if runtime.engine == "fsdp":
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

        from lima_curate.train.dropout import decoder_layers

        policy = (MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
                  if runtime.bf16 else MixedPrecisionPolicy())
        for layer in decoder_layers(model):
            fully_shard(layer, mp_policy=policy)
        fully_shard(model, mp_policy=policy)
    # buffers outside the state dict (rotary frequencies) were computed at build time: keep them
    buffers = {name: buffer.clone() for name, buffer in model.named_buffers()}
    model.to_empty(device=runtime.device)
    with torch.no_grad():
        for name, buffer in model.named_buffers():
            if name in buffers and buffers[name].device.type != "meta":
                buffer.copy_(buffers[name])
    if full_state is not None:
        set_model_state_dict(model, full_state, options=StateDictOptions(
            full_state_dict=True, broadcast_from_rank0=runtime.distributed, strict=True))
    if runtime.engine == "ddp":
        from torch.nn.parallel import DistributedDataParallel

        ids = [runtime.device.index] if runtime.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)
    return model


def unwrap(model: Any) -> Any:
    """The transformers model inside a DDP wrapper (FSDP2 keeps the model's own class)."""
    return getattr(model, "module", model)


def autocast(runtime: Runtime) -> Any:
    """bf16 autocast for single/DDP runs on CUDA; FSDP handles precision itself."""
    import torch

    if runtime.bf16 and runtime.engine != "fsdp":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@contextlib.contextmanager
def gradient_sync(model: Any, runtime: Runtime, sync: bool) -> Iterator[None]:
    """DDP: all-reduce only after the last micro-batch of a step (the gradients are full-size anyway).

    FSDP2 reduce-scatters after every micro-batch: deferring it would hold unsharded fp32
    gradients (+4 bytes per parameter on every GPU) to save a transfer the backward pass overlaps.
    """
    if runtime.engine == "ddp" and not sync:
        with model.no_sync():
            yield
    else:
        yield


def all_reduce(value: Any, runtime: Runtime, op: str = "sum") -> Any:
    """Sum (or max) a tensor over ranks, in place; a no-op in one process."""
    if runtime.distributed:
        import torch.distributed as dist

        dist.all_reduce(value, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
    return value


def gather_objects(obj: Any, runtime: Runtime) -> list[Any]:
    """Every rank's ``obj`` on every rank (a list indexed by rank)."""
    if not runtime.distributed:
        return [obj]
    import torch.distributed as dist

    out: list[Any] = [None] * runtime.world_size
    dist.all_gather_object(out, obj)
    return out


def barrier(runtime: Runtime) -> None:
    if runtime.distributed:
        import torch.distributed as dist

        dist.barrier()
