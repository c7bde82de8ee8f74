"""The recipe end to end on a tiny Llama built from a config, on real LIMA examples."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from lima_curate.errors import InputError
from lima_curate.train import recipe
from lima_curate.train.metrics import read_metrics

from .helpers import checkpoint_weights, quick_config, write_set


def _losses(out):
    return [row["loss"] for row in read_metrics(out / "metrics.jsonl")]


def _weights(folder):
    return load_file(str(folder / "model.safetensors"))


@pytest.mark.slow
def test_loss_goes_down_and_each_saved_epoch_has_weights_and_generations(tmp_path, llama_dir, short_rows):
    data = write_set(tmp_path / "set", short_rows[:16], dev=short_rows[16:19])
    out = tmp_path / "run"
    summary = recipe.run(quick_config(llama_dir, data, out, epochs=6, first_save_epoch=2, last_save_epoch=3,
                                      save_final=True, residual_dropout=0.2, lr=4e-3, final_lr=4e-4))
    losses = _losses(out)
    assert len(losses) == 24 and summary["saved_epochs"] == [2, 3, 6]
    assert sum(losses[-4:]) / 4 < sum(losses[:4]) / 4 - 0.5, losses
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("epoch-")) == ["epoch-02", "epoch-03", "epoch-06"]

    from transformers import AutoModelForCausalLM, AutoTokenizer

    saved = out / "epoch-03"
    tokenizer = AutoTokenizer.from_pretrained(saved)
    eot = tokenizer.convert_tokens_to_ids("<|EOT|>")
    model = AutoModelForCausalLM.from_pretrained(saved, use_safetensors=True)
    # the export stops at EOT with no setup: tokenizer EOS, config EOS, generation EOS
    assert tokenizer.eos_token == "<|EOT|>" and tokenizer.eos_token_id == eot == len(tokenizer) - 1
    assert model.config.eos_token_id == eot and model.generation_config.eos_token_id == eot
    assert tokenizer.pad_token_id is not None and tokenizer.pad_token_id != eot
    # bf16 weights, the vocabulary padded to a multiple of 64 (513 tokens -> 576 rows)
    assert model.dtype == torch.bfloat16 and _weights(saved)["lm_head.weight"].dtype == torch.bfloat16
    assert model.get_input_embeddings().weight.shape[0] == 576
    rows = [json.loads(line) for line in (saved / "generations.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in short_rows[16:19]]
    assert all(r["messages"][-1]["role"] == "user" and isinstance(r["response"], str) for r in rows)
    early, late = _weights(out / "epoch-02"), _weights(out / "epoch-06")
    for key in ("model.embed_tokens.weight", "lm_head.weight"):  # the new EOT rows are trained
        assert early[key].shape[0] == 576 and not torch.allclose(early[key][eot], late[key][eot])
    metrics = read_metrics(out / "metrics.jsonl")[0]
    assert {"loss", "lr", "tokens_per_s", "target_tokens", "grad_norm"} <= set(metrics) and metrics["lr"] == 4e-3


@pytest.mark.slow
def test_model_learns_to_stop_at_eot(tmp_path, llama_dir):
    row = {"id": "one", "messages": [{"role": "user", "content": "What is the capital of France?"},
                                     {"role": "assistant", "content": "Paris is the capital of France."}]}
    data = write_set(tmp_path / "set", [row], dev=[row])
    out = tmp_path / "run"
    recipe.run(quick_config(llama_dir, data, out, epochs=60, examples_per_step=1, lr=3e-3, final_lr=1e-3,
                            save_final=True, **{"generation.do_sample": False, "generation.repetition_penalty": 1.0,
                                                "generation.max_new_tokens": 40}))
    (generated,) = [json.loads(line) for line in (out / "epoch-60" / "generations.jsonl").read_text().splitlines()]
    assert generated["stopped_at_eot"], generated
    assert generated["response"] == "Paris is the capital of France."
    assert _losses(out)[-1] < 0.25

    # the exported folder, as transformers users get it: chat template in, stop at EOT, no setup
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(out / "epoch-60")
    model = AutoModelForCausalLM.from_pretrained(out / "epoch-60", dtype=torch.float32)
    prompt = tokenizer.apply_chat_template(row["messages"][:1], add_generation_prompt=True, return_tensors="pt",
                                           return_dict=True)
    answer = model.generate(**prompt, do_sample=False, max_new_tokens=40)[0, prompt["input_ids"].shape[1]:]
    assert answer[-1] == tokenizer.eos_token_id  # stopped by itself, before the 40-token limit
    assert tokenizer.decode(answer, skip_special_tokens=True) == "Paris is the capital of France."


@pytest.mark.slow
def test_loss_and_weights_do_not_depend_on_how_a_step_is_split(tmp_path, llama_dir, short_rows):
    data = write_set(tmp_path / "set", short_rows[:12])
    runs = {
        "one_pass": {"micro_batch_tokens": 4096},
        "small_packs": {"micro_batch_tokens": 256},
        "padded_by_one": {"batching": "padded", "micro_batch_size": 1},
        "padded_by_three": {"batching": "padded", "micro_batch_size": 3, "group_by_length": False},
    }
    results = {}
    for name, settings in runs.items():
        out = tmp_path / name
        recipe.run(quick_config(llama_dir, data, out, examples_per_step=6, checkpoint_every=1, precision="fp64",
                                **settings))
        results[name] = (_losses(out), checkpoint_weights(out))
    # In float64 the splits differ only in summation order, ~1e-16 relative: the weights agree to
    # 1e-12 after 4 AdamW steps. (In float32 they do not: a first gradient below Adam's eps turns
    # summation-order noise of 1e-7 into weight differences of 5e-6; a wrong normalisation moves
    # weights by more than 1e-4 either way.)
    base_losses, base_weights = results.pop("one_pass")
    for name, (losses, weights) in results.items():
        assert losses == pytest.approx(base_losses, rel=1e-12), name
        for key, value in base_weights.items():
            assert value.dtype == torch.float64
            torch.testing.assert_close(weights[key], value, atol=1e-12, rtol=0, msg=f"{name}: {key}")


class Crash(Exception):
    pass


def _crash_at(monkeypatch, step_index):
    """Make the run die while doing global step ``step_index`` (0-based)."""
    real = recipe.train_step
    calls = {"n": 0}

    def dying(session, batches):
        if session.start_step + calls["n"] == step_index:
            raise Crash(step_index)
        calls["n"] += 1
        return real(session, batches)

    monkeypatch.setattr(recipe, "train_step", dying)


@pytest.mark.slow
def test_resume_after_crashes_reproduces_the_uninterrupted_run(tmp_path, llama_dir, short_rows, monkeypatch):
    # 10 examples / 4 per step = 3 steps per epoch (the last one short); 3 epochs = 9 steps;
    # checkpoints after steps 2, 3 (epoch end), 4, 6 (epoch end), 8, 9. Dropout is on, so the
    # RNG state must come back too.
    data = write_set(tmp_path / "set", short_rows[:10])
    settings = dict(epochs=3, checkpoint_every=2, residual_dropout=0.3)
    recipe.run(quick_config(llama_dir, data, tmp_path / "straight", **settings))
    expected = _losses(tmp_path / "straight")
    assert len(expected) == 9

    out = tmp_path / "crashing"
    _crash_at(monkeypatch, 2)  # in epoch 1, after the mid-epoch checkpoint at step 2
    with pytest.raises(Crash):
        recipe.run(quick_config(llama_dir, data, out, **settings))
    assert json.loads((out / "checkpoint" / "state.json").read_text())["global_step"] == 2
    _crash_at(monkeypatch, 5)  # in epoch 2 (a later epoch), after the mid-epoch checkpoint at step 4
    with pytest.raises(Crash):
        recipe.run(quick_config(llama_dir, data, out, resume=True, **settings))
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert (state["global_step"], state["epoch"], state["step_in_epoch"]) == (4, 1, 1)
    monkeypatch.undo()
    recipe.run(quick_config(llama_dir, data, out, resume=True, **settings))

    assert _losses(out) == pytest.approx(expected, rel=1e-6, abs=1e-7)
    assert [r["step"] for r in read_metrics(out / "metrics.jsonl")] == list(range(1, 10))
    final, reference = checkpoint_weights(out), checkpoint_weights(tmp_path / "straight")
    for key, value in reference.items():
        torch.testing.assert_close(final[key], value, atol=1e-6, rtol=1e-5, msg=key)


def test_output_folder_and_resume_are_checked_before_any_model_loads(tmp_path, short_rows):
    data = write_set(tmp_path / "set", short_rows[:4])
    out = tmp_path / "run"
    with pytest.raises(InputError, match="no checkpoint found"):
        recipe.preflight(quick_config(tmp_path / "no-model", data, out, resume=True))
    (out / "checkpoint" / "shards").mkdir(parents=True)
    (out / "checkpoint" / "state.json").write_text(json.dumps(
        {"config": {"lr": 1.0}, "global_step": 1, "epoch": 0, "step_in_epoch": 1, "fingerprint": "x"}))
    with pytest.raises(InputError, match="pass --resume"):
        recipe.preflight(quick_config(tmp_path / "no-model", data, out))
    with pytest.raises(InputError, match=r"other settings \(model, seed"):
        recipe.preflight(quick_config(tmp_path / "no-model", data, out, resume=True))
    with pytest.raises(InputError, match="model folder not found"):
        recipe.preflight(quick_config(tmp_path / "no-model", data, tmp_path / "fresh"))
