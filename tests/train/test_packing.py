"""Packed examples give the logits of each example alone, with no mask a kernel does not read."""

from __future__ import annotations

import pytest
import torch

from lima_curate.train import attention, data
from lima_curate.train.attention import PACKED_SDPA, packed_kernel
from lima_curate.train.model import load_model


def _examples(tokenizer, rows, n=3):
    out = []
    for row in rows[:n]:
        ids, targets = data.encode(row["messages"], tokenizer, tokenizer.eos_token_id)
        out.append(data.Encoded(row["id"], tuple(ids[:80]), tuple(targets[:80])))
    return out


def _alone(model, examples):
    with torch.no_grad():
        return [model(input_ids=torch.tensor([e.input_ids])).logits[0] for e in examples]


def _check_packed_row(model, kind, examples):
    inputs = data.packed_inputs(examples, kind)
    assert inputs["use_cache"] is False
    with torch.no_grad():
        output = model(**inputs)
    assert getattr(output, "past_key_values", None) is None
    pieces = torch.split(output.logits[0], [len(e) for e in examples])
    for piece, alone in zip(pieces, _alone(model, examples)):
        torch.testing.assert_close(piece, alone, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("family", ["llama", "gpt2"])
@pytest.mark.parametrize("kind", [PACKED_SDPA, "sdpa", "eager"])
def test_packed_row_gives_the_logits_of_each_example_alone(family, kind, request, tokenizer, short_rows):
    attention.register()
    folder = request.getfixturevalue(f"{family}_dir")
    model = load_model(str(folder), vocab_size=len(tokenizer), attn_implementation=kind).eval()
    assert model.config._attn_implementation == kind
    _check_packed_row(model, kind, _examples(tokenizer, short_rows))


@pytest.mark.slow
def test_flex_attention_the_cuda_default_keeps_packed_examples_apart(llama_dir, tokenizer, short_rows):
    """transformers builds a block mask from the restarting positions (compiles flex attention: ~40 s on CPU)."""
    model = load_model(str(llama_dir), vocab_size=len(tokenizer), attn_implementation="flex_attention").eval()
    _check_packed_row(model, "flex_attention", _examples(tokenizer, short_rows))


def test_without_restarting_positions_packed_examples_would_see_each_other(llama_dir, tokenizer, short_rows):
    """Control: a plain causal row (positions 0..T-1, no mask) differs after the first example."""
    model = load_model(str(llama_dir), vocab_size=len(tokenizer)).eval()
    examples = _examples(tokenizer, short_rows)
    row = torch.tensor([[t for e in examples for t in e.input_ids]])
    with torch.no_grad():
        leaky = torch.split(model(input_ids=row).logits[0], [len(e) for e in examples])
    alone = _alone(model, examples)
    torch.testing.assert_close(leaky[0], alone[0], atol=1e-5, rtol=1e-4)
    assert not torch.allclose(leaky[1], alone[1], atol=1e-3)


def test_the_cpu_kernel_runs_attention_per_example_and_builds_no_row_mask(llama_dir, tokenizer, short_rows,
                                                                         monkeypatch):
    import transformers.integrations.sdpa_attention as sdpa
    from transformers import masking_utils

    attention.register()
    model = load_model(str(llama_dir), vocab_size=len(tokenizer), attn_implementation=PACKED_SDPA).eval()
    examples = _examples(tokenizer, short_rows)
    inputs = data.packed_inputs(examples, PACKED_SDPA)
    offsets = [0, len(examples[0]), len(examples[0]) + len(examples[1]), sum(len(e) for e in examples)]
    assert inputs["attention_mask"].tolist() == [[[offsets]]]  # 4 numbers, not a T x T mask
    lengths, masks = [], []
    real_attention, real_mask = sdpa.sdpa_attention_forward, masking_utils.sdpa_mask
    monkeypatch.setattr(sdpa, "sdpa_attention_forward",
                        lambda m, q, *a, **k: lengths.append(q.shape[2]) or real_attention(m, q, *a, **k))
    masking_utils.AttentionMaskInterface.register(
        PACKED_SDPA, lambda *a, **k: masks.append("built") or real_mask(*a, **k))
    try:
        with torch.no_grad():
            model(**inputs)
        assert lengths == [len(e) for e in examples] * model.config.num_hidden_layers and masks == []
        lengths.clear()
        padded = torch.tensor([[0, 0] + list(examples[0].input_ids)])
        with torch.no_grad():  # generation with left padding: one call over the input, sdpa's own mask
            model(input_ids=padded, attention_mask=torch.tensor([[0, 0] + [1] * len(examples[0])]))
        assert lengths == [len(examples[0]) + 2] * model.config.num_hidden_layers and masks == ["built"]
    finally:
        attention.register()


def test_packed_kernel_is_flash_or_flex_on_cuda_and_per_example_sdpa_on_cpu(monkeypatch):
    monkeypatch.setattr(attention, "flash_attention_installed", lambda: False)
    assert packed_kernel("", "cuda") == packed_kernel("sdpa", "cuda") == "flex_attention"
    assert packed_kernel("", "cpu") == packed_kernel("sdpa", "cpu") == PACKED_SDPA
    assert packed_kernel("eager", "cuda") == "eager"  # an explicit choice wins
    monkeypatch.setattr(attention, "flash_attention_installed", lambda: True)
    assert packed_kernel("", "cuda") == "flash_attention_2"


def test_packed_row_padded_to_a_fixed_size_keeps_the_filler_apart(llama_dir, tokenizer, short_rows):
    attention.register()
    model = load_model(str(llama_dir), vocab_size=len(tokenizer), attn_implementation=PACKED_SDPA).eval()
    examples = _examples(tokenizer, short_rows, n=2)
    width = sum(len(e) for e in examples)
    inputs = data.packed_inputs(examples, PACKED_SDPA, pad_to=width + 37, pad_id=5)
    assert inputs["input_ids"].shape == (1, width + 37) and inputs["position_ids"][0, -1] == 36
    assert (inputs["labels"][0, width:] == data.IGNORE_INDEX).all()
    with torch.no_grad():
        logits = model(**inputs).logits[0, :width]
    for piece, alone in zip(torch.split(logits, [len(e) for e in examples]), _alone(model, examples)):
        torch.testing.assert_close(piece, alone, atol=1e-5, rtol=1e-4)
