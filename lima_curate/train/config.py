"""The training recipe's settings, defaulting to the LIMA recipe (Zhou et al. 2023, section 3).

Precedence: defaults < YAML file (``--config``) < command-line flags; ``small_model: true``
changes the defaults of ``examples_per_step`` and ``residual_dropout`` unless those are set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Mapping

from pydantic import AfterValidator, model_validator

from lima_curate.config import (
    Bool,
    Float,
    Int,
    Str,
    Invalid,
    apply_overrides,
    parse,
    read_yaml_mapping,
    section,
    setting,
    subsection,
    to_dict,
)

SMALL_MODEL_DEFAULTS = {"examples_per_step": 64, "residual_dropout": 0.2}


def _required(what: str) -> Any:
    """A check that refuses an empty string, saying what the setting should name."""

    def check(value: str) -> str:
        if not value:
            raise ValueError(f"required ({what})")
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


@section
class GenerationSettings:
    enabled: Bool = setting("Write generations for the dev prompts beside each saved epoch.", True)
    top_p: Float = setting("Nucleus sampling mass (paper: 0.9).", 0.9, gt=0, le=1)
    temperature: Float = setting("Sampling temperature (paper: 0.7).", 0.7, gt=0)
    repetition_penalty: Float = setting("Penalty on tokens already generated (paper: 1.2).", 1.2, gt=0)
    max_new_tokens: Int = setting("Longest response; also capped by max_seq_len minus the prompt.", 1024, ge=1)
    batch_size: Int = setting("Prompts per generate() call on each rank.", 8, ge=1)
    do_sample: Bool = setting("Sample (paper); false gives greedy decoding.", True)


@section
class TrainConfig:
    model: Annotated[Str, _required("a model folder or name")] = setting(
        "Base model: a local folder (safetensors) or a model name already in the cache.", "",
        validate_default=True)
    data: Annotated[Str, _required("train.jsonl from lima-curate build")] = setting(
        "train.jsonl written by `lima-curate build`.", "", validate_default=True)
    out: Annotated[Str, _required("output folder")] = setting(
        "Output folder: epoch-NN/ weights, checkpoint/, metrics.jsonl.", "", validate_default=True)
    dev: Str = setting("Dev prompts (JSONL); '' means dev.jsonl beside the data when present; 'none' disables.", "")
    seed: Int = setting("Seed for the data order, new-token initialisation and dropout.", 0)
    epochs: Int = setting("Passes over the data (paper: 15).", 15, ge=1)
    lr: Float = setting("Peak learning rate (paper: 1e-5).", 1e-5, gt=0)
    final_lr: Float = setting("Learning rate at the last step, reached linearly (paper: 1e-6).", 1e-6, ge=0)
    warmup_steps: Int = setting("Linear warm-up steps (paper: none).", 0, ge=0)
    beta1: Float = setting("AdamW β1 (paper: 0.9).", 0.9, ge=0, lt=1)
    beta2: Float = setting("AdamW β2 (paper: 0.95).", 0.95, ge=0, lt=1)
    weight_decay: Float = setting(
        "AdamW decoupled weight decay on matrices and embeddings, not biases or norms (paper: 0.1).", 0.1, ge=0)
    max_grad_norm: Float = setting("Clip the global gradient norm to this (0: no clipping, as in the paper).",
                                   0.0, ge=0)
    small_model: Bool = setting("Smaller-model defaults: 64 examples per step, residual dropout 0.2.", False)
    examples_per_step: Int = setting(
        "Examples per optimiser step, across all ranks (paper: 32; 64 for smaller models).", 32, ge=1)
    residual_dropout: Float = setting(
        "Residual dropout at the last layer, rising linearly from 0 at the first (paper: 0.3).", 0.3, ge=0, lt=1)
    max_seq_len: Int = setting("Examples are trimmed to this many tokens (paper: 2048).", 2048, ge=2)
    eot_token: Annotated[Str, AfterValidator(_not_blank)] = setting(
        "End-of-turn token appended after every utterance and used to stop generation.", "<|EOT|>")
    batching: Literal["packed", "padded"] = setting(
        "'packed' (whole examples packed into rows, no padding) or 'padded'.", "packed")
    micro_batch_tokens: Int = setting("Packed: most tokens in one forward pass (at least max_seq_len).", 4096)
    micro_batch_size: Int = setting("Padded: examples per forward pass.", 4, ge=1)
    group_by_length: Bool = setting("Padded: sort each step's examples by length before cutting micro-batches.",
                                    True)
    engine: Literal["auto", "single", "ddp", "fsdp"] = setting(
        "'auto' (ddp when several processes, else single), 'single', 'ddp' or 'fsdp' (FSDP2).", "auto")
    device: Literal["auto", "cpu", "cuda"] = setting("'auto' (CUDA when present), 'cpu' or 'cuda'.", "auto")
    precision: Literal["auto", "bf16", "fp32", "fp64"] = setting(
        "'auto' (bf16 on CUDA, fp32 on CPU), 'bf16' or 'fp32' (master weights stay fp32), or 'fp64' "
        "(everything in float64: for exact comparisons, not for speed).", "auto")
    attn_implementation: Str = setting("Attention kernel passed to transformers ('' keeps the model's default).",
                                       "")
    gradient_checkpointing: Bool = setting("Recompute activations in the backward pass to save memory.", False)
    first_save_epoch: Int = setting("First epoch (1-based) whose weights and generations are saved (paper: 5).",
                                    5, ge=1)
    last_save_epoch: Int = setting("Last epoch saved (paper: 10).", 10)
    save_final: Bool = setting("Also save the last epoch's weights and generations.", True)
    checkpoint_every: Int = setting("Also write a resumable checkpoint every N steps (0: only at epoch ends).",
                                    0, ge=0)
    resume: Bool = setting("Continue from <out>/checkpoint (model, optimiser, scheduler, RNG, data position).",
                           False)
    trust_remote_code: Bool = setting("Allow model code shipped with the checkpoint (off by default).", False)
    log_every: Int = setting("Write a metrics row every N steps.", 1, ge=1)
    progress: Bool = setting("Show a progress bar on the main process.", True)
    generation: GenerationSettings = subsection("Dev-set generations at each saved epoch.", GenerationSettings)
    # speed and scale: the optional fast paths stay off until measured faster
    export_dtype: Literal["bf16", "fp32"] = setting(
        "Weights written to epoch-NN/: 'bf16' (half the bytes) or 'fp32'.", "bf16")
    compile: Bool = setting("torch.compile each decoder block; packed rows are padded to micro_batch_tokens so "
                            "shapes stay fixed, and packed attention uses flex attention.", False)
    fused_loss: Bool = setting("Cross-entropy over the vocabulary projection in chunks, never holding the fp32 "
                               "logits of a whole row (plain linear heads only).", False)
    fused_adamw: Bool = setting("torch's fused AdamW kernel instead of the multi-tensor one.", False)

    # fields that define the trained weights: a resume must not change them
    RECIPE_FIELDS: ClassVar[tuple[str, ...]] = (
        "model", "seed", "epochs", "lr", "final_lr", "warmup_steps", "beta1", "beta2",
        "weight_decay", "max_grad_norm", "examples_per_step", "residual_dropout", "max_seq_len",
        "eot_token",
    )

    @model_validator(mode="after")
    def _check(self) -> "TrainConfig":
        if self.final_lr > self.lr:
            raise Invalid("final_lr", f"must be between 0 and lr ({self.lr}), got {self.final_lr}")
        if self.micro_batch_tokens < self.max_seq_len:
            raise Invalid("micro_batch_tokens", f"must be at least max_seq_len ({self.max_seq_len}), "
                                                 f"got {self.micro_batch_tokens}")
        if self.last_save_epoch < self.first_save_epoch - 1:
            raise Invalid("last_save_epoch", "must be at least first_save_epoch - 1 (equal to it minus one "
                                              "saves nothing)")
        return self

    def export_epochs(self) -> list[int]:
        """1-based epochs whose weights and generations are written to epoch-NN/."""
        chosen = set(range(self.first_save_epoch, min(self.last_save_epoch, self.epochs) + 1))
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


def load_train_config(
    path: "Path | str | None" = None, overrides: "Mapping[str, Any] | None" = None
) -> TrainConfig:
    """Defaults, then the YAML file at ``path``, then ``overrides`` (dotted keys); validated.

    Relative data/dev/out paths in the file are resolved against the file's folder, and so
    is ``model`` when that names an existing folder there. Raises ConfigError in one line.
    """
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        data = _resolve(read_yaml_mapping(path, "config file"), path.parent.resolve())
    data = apply_overrides(data, overrides)
    if data.get("small_model") is True:
        for key, value in SMALL_MODEL_DEFAULTS.items():
            data.setdefault(key, value)
    return parse(TrainConfig, data, str(path) if path is not None else "train config")


def _resolve(data: dict[str, Any], base: Path) -> dict[str, Any]:
    for key in ("data", "dev", "out"):
        value = data.get(key)
        if isinstance(value, str) and value and value.lower() != "none":
            data[key] = str((base / value).resolve())
    model = data.get("model")
    if isinstance(model, str) and model and (base / model).is_dir():
        data["model"] = str((base / model).resolve())
    return data


def recipe_differences(old: Mapping[str, Any], new: TrainConfig) -> list[str]:
    """Names of the weight-defining fields that differ between a checkpoint and ``new``."""
    current = to_dict(new)
    return [name for name in TrainConfig.RECIPE_FIELDS if old.get(name) != current.get(name)]
