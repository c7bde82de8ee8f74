"""Models built from a config, with a tokenizer trained locally: for the tests and the benchmarks.

Nothing is downloaded: a byte-level BPE tokenizer is trained with the ``tokenizers``
library on the texts given, wrapped in ``PreTrainedTokenizerFast`` and saved beside
randomly initialised weights (safetensors), so the folder is a "model path" like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

BOS = "<|endoftext|>"

# hidden, layers, heads, kv heads, intermediate (Llama family)
PRESETS: dict[str, tuple[int, int, int, int, int]] = {
    "tiny": (64, 2, 4, 2, 128),
    "small": (256, 4, 4, 4, 688),
    "100m": (768, 12, 12, 12, 2048),  # GPT-2-small-sized, for I/O figures
    "1b": (2048, 22, 32, 4, 5632),  # TinyLlama-1.1B shape
    "3b": (3200, 26, 32, 32, 8640),  # OpenLLaMA-3B shape
}


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1024) -> Any:
    """A byte-level BPE tokenizer (BOS = EOS = <|endoftext|>) trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[BOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    core.train_from_iterator(list(texts), trainer)
    return PreTrainedTokenizerFast(tokenizer_object=core, bos_token=BOS, eos_token=BOS)


def build_model(folder: "Path | str", tokenizer: Any, *, family: str = "llama", preset: str = "tiny",
                vocab_size: "int | None" = None, max_positions: int = 2048, seed: int = 0,
                attn_implementation: str = "sdpa", layers: "int | None" = None, dtype: str = "float32",
                device: str = "cpu") -> Path:
    """Save a randomly initialised ``family`` model (llama or gpt2) and ``tokenizer`` to ``folder``.

    ``device`` is where the random weights are drawn (a 1.1B model initialises in seconds on
    a GPU, in minutes on a CPU); they are saved in ``dtype``.
    """
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    from lima_curate.train.model import quiet_transformers

    quiet_transformers()
    hidden, preset_layers, heads, kv_heads, inner = PRESETS[preset]
    layers = layers or preset_layers
    vocab = vocab_size or len(tokenizer)
    torch.manual_seed(seed)
    if family == "llama":
        config = LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=inner,
                             num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                             max_position_embeddings=max_positions, bos_token_id=tokenizer.bos_token_id,
                             eos_token_id=tokenizer.eos_token_id, tie_word_embeddings=False,
                             attn_implementation=attn_implementation)
        with torch.device(device):
            model = LlamaForCausalLM(config)
    elif family == "gpt2":
        config = GPT2Config(vocab_size=vocab, n_embd=hidden, n_layer=layers, n_head=heads, n_inner=inner,
                            n_positions=max_positions, bos_token_id=tokenizer.bos_token_id,
                            eos_token_id=tokenizer.eos_token_id, attn_implementation=attn_implementation)
        with torch.device(device):
            model = GPT2LMHeadModel(config)
    else:
        raise ValueError(f"unknown family {family!r} (llama or gpt2)")
    folder = Path(folder)
    model.to(getattr(torch, dtype)).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def lima_conversations(alpaca_json: "Path | str", limit: "int | None" = None) -> list[dict[str, Any]]:
    """LIMA train records (LLaMA-Factory alpaca format) as build-output rows with ``messages``."""
    import json

    rows = []
    for number, record in enumerate(json.loads(Path(alpaca_json).read_text(encoding="utf-8"))):
        messages = []
        for user, assistant in record.get("history") or []:
            messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        prompt = record["instruction"] + (("\n\n" + record["input"]) if record.get("input") else "")
        messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": record["output"]}]
        rows.append({"id": f"lima-{number}", "source": "lima", "domain": "lima", "messages": messages,
                     "meta": {"split": "train"}})
        if limit is not None and len(rows) >= limit:
            break
    return rows
