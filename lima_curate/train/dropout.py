"""Residual dropout (LIMA section 3): rate rising linearly over depth, on sublayer outputs.

Layer ``i`` of ``L`` drops with ``p_last * i / (L - 1)``. A forward hook on the module whose
output is added to the residual stream (attention and MLP output projections, or the post
norms of sandwich-norm layers; for an unknown layer layout, the ``self_attn``/``attn`` and ``mlp``
modules themselves) applies it, so state-dict names do not change; it does nothing in eval mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lima_curate.config import ConfigError

ATTENTION_OUT = ("self_attn.o_proj", "attn.c_proj", "attention.dense", "self_attention.dense",
                 "attn.out_proj", "self_attn", "attn", "attention")
MLP_OUT = ("mlp.down_proj", "mlp.c_proj", "mlp.dense_4h_to_h", "mlp.fc2", "mlp.fc_out",
           "mlp", "block_sparse_moe", "feed_forward")
SANDWICH = ("post_attention_layernorm", "post_feedforward_layernorm")


def schedule(n_layers: int, p_last: float) -> list[float]:
    """Dropout rate per layer: linear from 0.0 (first layer) to ``p_last`` (last layer)."""
    if n_layers <= 1:
        return [0.0] * n_layers
    return [p_last * i / (n_layers - 1) for i in range(n_layers)]


@dataclass
class ResidualDropout:
    """Forward hook: dropout with rate ``p`` on a module's output while training."""

    p: float

    def __call__(self, module: Any, inputs: Any, output: Any) -> Any:
        import torch.nn.functional as F

        if not module.training or self.p == 0.0:
            return output
        if isinstance(output, tuple):
            return (F.dropout(output[0], self.p, training=True), *output[1:])
        return F.dropout(output, self.p, training=True)


def decoder_layers(model: Any) -> list[Any]:
    """The model's decoder blocks, in order (the ModuleList of its no-split layer class)."""
    import torch.nn as nn

    names = set(getattr(model, "_no_split_modules", None) or ())
    best: list[Any] = []
    for module in model.modules():
        if isinstance(module, nn.ModuleList) and len(module) and all(type(m).__name__ in names for m in module):
            if len(module) > len(best):
                best = list(module)
    if not best:
        raise ConfigError(f"residual_dropout: cannot find the decoder layers of {type(model).__name__}; set it to 0")
    return best


def _find(layer: Any, candidates: tuple[str, ...]) -> "tuple[str, Any] | None":
    for name in candidates:
        module = layer
        for part in name.split("."):
            module = getattr(module, part, None)
            if module is None:
                break
        if module is not None:
            return name, module
    return None


def sublayer_outputs(layer: Any) -> list[tuple[str, Any]]:
    """(name, module) of the attention and MLP outputs of one decoder layer."""
    if all(hasattr(layer, name) for name in SANDWICH):
        return [(name, getattr(layer, name)) for name in SANDWICH]
    found = [_find(layer, ATTENTION_OUT), _find(layer, MLP_OUT)]
    if any(f is None for f in found):
        raise ConfigError(f"residual_dropout: unknown layer type {type(layer).__name__}; set it to 0")
    return found  # type: ignore[return-value]


def apply_residual_dropout(model: Any, p_last: float) -> list[tuple[str, float]]:
    """Hook residual dropout into every decoder layer; return (module name, rate) pairs."""
    if p_last == 0.0:
        return []
    layers = decoder_layers(model)
    plan = []
    for index, (layer, p) in enumerate(zip(layers, schedule(len(layers), p_last))):
        for name, module in sublayer_outputs(layer):
            module.register_forward_hook(ResidualDropout(p))
            plan.append((f"layer{index}.{name}", p))
    return plan
