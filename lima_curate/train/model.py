"""The base model and tokenizer: safe loading, the chat format's tokens, a meta-device build.

Weights are read from safetensors only, ``trust_remote_code`` is off unless asked for, and the
model's own dropout is off (the recipe's residual dropout is the only one). EOT becomes the
tokenizer's EOS and the generation stop token, so a saved model stops at EOT anywhere.
"""

from __future__ import annotations

import copy
from typing import Any

from lima_curate.config import ConfigError
from lima_curate.errors import InputError

# config attributes that switch on dropout somewhere other than the residual sublayer outputs
DROPOUT_KEYS = ("resid_pdrop", "embd_pdrop", "attn_pdrop", "attention_dropout", "hidden_dropout",
                "resid_dropout", "embed_dropout", "hidden_dropout_prob", "attention_probs_dropout_prob")
# config attributes that bound the positions a model can take, in the order they are trusted
POSITION_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")
VOCAB_MULTIPLE = 64


def quiet_transformers() -> None:
    """No per-file progress bars or advisory warnings from transformers in the training log."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def load_tokenizer(name: str, *, trust_remote_code: bool = False) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as error:
        raise InputError(name, f"cannot load a tokenizer ({first_line(error)})") from None


def chat_template(eot_token: str) -> str:
    """Jinja chat template of the LIMA format: [BOS] every utterance followed by EOT, no role markers."""
    eot = eot_token.replace("'", "\\'")
    return ("{{ bos_token if bos_token else '' }}"
            "{% for message in messages %}{{ message['content'] }}{{ '" + eot + "' }}{% endfor %}")


def add_chat_format(tokenizer: Any, eot_token: str) -> int:
    """Add EOT (once), make it the tokenizer's EOS, set the chat template; return EOT's id.

    A padding token is set when there is none (the old EOS, so padding never reads as EOT).
    """
    from lima_curate.train.data import eot_id

    old_eos = tokenizer.eos_token
    eot = eot_id(tokenizer, eot_token)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = old_eos if old_eos not in (None, eot_token) else eot_token
    tokenizer.eos_token = eot_token
    tokenizer.chat_template = chat_template(eot_token)
    return eot


def load_config(name: str, *, trust_remote_code: bool = False, attn_implementation: str = "") -> Any:
    """The model's config with its own dropout off and the attention kernel to use."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(name, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as error:
        raise InputError(name, f"not a model folder or a cached model name ({first_line(error)})") from None
    for key in DROPOUT_KEYS:
        if isinstance(getattr(config, key, None), (int, float)) and not isinstance(getattr(config, key), bool):
            setattr(config, key, 0.0)
    if attn_implementation:
        config._attn_implementation = attn_implementation
    return config


def check_positions(config: Any, max_seq_len: int) -> None:
    """ConfigError when ``max_seq_len`` exceeds the positions the model has."""
    for key in POSITION_KEYS:
        positions = getattr(config, key, None)
        if isinstance(positions, int) and positions > 0:
            if max_seq_len > positions:
                raise ConfigError(f"max_seq_len: {max_seq_len} is more than the model's {positions} positions "
                                  f"({key}); lower --max-seq-len to at most {positions}")
            return


def embedding_rows(config: Any, tokens: int) -> int:
    """Rows the embeddings need for ``tokens`` tokens: as they are when they suffice, else a multiple of 64."""
    rows = int(getattr(config, "vocab_size", 0) or 0)
    if rows >= tokens:
        return rows
    return -(-tokens // VOCAB_MULTIPLE) * VOCAB_MULTIPLE


def pretrained_state(name: str, config: Any, rows: int, dtype: Any, *, trust_remote_code: bool = False) -> dict[str, Any]:
    """The full state dict (CPU) of the safetensors weights at ``name``, resized to ``rows`` embedding rows."""
    return _pretrained(name, config, rows, dtype, trust_remote_code).state_dict()


def _pretrained(name: str, config: Any, rows: int, dtype: Any, trust_remote_code: bool) -> Any:
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(name, config=config, use_safetensors=True,
                                                     trust_remote_code=trust_remote_code, dtype=dtype)
    except (OSError, ValueError) as error:
        raise InputError(name, f"cannot load safetensors weights ({first_line(error)})") from None
    if model.get_input_embeddings().weight.shape[0] != rows:
        model.resize_token_embeddings(rows, mean_resizing=True)
    return model


def empty_model(config: Any, rows: int, dtype: Any, *, trust_remote_code: bool = False) -> Any:
    """The model with ``rows`` embedding rows, parameters on the meta device, buffers computed."""
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    config = copy.deepcopy(config)
    config.vocab_size = rows
    with init_empty_weights(include_buffers=False):
        return AutoModelForCausalLM.from_config(config, trust_remote_code=trust_remote_code, dtype=dtype,
                                                attn_implementation=config._attn_implementation)


def set_stop_token(model: Any, tokenizer: Any, eot: int) -> None:
    """EOT as the model's EOS and generation stop token; the tokenizer's padding id for generation."""
    model.config.eos_token_id = eot
    generation = model.generation_config
    generation.eos_token_id = eot
    generation.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eot


def attention_kind(model: Any) -> str:
    """The attention implementation in use (sdpa, eager, flash_attention_2, ...)."""
    return str(getattr(model.config, "_attn_implementation", None) or "eager")


def first_line(error: BaseException) -> str:
    """The first line of an error's message (at most 200 characters), for one-line reports."""
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def load_model(name: str, *, vocab_size: int, attn_implementation: str = "", trust_remote_code: bool = False,
               dtype: Any = None) -> Any:
    """The whole model in this process (CPU, float32 unless ``dtype``), with room for ``vocab_size`` tokens."""
    import torch

    config = load_config(name, trust_remote_code=trust_remote_code, attn_implementation=attn_implementation)
    return _pretrained(name, config, embedding_rows(config, vocab_size), dtype or torch.float32, trust_remote_code)
