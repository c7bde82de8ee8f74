"""The LIMA supervised fine-tuning recipe, top to bottom: setup, loop, checkpoint, cleanup.

Each step takes ``examples_per_step`` examples of the epoch's seeded order, deals them to ranks
(balanced tokens), packs them into micro-batches and divides the summed loss by the target
tokens of the whole step, over every micro-batch and rank, so the result does not depend on
how the step is split. Epoch ends export weights and dev generations (in the save range) and
write the checkpoint.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from lima_curate.atomic import write_text
from lima_curate.config import to_dict
from lima_curate.errors import InputError
from lima_curate.train import checkpoint, data, distributed
from lima_curate.train.config import TrainConfig, recipe_differences
from lima_curate.train.distributed import Runtime
from lima_curate.train.metrics import MetricsLog


@dataclass
class Session:
    """Everything the training loop needs, built by :func:`setup`."""

    config: TrainConfig
    runtime: Runtime
    out: Path
    tokenizer: Any
    eot: int
    train_set: data.TrainSet
    dev: list[data.Conversation]
    model: Any
    optimizer: Any
    scheduler: Any
    n_parameters: int
    attention: str
    start_step: int = 0

    @property
    def steps_per_epoch(self) -> int:
        return data.steps_per_epoch(len(self.train_set.examples), self.config.examples_per_step)

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.config.epochs


def run(config: TrainConfig) -> dict[str, Any]:
    """Train as ``config`` says; return a summary (on every rank)."""
    runtime = distributed.setup(config.device, config.engine, config.precision)
    session = None
    failed = True
    try:
        session = setup(config, runtime)
        summary = train(session)
        failed = False
        return summary
    finally:
        # the wrapped model (DDP's reducer, FSDP's state) must go before its process group:
        # freed after it, gloo's threads can abort the process at exit
        del session
        gc.collect()
        distributed.cleanup(failed)  # after a failure: no barrier, the other ranks may never come


# ---------------------------------------------------------------- setup


def preflight(config: TrainConfig) -> "dict[str, Any] | None":
    """Checks that need no weights: data shape, dev file, output folder vs --resume, model positions.

    Returns the checkpoint's progress when resuming. Raises InputError or ConfigError in one line.
    """
    data.read_conversations(config.data)
    dev = config.dev_path()
    if config.dev and dev is not None:
        data.read_conversations(dev, require_assistant=False)
    out = Path(config.out)
    progress = checkpoint.read_progress(out)
    if progress is not None and not config.resume:
        raise InputError(out, "holds a checkpoint of an earlier run; pass --resume to continue it, or choose another --out")
    if progress is None and config.resume:
        raise InputError(out, "--resume: no checkpoint found here")
    if progress is not None:
        changed = recipe_differences(progress["config"], config)
        if changed:
            raise InputError(out / checkpoint.CHECKPOINT, f"--resume with other settings ({', '.join(changed)}); "
                             "use the checkpoint's values or a new --out")
    if config.model.startswith((".", "/", "~")) and not Path(config.model).expanduser().is_dir():
        raise InputError(config.model, "model folder not found")
    from lima_curate.train.model import check_positions, load_config

    source = str(out / checkpoint.CHECKPOINT / "model") if progress else config.model
    check_positions(load_config(source, trust_remote_code=config.trust_remote_code), config.max_seq_len)
    return progress


def setup(config: TrainConfig, runtime: Runtime) -> Session:
    """Tokenizer with EOT, data, model (built empty, dropout, checkpointing, placed), optimiser, resume."""
    import torch

    from lima_curate.train import model as models

    models.quiet_transformers()
    progress = preflight(config)
    out = Path(config.out)
    source = str(out / checkpoint.CHECKPOINT / "model") if progress else config.model
    torch.manual_seed(config.seed)  # identical on every rank: new-token rows must match

    tokenizer = models.load_tokenizer(source, trust_remote_code=config.trust_remote_code)
    eot = models.add_chat_format(tokenizer, config.eot_token)
    train_set = data.load_train_set(config.data, tokenizer, eot, config.max_seq_len)
    if progress and progress["fingerprint"] != train_set.fingerprint:
        raise InputError(config.data, "--resume: this is not the data the checkpoint was trained on")
    dev_path = config.dev_path()
    dev = data.read_conversations(dev_path, require_assistant=False) if dev_path and config.export_epochs() else []

    model, n_parameters = build_model(config, runtime, source, len(tokenizer), resuming=bool(progress))
    models.set_stop_token(distributed.unwrap(model), tokenizer, eot)

    optimizer = _optimizer(model, config)
    session = Session(config, runtime, out, tokenizer, eot, train_set, dev, model, optimizer, None,
                      n_parameters, models.attention_kind(distributed.unwrap(model)))
    session.scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, functools.partial(
        lr_factor, total_steps=session.total_steps, warmup_steps=config.warmup_steps,
        final_ratio=config.final_lr / config.lr))
    if progress:
        checkpoint.load_training_state(out, model, optimizer, session.scheduler, runtime)
        session.start_step = int(progress["global_step"])
    else:
        torch.manual_seed(config.seed + runtime.rank)  # dropout masks differ per rank
        if runtime.is_main:
            write_text(out / "train_config.json", json.dumps(to_dict(config), indent=2, sort_keys=True) + "\n")
    _log(session, f"{len(train_set.examples)} examples ({train_set.trimmed} trimmed at {config.max_seq_len} tokens), "
                  f"{session.steps_per_epoch} steps/epoch x {config.epochs} epochs, {n_parameters / 1e6:.1f}M parameters, "
                  f"engine {runtime.engine} x {runtime.world_size}, {runtime.device.type}, {runtime.precision}, "
                  f"attention {session.attention}" + (f"; resuming at step {session.start_step}" if progress else ""))
    return session


def build_model(config: TrainConfig, runtime: Runtime, source: str, tokens: int, *, resuming: bool) -> tuple[Any, int]:
    """The model on this rank's device and its parameter count.

    Every rank builds it on the meta device and only rank 0 reads the weights (none when
    resuming), which :func:`distributed.place` broadcasts into each rank's shard.
    """
    from lima_curate.train import attention
    from lima_curate.train import model as models
    from lima_curate.train.dropout import apply_residual_dropout, decoder_layers

    kernel = config.attn_implementation
    if config.batching == "packed":
        kernel = attention.packed_kernel(kernel, runtime.device.type)
    attention.register()
    hf_config = models.load_config(source, trust_remote_code=config.trust_remote_code, attn_implementation=kernel)
    rows = models.embedding_rows(hf_config, tokens)
    weights = None if resuming else {}
    if weights is not None and runtime.is_main:
        weights = models.pretrained_state(source, hf_config, rows, runtime.dtype, trust_remote_code=config.trust_remote_code)
    model = models.empty_model(hf_config, rows, runtime.dtype, trust_remote_code=config.trust_remote_code)
    apply_residual_dropout(model, config.residual_dropout)
    if config.gradient_checkpointing:
        _enable_activation_checkpointing(model)
    if config.fused_loss:
        from lima_curate.train.loss import install_loss_head

        install_loss_head(model)
    if config.compile:
        for layer in decoder_layers(model):
            layer.compile()
    n_parameters = sum(parameter.numel() for parameter in model.parameters())  # tied weights once
    model.train()
    return distributed.place(model, runtime, weights), n_parameters


def _enable_activation_checkpointing(model: Any) -> None:
    kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.x
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)


def _optimizer(model: Any, config: TrainConfig) -> Any:
    """AdamW; weight decay on matrices and embeddings, not on biases and norm gains."""
    import torch

    decay, no_decay = [], []
    for parameter in model.parameters():
        if parameter.requires_grad:
            (decay if parameter.ndim >= 2 else no_decay).append(parameter)
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(config.beta1, config.beta2), fused=config.fused_adamw or None)


def lr_factor(step: int, total_steps: int, warmup_steps: int, final_ratio: float) -> float:
    """LR multiplier at optimiser step ``step`` (0-based): warm-up, then linear to ``final_ratio``."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    span = max(1, total_steps - warmup_steps - 1)
    return 1.0 - (1.0 - final_ratio) * min(1.0, (step - warmup_steps) / span)


# ---------------------------------------------------------------- the loop


def train(session: Session) -> dict[str, Any]:
    """Run the remaining steps; export and checkpoint at epoch ends; return a summary."""
    from tqdm.auto import tqdm

    config, runtime = session.config, session.runtime
    metrics = MetricsLog(session.out / "metrics.jsonl", runtime.is_main, keep_until_step=session.start_step)
    bar = tqdm(total=session.total_steps, initial=session.start_step, unit="step", dynamic_ncols=True,
               disable=not (runtime.is_main and config.progress), file=sys.stderr)
    spe = session.steps_per_epoch
    lengths = session.train_set.lengths
    order: list[int] = []
    last: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        for global_step in range(session.start_step, session.total_steps):
            epoch, step = divmod(global_step, spe)
            if step == 0 or not order:
                order = data.epoch_order(len(lengths), config.seed, epoch)
            indices = data.step_indices(order, step, config.examples_per_step)
            mine = data.split_across_ranks(indices, lengths, runtime.world_size)[runtime.rank]
            lr = session.scheduler.get_last_lr()[0]
            result = train_step(session, micro_batches(session, mine))
            last = {"step": global_step + 1, "epoch": epoch + 1, "epoch_step": step + 1, "lr": lr, **result,
                    "elapsed_s": round(time.perf_counter() - started, 3)}
            if (global_step + 1) % config.log_every == 0 or global_step + 1 == session.total_steps:
                metrics.write(last)
            bar.update(1)
            bar.set_postfix(loss=f"{result['loss']:.4f}", lr=f"{lr:.2e}", tok_s=f"{result['tokens_per_s']:.0f}")
            if step + 1 == spe:
                end_of_epoch(session, epoch + 1, global_step + 1)
            elif config.checkpoint_every and (global_step + 1) % config.checkpoint_every == 0:
                save(session, global_step + 1)
    finally:
        bar.close()
        metrics.close()
    summary = {
        "steps": session.total_steps,
        "examples": len(lengths),
        "trimmed": session.train_set.trimmed,
        "final_loss": last.get("loss"),
        "saved_epochs": config.export_epochs(),
        "out": str(session.out),
    }
    if runtime.is_main:
        write_text(session.out / "summary.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def micro_batches(session: Session, indices: Sequence[int]) -> list[list[data.Encoded]]:
    """This rank's examples of one step, cut into forward passes."""
    config, examples = session.config, session.train_set.examples
    lengths = session.train_set.lengths
    if config.batching == "packed":
        groups = data.pack(indices, lengths, config.micro_batch_tokens)
    else:
        groups = data.chunk(indices, lengths, config.micro_batch_size, config.group_by_length)
    return [[examples[i] for i in group] for group in groups]


def train_step(session: Session, batches: list[list[data.Encoded]]) -> dict[str, Any]:
    """One optimiser step over this rank's micro-batches; every rank calls it in lockstep."""
    import torch

    model, runtime = session.model, session.runtime
    started = time.perf_counter()
    local = torch.tensor([sum(e.loss_tokens for b in batches for e in b), sum(len(e) for b in batches for e in b)],
                         dtype=torch.float64, device=runtime.device)
    counts = distributed.all_reduce(local.clone(), runtime)
    passes = int(distributed.all_reduce(torch.tensor(len(batches), device=runtime.device), runtime, op="max"))
    target_tokens, tokens = int(counts[0]), int(counts[1])
    # gradients are summed over ranks (DDP/FSDP average, hence the world size) and divided by
    # the target tokens of the whole step
    scale = runtime.world_size / max(target_tokens, 1)
    loss_sum = torch.zeros((), dtype=torch.float64, device=runtime.device)
    for number in range(passes):  # a rank with fewer micro-batches runs empty ones to keep in step
        batch = batches[number] if number < len(batches) else None
        with distributed.gradient_sync(model, runtime, sync=number == passes - 1):
            loss = forward_loss(session, batch)
            (loss * scale).backward()
        loss_sum += loss.detach().double()
    grad_norm = _clip(session)
    session.optimizer.step()
    session.scheduler.step()
    session.optimizer.zero_grad(set_to_none=True)
    loss_sum = distributed.all_reduce(loss_sum, runtime)
    seconds = time.perf_counter() - started
    return {
        "loss": float(loss_sum) / max(target_tokens, 1),
        "target_tokens": target_tokens,
        "tokens": tokens,
        "tokens_per_s": tokens / seconds if seconds > 0 else 0.0,
        "grad_norm": grad_norm,
    }


def forward_loss(session: Session, batch: "list[data.Encoded] | None") -> Any:
    """Summed cross-entropy over the target tokens of one micro-batch (0 for an empty pass).

    Logits are computed only at the positions that carry a target (``logits_to_keep``); none at
    all with ``fused_loss`` (:mod:`.loss`).
    """
    from lima_curate.train.loss import loss_from_head, token_loss

    device = session.runtime.device
    inputs = {key: value.to(device) if hasattr(value, "to") else value
              for key, value in model_inputs(session, batch).items()}
    labels = inputs.pop("labels")
    positions = (labels != data.IGNORE_INDEX).any(0).nonzero().squeeze(1)
    targets = labels[:, positions]
    with distributed.autocast(session.runtime), loss_from_head(distributed.unwrap(session.model), targets) as fused:
        output = session.model(**inputs, logits_to_keep=positions)
    loss = output.logits if fused else token_loss(output.logits, targets)
    return loss * 0.0 if batch is None else loss


def model_inputs(session: Session, batch: "list[data.Encoded] | None") -> dict[str, Any]:
    """Tensors for one forward pass: a packed row (see :func:`data.packed_inputs`) or padded rows."""
    config = session.config
    if batch is None:
        batch = [data.Encoded("empty", (session.eot,), (False,))]
    if config.batching == "padded":
        pad = session.tokenizer.pad_token_id if session.tokenizer.pad_token_id is not None else session.eot
        return {**data.collate_padded(batch, pad), "use_cache": False}
    # compiled blocks see one row size (the filler carries no label and attends only to itself)
    return data.packed_inputs(batch, session.attention, pad_to=config.micro_batch_tokens if config.compile else 0,
                              pad_id=session.eot)


def _clip(session: Session) -> float:
    import torch

    limit = session.config.max_grad_norm or float("inf")
    norm = torch.nn.utils.clip_grad_norm_(session.model.parameters(), limit)
    if hasattr(norm, "full_tensor"):  # FSDP2: a DTensor
        norm = norm.full_tensor()
    return float(norm)


# ---------------------------------------------------------------- saving


def end_of_epoch(session: Session, epoch: int, global_step: int) -> None:
    """Export the epoch's weights and generations when in the save range, then checkpoint."""
    config, runtime = session.config, session.runtime
    if epoch in config.export_epochs():
        from lima_curate.train.generate import generate_dev

        import torch

        state = checkpoint.full_model_state(session.model, torch.bfloat16 if config.export_dtype == "bf16" else torch.float32)
        rows = generate_dev(session.model, session.tokenizer, session.dev, config.generation, runtime,
                            eot=session.eot, max_seq_len=config.max_seq_len,
                            seed=config.seed + epoch) if session.dev else []
        folder = checkpoint.export_epoch(session.out, epoch, session.model, session.tokenizer, runtime, state, rows)
        _log(session, f"epoch {epoch}: weights and {len(rows)} generations in {folder}")
    save(session, global_step)


def save(session: Session, global_step: int) -> None:
    epoch, step = divmod(global_step, session.steps_per_epoch)
    progress = {"global_step": global_step, "epoch": epoch, "step_in_epoch": step,
                "fingerprint": session.train_set.fingerprint, "config": to_dict(session.config)}
    checkpoint.save_checkpoint(session.out, session.model, session.optimizer, session.scheduler,
                               session.tokenizer, session.runtime, progress)


def _log(session: Session, message: str) -> None:
    if session.runtime.is_main:
        from tqdm.auto import tqdm

        tqdm.write(f"lima-curate train: {message}", file=sys.stderr)
