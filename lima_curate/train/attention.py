"""Attention for packed rows: each example attends only to itself, with no mask a kernel does not read
(``eager``, if asked for, reads a T x T mask).

:func:`packed_kernel` picks the kernel (an explicit ``attn_implementation`` wins). On CUDA,
flash attention 2 (when installed) or flex attention, which transformers feeds from the
restarting ``position_ids``. On CPU, where flex attention has no backward pass,
``lima_packed_sdpa``: causal SDPA per example, the boundaries passed as a 4-D int64
``attention_mask`` of offsets (transformers hands a 4-D mask through untouched).
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


def packed_sdpa_attention(module: Any, query: Any, key: Any, value: Any, attention_mask: Any,
                          scaling: "float | None" = None, dropout: float = 0.0, **kwargs: Any) -> tuple[Any, None]:
    """SDPA per example of a packed row (query/key/value: [1, heads, T, dim]); output [1, T, heads, dim]."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    is_boundaries = (isinstance(attention_mask, torch.Tensor) and attention_mask.dtype == torch.long
                     and attention_mask.dim() == 4 and attention_mask.shape[2] == 1)
    if not is_boundaries:  # generation and evaluation: exactly transformers' sdpa
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
