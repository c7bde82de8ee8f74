"""The training recipe's settings: one frozen dataclass, loaded from YAML and CLI flags.

Defaults are the LIMA recipe (Zhou et al. 2023, section 3): 15 epochs, AdamW
(β1 0.9, β2 0.95, weight decay 0.1), learning rate 1e-5 decaying linearly to 1e-6 with no
warm-up, 32 examples per optimiser step (64 for smaller models), texts trimmed at 2048
tokens, an end-of-turn token after every utterance, and residual dropout rising from 0.0 at
the first layer to 0.3 at the last (0.2 for smaller models).

Precedence: defaults < YAML file (``--config``) < command-line flags. ``small_model: true``
changes the defaults of ``examples_per_step`` (64) and ``residual_dropout`` (0.2) unless
those are set explicitly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping


from lima_curate.config import ConfigError, _help, build, read_yaml_mapping, to_dict

SMALL_MODEL_DEFAULTS = {"examples_per_step": 64, "residual_dropout": 0.2}
PATH_KEYS = ("data", "dev", "out")
BATCHING = ("packed", "padded")
ENGINES = ("auto", "single", "ddp", "fsdp")
DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "bf16", "fp32", "fp64")
EXPORT_DTYPES = ("bf16", "fp32")


@dataclass(frozen=True)
class GenerationSettings:
    enabled: bool = _help("Write generations for the dev prompts beside each saved epoch.", True)
    top_p: float = _help("Nucleus sampling mass (paper: 0.9).", 0.9)
    temperature: float = _help("Sampling temperature (paper: 0.7).", 0.7)
    repetition_penalty: float = _help("Penalty on tokens already generated (paper: 1.2).", 1.2)
    max_new_tokens: int = _help("Longest response; also capped by max_seq_len minus the prompt.", 1024)
    batch_size: int = _help("Prompts per generate() call on each rank.", 8)
    do_sample: bool = _help("Sample (paper); false gives greedy decoding.", True)


@dataclass(frozen=True)
class TrainConfig:
    model: str = _help("Base model: a local folder (safetensors) or a model name already in the cache.", "")
    data: str = _help("train.jsonl written by `lima-curate build`.", "")
    out: str = _help("Output folder: epoch-NN/ weights, checkpoint/, metrics.jsonl.", "")
    dev: str = _help("Dev prompts (JSONL); '' means dev.jsonl beside the data when present; 'none' disables.", "")
    seed: int = _help("Seed for the data order, new-token initialisation and dropout.", 0)
    epochs: int = _help("Passes over the data (paper: 15).", 15)
    lr: float = _help("Peak learning rate (paper: 1e-5).", 1e-5)
    final_lr: float = _help("Learning rate at the last step, reached linearly (paper: 1e-6).", 1e-6)
    warmup_steps: int = _help("Linear warm-up steps (paper: none).", 0)
    beta1: float = _help("AdamW β1 (paper: 0.9).", 0.9)
    beta2: float = _help("AdamW β2 (paper: 0.95).", 0.95)
    weight_decay: float = _help("AdamW decoupled weight decay on matrices and embeddings, not biases or norms (paper: 0.1).", 0.1)
    max_grad_norm: float = _help("Clip the global gradient norm to this (0: no clipping, as in the paper).", 0.0)
    small_model: bool = _help("Smaller-model defaults: 64 examples per step, residual dropout 0.2.", False)
    examples_per_step: int = _help("Examples per optimiser step, across all ranks (paper: 32; 64 for smaller models).", 32)
    residual_dropout: float = _help("Residual dropout at the last layer, rising linearly from 0 at the first (paper: 0.3).", 0.3)
    max_seq_len: int = _help("Examples are trimmed to this many tokens (paper: 2048).", 2048)
    eot_token: str = _help("End-of-turn token appended after every utterance and used to stop generation.", "<|EOT|>")
    batching: str = _help("'packed' (whole examples packed into rows, no padding) or 'padded'.", "packed")
    micro_batch_tokens: int = _help("Packed: most tokens in one forward pass (at least max_seq_len).", 4096)
    micro_batch_size: int = _help("Padded: examples per forward pass.", 4)
    group_by_length: bool = _help("Padded: sort each step's examples by length before cutting micro-batches.", True)
    engine: str = _help("'auto' (ddp when several processes, else single), 'single', 'ddp' or 'fsdp' (FSDP2).", "auto")
    device: str = _help("'auto' (CUDA when present), 'cpu' or 'cuda'.", "auto")
    precision: str = _help("'auto' (bf16 on CUDA, fp32 on CPU), 'bf16' or 'fp32' (master weights stay fp32), or 'fp64' "
                           "(everything in float64: for exact comparisons, not for speed).", "auto")
    attn_implementation: str = _help("Attention kernel passed to transformers ('' keeps the model's default).", "")
    gradient_checkpointing: bool = _help("Recompute activations in the backward pass to save memory.", False)
    first_save_epoch: int = _help("First epoch (1-based) whose weights and generations are saved (paper: 5).", 5)
    last_save_epoch: int = _help("Last epoch saved (paper: 10).", 10)
    save_final: bool = _help("Also save the last epoch's weights and generations.", True)
    checkpoint_every: int = _help("Also write a resumable checkpoint every N steps (0: only at epoch ends).", 0)
    resume: bool = _help("Continue from <out>/checkpoint (model, optimiser, scheduler, RNG, data position).", False)
    trust_remote_code: bool = _help("Allow model code shipped with the checkpoint (off by default).", False)
    log_every: int = _help("Write a metrics row every N steps.", 1)
    progress: bool = _help("Show a progress bar on the main process.", True)
    generation: GenerationSettings = _help("Dev-set generations at each saved epoch.", default_factory=GenerationSettings)
    # ---- speed and scale (issue 11); optional fast paths are off until measured faster
    export_dtype: str = _help("Weights written to epoch-NN/: 'bf16' (half the bytes) or 'fp32'.", "bf16")
    compile: bool = _help("torch.compile each decoder block; packed rows are padded to micro_batch_tokens so "
                          "shapes stay fixed, and packed attention uses flex attention.", False)
    fused_loss: bool = _help("Cross-entropy over the vocabulary projection in chunks, never holding the fp32 logits "
                             "of a whole row (plain linear heads only).", False)
    fused_adamw: bool = _help("torch's fused AdamW kernel instead of the multi-tensor one.", False)

    # ------------------------------------------------------------ derived values

    @property
    def save_epochs(self) -> range:
        """1-based epochs whose weights are exported."""
        return range(self.first_save_epoch, self.last_save_epoch + 1)

    def export_epochs(self) -> list[int]:
        """1-based epochs whose weights and generations are written to epoch-NN/."""
        chosen = {e for e in self.save_epochs if e <= self.epochs}
        if self.save_final:
            chosen.add(self.epochs)
        return sorted(chosen)

    def dev_path(self) -> "Path | None":
        """The dev file to generate from, or None."""
        if self.dev.lower() == "none" or not self.generation.enabled:
            return None
        if self.dev:
            return Path(self.dev)
        beside = Path(self.data).with_name("dev.jsonl")
        return beside if beside.is_file() else None

    # fields that define the trained weights: a resume must not change them
    RECIPE_FIELDS = (
        "model", "seed", "epochs", "lr", "final_lr", "warmup_steps", "beta1", "beta2",
        "weight_decay", "max_grad_norm", "examples_per_step", "residual_dropout", "max_seq_len",
        "eot_token",
    )

    def validate(self) -> "TrainConfig":
        """Raise ConfigError naming the first bad field; return self."""
        checks = [
            ("model", bool(self.model), "required (a model folder or name)"),
            ("data", bool(self.data), "required (train.jsonl from lima-curate build)"),
            ("out", bool(self.out), "required (output folder)"),
            ("epochs", self.epochs >= 1, "must be at least 1"),
            ("lr", self.lr > 0, "must be positive"),
            ("final_lr", 0 <= self.final_lr <= self.lr, "must be between 0 and lr"),
            ("warmup_steps", self.warmup_steps >= 0, "must be 0 or more"),
            ("beta1", 0 <= self.beta1 < 1, "must be in [0, 1)"),
            ("beta2", 0 <= self.beta2 < 1, "must be in [0, 1)"),
            ("weight_decay", self.weight_decay >= 0, "must be 0 or more"),
            ("max_grad_norm", self.max_grad_norm >= 0, "must be 0 or more"),
            ("examples_per_step", self.examples_per_step >= 1, "must be at least 1"),
            ("residual_dropout", 0 <= self.residual_dropout < 1, "must be in [0, 1)"),
            ("max_seq_len", self.max_seq_len >= 2, "must be at least 2"),
            ("eot_token", bool(self.eot_token.strip()), "must not be empty"),
            ("batching", self.batching in BATCHING, f"must be one of {', '.join(BATCHING)}"),
            ("micro_batch_tokens", self.micro_batch_tokens >= self.max_seq_len,
             f"must be at least max_seq_len ({self.max_seq_len})"),
            ("micro_batch_size", self.micro_batch_size >= 1, "must be at least 1"),
            ("engine", self.engine in ENGINES, f"must be one of {', '.join(ENGINES)}"),
            ("device", self.device in DEVICES, f"must be one of {', '.join(DEVICES)}"),
            ("precision", self.precision in PRECISIONS, f"must be one of {', '.join(PRECISIONS)}"),
            ("first_save_epoch", self.first_save_epoch >= 1, "must be at least 1"),
            ("last_save_epoch", self.last_save_epoch >= self.first_save_epoch - 1,
             "must be at least first_save_epoch - 1 (equal to it minus one saves nothing)"),
            ("checkpoint_every", self.checkpoint_every >= 0, "must be 0 or more"),
            ("log_every", self.log_every >= 1, "must be at least 1"),
            ("generation.top_p", 0 < self.generation.top_p <= 1, "must be in (0, 1]"),
            ("generation.temperature", self.generation.temperature > 0, "must be positive"),
            ("generation.repetition_penalty", self.generation.repetition_penalty > 0, "must be positive"),
            ("generation.max_new_tokens", self.generation.max_new_tokens >= 1, "must be at least 1"),
            ("generation.batch_size", self.generation.batch_size >= 1, "must be at least 1"),
            ("export_dtype", self.export_dtype in EXPORT_DTYPES, f"must be one of {', '.join(EXPORT_DTYPES)}"),
        ]
        for name, ok, message in checks:
            if not ok:
                raise ConfigError(f"{name}: {message}")
        return self


def load_train_config(
    path: "Path | str | None" = None, overrides: "Mapping[str, Any] | None" = None
) -> TrainConfig:
    """Defaults, then the YAML file at ``path``, then ``overrides`` (dotted keys); validated.

    Relative data/dev/out paths in the file are resolved against the file's folder, and so
    is ``model`` when that names an existing folder there. Raises ConfigError in one line.
    """
    data: dict[str, Any] = {}
    label = "train config"
    if path is not None:
        path = Path(path)
        label = str(path)
        loaded = read_yaml_mapping(path, "config file")
        data = _resolve(dict(loaded), path.parent.resolve())
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    if data.get("small_model") is True:
        for key, value in SMALL_MODEL_DEFAULTS.items():
            data.setdefault(key, value)
    try:
        return build(TrainConfig, data).validate()
    except ConfigError as error:
        raise ConfigError(f"{label}: {error}") from None


def _resolve(data: dict[str, Any], base: Path) -> dict[str, Any]:
    for key in PATH_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value and value.lower() != "none":
            data[key] = str((base / value).resolve())
    model = data.get("model")
    if isinstance(model, str) and model and (base / model).is_dir():
        data["model"] = str((base / model).resolve())
    return data


def config_dict(config: TrainConfig) -> dict[str, Any]:
    """A JSON-ready copy (written to <out>/train_config.json)."""
    return to_dict(config)


def from_dict(data: Mapping[str, Any]) -> TrainConfig:
    """Rebuild a config from :func:`config_dict` output (used by launched workers)."""
    return build(TrainConfig, data).validate()


def recipe_differences(old: Mapping[str, Any], new: TrainConfig) -> list[str]:
    """Names of the weight-defining fields that differ between a checkpoint and ``new``."""
    current = config_dict(new)
    return [name for name in TrainConfig.RECIPE_FIELDS if old.get(name) != current.get(name)]

