from __future__ import annotations

import pytest
import torch

from lima_curate.config import ConfigError
from . import tiny
from lima_curate.train.dropout import apply_residual_dropout, decoder_layers, schedule
from lima_curate.train.model import load_model


def test_schedule_rises_linearly_from_zero_to_the_last_layer():
    assert schedule(4, 0.3) == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert schedule(3, 0.2) == pytest.approx([0.0, 0.1, 0.2])
    assert schedule(1, 0.3) == [0.0] and schedule(0, 0.3) == []


@pytest.fixture(scope="module")
def llama4(tmp_path_factory, tokenizer):
    return tiny.build_model(tmp_path_factory.mktemp("llama4"), tokenizer, family="llama", layers=4)


def test_llama_hooks_sit_on_attention_and_mlp_outputs_with_the_layer_rate(llama4, tokenizer):
    model = load_model(str(llama4), vocab_size=len(tokenizer))
    plan = apply_residual_dropout(model, 0.3)
    assert [name for name, _ in plan[:2]] == ["layer0.self_attn.o_proj", "layer0.mlp.down_proj"]
    assert [p for _, p in plan] == pytest.approx([0.0, 0.0, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3])


def test_gpt2_hooks_c_proj_and_its_own_residual_dropout_is_off(gpt2_dir, tokenizer):
    model = load_model(str(gpt2_dir), vocab_size=len(tokenizer))
    assert model.config.resid_pdrop == 0.0 and model.config.embd_pdrop == 0.0
    block = decoder_layers(model)[-1]
    assert block.attn.resid_dropout.p == 0.0 and block.mlp.dropout.p == 0.0
    plan = apply_residual_dropout(model, 0.2)
    assert plan[-2:] == [("layer1.attn.c_proj", 0.2), ("layer1.mlp.c_proj", 0.2)]


def _drop_fraction(module, width=20000):
    out = module(torch.ones(1, width, module.in_features))
    return float((out == 0).float().mean())


def test_rate_is_applied_in_training_and_off_in_eval(llama4, tokenizer):
    torch.manual_seed(0)
    model = load_model(str(llama4), vocab_size=len(tokenizer))
    apply_residual_dropout(model, 0.3)
    last, first = decoder_layers(model)[-1], decoder_layers(model)[0]
    with torch.no_grad():
        model.train()
        assert _drop_fraction(last.self_attn.o_proj) == pytest.approx(0.3, abs=0.02)
        assert _drop_fraction(last.mlp.down_proj, 200) == pytest.approx(0.3, abs=0.05)
        assert _drop_fraction(first.self_attn.o_proj) == 0.0
        ids = torch.tensor([[1, 5, 9, 20, 7, 3]])
        train_logits = model(input_ids=ids).logits
        model.eval()
        eval_logits = model(input_ids=ids).logits
        plain = load_model(str(llama4), vocab_size=len(tokenizer)).eval()
        torch.testing.assert_close(eval_logits, plain(input_ids=ids).logits)
        assert not torch.allclose(train_logits, eval_logits)


def test_zero_rate_adds_no_hooks_and_unknown_layers_are_refused(llama4, tokenizer):
    model = load_model(str(llama4), vocab_size=len(tokenizer))
    assert apply_residual_dropout(model, 0.0) == []
    model._no_split_modules = ["NoSuchLayer"]
    with pytest.raises(ConfigError, match="cannot find the decoder layers"):
        apply_residual_dropout(model, 0.3)
