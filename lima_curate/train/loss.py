"""The summed cross-entropy of a micro-batch's target tokens, in one piece or in chunks.

With ``fused_loss`` the output layer returns the loss, not logits (:class:`LinearLossHead`),
so the float32 logits of a whole row (8k positions x 128k vocabulary = 4 GB) never exist at once.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import torch

from lima_curate.config import ConfigError

IGNORE_INDEX = -100
# configs whose models change the logits after the output layer: the fused loss would skip that
LOGIT_TRANSFORMS = ("final_logit_softcapping", "logit_scale", "logits_scaling", "output_multiplier_scale")


def token_loss(logits: Any, targets: Any) -> Any:
    """Summed cross-entropy (float32, float64 for float64 logits); IGNORE_INDEX targets count nothing."""
    dtype = torch.float64 if logits.dtype == torch.float64 else torch.float32
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).to(dtype), targets.reshape(-1),
                                             ignore_index=IGNORE_INDEX, reduction="sum")


def _chunk_loss(hidden: Any, weight: Any, bias: Any, targets: Any) -> Any:
    return token_loss(torch.nn.functional.linear(hidden, weight, bias), targets)


class LinearLossHead(torch.nn.Linear):
    """A model's linear output layer that returns the summed loss while ``targets`` is set.

    Installed by changing the class of the existing layer (:func:`install_loss_head`), so
    its parameters, their names and any tying stay as they are.
    """

    targets: Any = None
    chunk_positions: int = 1024

    def forward(self, hidden: Any) -> Any:
        if self.targets is None:
            return super().forward(hidden)
        from torch.utils.checkpoint import checkpoint

        hidden = hidden.reshape(-1, hidden.shape[-1])
        targets = self.targets.reshape(-1)
        total = hidden.new_zeros((), dtype=torch.float64 if hidden.dtype == torch.float64 else torch.float32)
        for start in range(0, hidden.shape[0], self.chunk_positions):
            piece = slice(start, start + self.chunk_positions)
            total = total + checkpoint(_chunk_loss, hidden[piece], self.weight, self.bias, targets[piece],
                                       use_reentrant=False)
        return total


def install_loss_head(model: Any) -> None:
    """Make the output layer of ``model`` a :class:`LinearLossHead`; ConfigError when it cannot be."""
    head = model.get_output_embeddings()
    if type(head) is not torch.nn.Linear:
        raise ConfigError(f"fused_loss: the output layer of {type(model).__name__} is not a plain linear layer; "
                          "set fused_loss: false")
    transforms = [key for key in LOGIT_TRANSFORMS if getattr(model.config, key, None) not in (None, 1, 1.0)]
    if transforms:
        raise ConfigError(f"fused_loss: {type(model).__name__} transforms its logits ({', '.join(transforms)}); "
                          "set fused_loss: false")
    head.__class__ = LinearLossHead


@contextlib.contextmanager
def loss_from_head(model: Any, targets: Any) -> Iterator[bool]:
    """While open, a :class:`LinearLossHead` returns the loss of ``targets``; yields whether it does."""
    head = model.get_output_embeddings()
    if not isinstance(head, LinearLossHead):
        yield False
        return
    head.targets = targets
    try:
        yield True
    finally:
        head.targets = None
