"""Attention for packed rows: nothing computed across examples, no mask a kernel does not read.

A packed row holds whole examples; ``position_ids`` restart at 0 for each. Which kernel
keeps them apart (:func:`packed_kernel` chooses; an explicit ``attn_implementation`` wins):

* CUDA: ``flash_attention_2`` when the ``flash_attn`` package is installed, else
  ``flex_attention``. transformers finds the example boundaries in the restarting
  ``position_ids`` and runs varlen flash attention, or flex attention with a block mask
  (a few bytes per 128 x 128 tile, never a T x T tensor); each is one kernel per layer.
* CPU: ``lima_packed_sdpa``, registered here with transformers' ``AttentionInterface``:
  causal SDPA on each example's slice of the row. The row's example boundaries travel
  as the model's ``attention_mask``, a 4-D int64 tensor ``[1, 1, 1, n + 1]`` of offsets
  (:func:`boundaries_mask`): transformers passes a 4-D mask through untouched, so no
  T x T mask is built. Without such a mask (generation, evaluation) the kernel is exactly
  transformers' ``sdpa``, padding masks included.
* ``eager`` reads a T x T float mask, which transformers builds from ``position_ids``.
* Flex attention has no backward pass on CPU, so CPU training never uses it.
"""

from __future__ import annotations

from typing import Any, Sequence

PACKED_SDPA = "lima_packed_sdpa"


def boundaries_mask(seq_lens: Sequence[int]) -> Any:
    """The ``attention_mask`` of a packed row for ``lima_packed_sdpa``: example offsets, [1, 1, 1, n + 1]."""
    import itertools

    import torch

    offsets = list(itertools.accumulate(seq_lens, initial=0))
    return torch.tensor(offsets, dtype=torch.long).view(1, 1, 1, -1)


def _is_boundaries(mask: Any) -> bool:
    import torch

    return isinstance(mask, torch.Tensor) and mask.dtype == torch.long and mask.dim() == 4 and mask.shape[2] == 1


def packed_sdpa_attention(module: Any, query: Any, key: Any, value: Any, attention_mask: Any,
                          scaling: "float | None" = None, dropout: float = 0.0, **kwargs: Any) -> tuple[Any, None]:
    """SDPA per example of a packed row (query/key/value: [1, heads, T, dim]); output [1, T, heads, dim]."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if not _is_boundaries(attention_mask):
        return sdpa_attention_forward(module, query, key, value, attention_mask, scaling=scaling, dropout=dropout,
                                      **kwargs)
    offsets = attention_mask.flatten().tolist()
    if query.shape[0] != 1 or offsets[-1] != query.shape[2]:
        raise ValueError(f"packed row boundaries {offsets} do not fit a query of shape {tuple(query.shape)}")
    pieces = [
        sdpa_attention_forward(module, query[:, :, start:end], key[:, :, start:end], value[:, :, start:end], None,
                               scaling=scaling, dropout=dropout, is_causal=True, **kwargs)[0]
        for start, end in zip(offsets, offsets[1:])
    ]
    return torch.cat(pieces, dim=1), None


def register() -> None:
    """Make ``lima_packed_sdpa`` known to transformers (idempotent)."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(PACKED_SDPA, packed_sdpa_attention)
    # padding masks (batched generation) and rows packed without boundaries get sdpa's own mask
    AttentionMaskInterface.register(PACKED_SDPA, sdpa_mask)


def flash_attention_installed() -> bool:
    try:
        import flash_attn  # noqa: F401
    except ImportError:
        return False
    return True


def packed_kernel(requested: str, device_type: str) -> str:
    """The attention implementation for packed rows (see the module docstring)."""
    if requested not in ("", "sdpa"):
        return requested
    if device_type == "cuda":
        return "flash_attention_2" if flash_attention_installed() else "flex_attention"
    return PACKED_SDPA
