from __future__ import annotations

import copy
import shutil

import pytest
import torch

from lima_curate.config import ConfigError
from lima_curate.errors import InputError
from lima_curate.train import data
from lima_curate.train.model import (add_chat_format, check_positions, embedding_rows, empty_model, load_config,
                                     load_model, pretrained_state)

from . import tiny


def test_safetensors_weights_load_with_room_for_the_new_token_padded_to_64_rows(llama_dir, tokenizer):
    assert len(tokenizer) == 512
    model = load_model(str(llama_dir), vocab_size=len(tokenizer) + 1)
    assert model.get_input_embeddings().weight.shape[0] == 576
    assert model.get_output_embeddings().weight.shape[0] == 576
    assert model.dtype == torch.float32
    assert load_model(str(llama_dir), vocab_size=len(tokenizer)).get_input_embeddings().weight.shape[0] == 512
    config = load_config(str(llama_dir))
    assert [embedding_rows(config, n) for n in (100, 512, 513, 576, 577)] == [512, 512, 576, 576, 640]


def test_the_model_is_built_without_weights_and_filled_from_one_full_state(llama_dir, tokenizer):
    config = load_config(str(llama_dir))
    model = empty_model(config, 576, torch.float32)
    assert {p.device.type for p in model.parameters()} == {"meta"}
    assert {b.device.type for b in model.buffers()} == {"cpu"}  # rotary frequencies are computed, not loaded
    state = pretrained_state(str(llama_dir), config, 576, torch.float32)
    assert state["model.embed_tokens.weight"].shape == (576, 64)
    reference = load_model(str(llama_dir), vocab_size=513)
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(state[key], value, msg=key)


def test_pickled_weights_are_refused(tmp_path, llama_dir, tokenizer):
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(llama_dir, folder)
    torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(InputError, match="cannot load safetensors weights"):
        load_model(str(folder), vocab_size=len(tokenizer))


def test_a_folder_that_is_not_a_model_is_an_input_error(tmp_path, tokenizer):
    with pytest.raises(InputError, match="not a model folder"):
        load_model(str(tmp_path), vocab_size=len(tokenizer))


def test_max_seq_len_beyond_the_model_positions_is_refused(tmp_path, tokenizer):
    gpt2 = tiny.build_model(tmp_path / "gpt2-128", tokenizer, family="gpt2", max_positions=128)
    check_positions(load_config(str(gpt2)), 128)
    with pytest.raises(ConfigError, match=r"max_seq_len: 512 is more than the model's 128 positions"):
        check_positions(load_config(str(gpt2)), 512)


def test_chat_template_writes_the_recipe_format_and_eot_is_the_eos(tokenizer):
    t = copy.deepcopy(tokenizer)
    old_eos = t.eos_token
    eot = add_chat_format(t, "<|EOT|>")
    assert (t.eos_token, t.eos_token_id, t.pad_token) == ("<|EOT|>", eot, old_eos)
    assert add_chat_format(t, "<|EOT|>") == eot and len(t) == eot + 1  # idempotent (a resumed run)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour."},
                {"role": "assistant", "content": "Blue."}, {"role": "user", "content": "Another?"}]
    ids, _ = data.encode(messages, t, eot)
    assert t.apply_chat_template(messages, tokenize=True, return_dict=False) == ids
    assert t.apply_chat_template(messages, tokenize=False) == f"{t.bos_token}Be brief.<|EOT|>Name a colour.<|EOT|>Blue.<|EOT|>Another?<|EOT|>"
    # a generation prompt adds nothing: the answer follows the user's EOT directly
    assert t.apply_chat_template(messages, tokenize=False, add_generation_prompt=True).endswith("Another?<|EOT|>")
