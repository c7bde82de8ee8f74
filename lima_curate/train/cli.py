"""``lima-curate train``: the command function (registered on the app in :mod:`lima_curate.cli.main`).

Only light imports here; torch and transformers load when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from lima_curate.cli.common import fail
from lima_curate.errors import InputError


def train(
    model: Optional[str] = typer.Option(None, "--model", metavar="PATH|NAME", help="Base model: a local folder (safetensors) or a cached model name."),
    data: Optional[Path] = typer.Option(None, "--data", metavar="FILE", help="train.jsonl written by `lima-curate build`."),
    out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", help="Output folder: epoch-NN/, checkpoint/, metrics.jsonl."),
    dev: Optional[str] = typer.Option(None, "--dev", metavar="FILE|none", help="Dev prompts JSONL (default: dev.jsonl beside --data; 'none' to skip)."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="YAML file of recipe settings (flags override it)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", metavar="N", help="Passes over the data (paper: 15)."),
    lr: Optional[float] = typer.Option(None, "--lr", metavar="LR", help="Peak learning rate, decaying linearly to --final-lr (paper: 1e-5)."),
    final_lr: Optional[float] = typer.Option(None, "--final-lr", metavar="LR", help="Learning rate at the last step (paper: 1e-6)."),
    examples_per_step: Optional[int] = typer.Option(None, "--examples-per-step", metavar="N", help="Examples per optimiser step over all processes (paper: 32)."),
    small_model: Optional[bool] = typer.Option(None, "--small-model", metavar="", help="Smaller-model defaults: 64 examples per step, residual dropout 0.2."),
    residual_dropout: Optional[float] = typer.Option(None, "--residual-dropout", metavar="P", help="Residual dropout at the last layer (paper: 0.3)."),
    max_seq_len: Optional[int] = typer.Option(None, "--max-seq-len", metavar="TOKENS", help="Trim examples to this many tokens (paper: 2048); an example whose prompt fills it is an error."),
    seed: Optional[int] = typer.Option(None, "--seed", metavar="N", help="Seed for data order, new-token rows and dropout."),
    batching: Optional[str] = typer.Option(None, "--batching", metavar="packed|padded", help="'packed' (no padding) or 'padded'."),
    micro_batch_tokens: Optional[int] = typer.Option(None, "--micro-batch-tokens", metavar="TOKENS", help="Packed: tokens per forward pass."),
    engine: Optional[str] = typer.Option(None, "--engine", metavar="NAME", help="auto, single, ddp or fsdp (FSDP2)."),
    device: Optional[str] = typer.Option(None, "--device", metavar="NAME", help="auto, cpu or cuda."),
    precision: Optional[str] = typer.Option(None, "--precision", metavar="NAME", help="auto (bf16 on CUDA), bf16, fp32 or fp64."),
    attn_implementation: Optional[str] = typer.Option(None, "--attn-implementation", metavar="NAME", help="Attention kernel (default for packed rows: flash or flex attention on CUDA, per-example SDPA on CPU)."),
    gradient_checkpointing: Optional[bool] = typer.Option(None, "--gradient-checkpointing", metavar="", help="Recompute activations to save memory."),
    save_epochs: Optional[str] = typer.Option(None, "--save-epochs", metavar="A-B", help="Epochs whose weights and generations are saved, 'A-B' (paper: 5-10)."),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every", metavar="STEPS", help="Resumable checkpoint every N steps (always at epoch ends)."),
    resume: bool = typer.Option(False, "--resume", metavar="", help="Continue from OUT/checkpoint after a crash."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", metavar="", help="Allow model code shipped with the checkpoint."),
    no_progress: bool = typer.Option(False, "--no-progress", metavar="", help="No progress bar."),
    set_values: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help="Any other setting, KEY=VALUE (e.g. generation.top_p=0.95)."),
    nproc_per_node: int = typer.Option(1, "--nproc-per-node", metavar="N", help="Start this many processes through torchrun (e.g. one per GPU)."),
    nnodes: int = typer.Option(1, "--nnodes", metavar="N", help="Nodes taking part (run the command on each)."),
    node_rank: int = typer.Option(0, "--node-rank", metavar="N", help="This node's rank when --nnodes > 1."),
    master_addr: str = typer.Option("", "--master-addr", metavar="HOST", help="Address of node 0 when --nnodes > 1."),
    master_port: int = typer.Option(29500, "--master-port", metavar="PORT", help="Port on node 0 when --nnodes > 1."),
) -> None:
    """Fine-tune a causal LM on a built set with the LIMA recipe (EOT token, assistant-only loss)."""
    from lima_curate.config import ConfigError  # pydantic loads with the command, not with --help

    try:
        overrides = _overrides(locals())
        from lima_curate.train.config import load_train_config

        settings = load_train_config(config, overrides)
        from lima_curate.train.distributed import launched_by_torchrun

        if (nproc_per_node > 1 or nnodes > 1) and not launched_by_torchrun():
            from lima_curate.train.launch import launch

            code = launch(settings, nproc_per_node=nproc_per_node, nnodes=nnodes, node_rank=node_rank,
                          master_addr=master_addr, master_port=master_port)
            if code:
                raise fail(f"training failed in a worker process (exit status {code})", code)
            return
        from lima_curate.train.recipe import run

        run(settings)
    except (InputError, ConfigError) as error:
        raise fail(str(error)) from None


def _overrides(options: dict[str, Any]) -> dict[str, Any]:
    """Config overrides from the flags that were given (None means not given)."""
    import yaml

    from lima_curate.config import ConfigError

    direct = ("epochs", "lr", "final_lr", "examples_per_step", "small_model", "residual_dropout", "max_seq_len",
              "seed", "batching", "micro_batch_tokens", "engine", "device", "precision", "attn_implementation",
              "gradient_checkpointing", "checkpoint_every", "dev")
    overrides: dict[str, Any] = {key: options[key] for key in direct if options[key] is not None}
    for key in ("model", "data", "out"):
        if options[key] is not None:
            overrides[key] = _absolute(str(options[key]), name_allowed=key == "model")
    if options["dev"] not in (None, "", "none"):
        overrides["dev"] = _absolute(options["dev"])
    if options["resume"]:
        overrides["resume"] = True
    if options["trust_remote_code"]:
        overrides["trust_remote_code"] = True
    if options["no_progress"]:
        overrides["progress"] = False
    if options["save_epochs"] is not None:
        first, _, last = options["save_epochs"].partition("-")
        try:
            overrides["first_save_epoch"], overrides["last_save_epoch"] = int(first), int(last or first)
        except ValueError:
            raise ConfigError(f"--save-epochs: expected A-B (e.g. 5-10), got {options['save_epochs']!r}") from None
    for item in options["set_values"]:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set: expected KEY=VALUE, got {item!r}")
        overrides[key.strip()] = yaml.safe_load(value)
    return overrides


def _absolute(value: str, name_allowed: bool = False) -> str:
    """Absolute form of a local path; with ``name_allowed``, a name that is no local path stays as it is."""
    path = Path(value).expanduser()
    if name_allowed and not path.exists():
        return value
    return str(path.resolve())
