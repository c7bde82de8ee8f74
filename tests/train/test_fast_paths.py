"""Optional fast paths (off by default) train exactly as the plain path does; FSDP2 in one process."""

from __future__ import annotations

import socket

import pytest
import torch

from lima_curate.config import ConfigError
from lima_curate.train import loss, recipe
from lima_curate.train.metrics import read_metrics

from .helpers import checkpoint_weights, quick_config, write_set


def _losses(out):
    return [row["loss"] for row in read_metrics(out / "metrics.jsonl")]


@pytest.fixture(scope="module")
def plain(tmp_path_factory, llama_dir, short_rows):
    """The reference: 2 epochs in float64 (so only the maths can differ, not the rounding)."""
    folder = tmp_path_factory.mktemp("fast")
    data = write_set(folder / "set", short_rows[:8])
    out = folder / "plain"
    recipe.run(quick_config(llama_dir, data, out, precision="fp64", micro_batch_tokens=256))
    return data, out


def _same_run(out, reference, rel=1e-12):
    assert _losses(out) == pytest.approx(_losses(reference), rel=rel)
    expected = checkpoint_weights(reference)
    for key, value in checkpoint_weights(out).items():
        torch.testing.assert_close(value, expected[key], atol=rel, rtol=0, msg=key)


def test_fused_loss_in_chunks_gives_the_same_training(plain, llama_dir, tmp_path, monkeypatch):
    data, reference = plain
    monkeypatch.setattr(loss.LinearLossHead, "chunk_positions", 7)  # many chunks per row
    heads = []
    real = loss.LinearLossHead.forward
    monkeypatch.setattr(loss.LinearLossHead, "forward", lambda self, h: heads.append(real(self, h)) or heads[-1])
    recipe.run(quick_config(llama_dir, data, tmp_path / "fused", precision="fp64", micro_batch_tokens=256,
                            fused_loss=True))
    assert heads and all(out.dim() == 0 for out in heads)  # the head returns the loss, never logits
    _same_run(tmp_path / "fused", reference)


def test_fused_loss_is_refused_for_heads_it_cannot_replace(llama_dir, tokenizer):
    from lima_curate.train.model import load_model

    model = load_model(str(llama_dir), vocab_size=len(tokenizer))
    model.config.final_logit_softcapping = 30.0
    with pytest.raises(ConfigError, match="fused_loss: .* transforms its logits"):
        loss.install_loss_head(model)


def test_fused_adamw_gives_the_same_training(plain, llama_dir, tmp_path):
    data, reference = plain
    recipe.run(quick_config(llama_dir, data, tmp_path / "fused", precision="fp64", micro_batch_tokens=256,
                            fused_adamw=True))
    _same_run(tmp_path / "fused", reference)


@pytest.fixture
def one_rank_group(monkeypatch):
    """The environment torchrun gives a single worker: the recipe then joins a one-rank gloo group."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for key, value in {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": str(port)}.items():
        monkeypatch.setenv(key, value)


def test_fsdp_reduce_scatters_after_every_micro_batch_and_trains_as_one_process(plain, llama_dir, tmp_path,
                                                                               one_rank_group, monkeypatch):
    from torch.distributed.tensor import DTensor

    data, reference = plain
    seen = []
    real = recipe.forward_loss

    def watching(session, batch):  # what the previous micro-batch's backward left in .grad
        grads = [p.grad for p in session.model.parameters()]
        reduced = [g for g in grads if g is not None]
        seen.append(len(reduced) == len(grads) and all(isinstance(g, DTensor) for g in reduced))
        return real(session, batch)

    monkeypatch.setattr(recipe, "forward_loss", watching)
    recipe.run(quick_config(llama_dir, data, tmp_path / "fsdp", precision="fp64", micro_batch_tokens=256,
                            engine="fsdp"))
    # a micro-batch after the first of a step finds every gradient already reduced into its shard
    # (with the sync skipped, FSDP2 keeps them unsharded and .grad stays empty until the last one)
    assert any(seen), seen
    _same_run(tmp_path / "fsdp", reference)


@pytest.mark.slow
def test_compiled_blocks_on_fixed_size_rows_give_the_same_training(plain, llama_dir, tmp_path, monkeypatch):
    """Compiled with the aot_eager backend: dynamo and AOTAutograd trace each block; inductor's own
    code generation (minutes on two cores) is left to the GPU check."""
    data, reference = plain
    real_compile = torch.nn.Module.compile
    compiled, widths = [], set()
    monkeypatch.setattr(torch.nn.Module, "compile",
                        lambda self, **kw: compiled.append(type(self).__name__) or real_compile(self, backend="aot_eager"))
    real_inputs = recipe.model_inputs
    monkeypatch.setattr(recipe, "model_inputs",
                        lambda session, batch: widths.add(real_inputs(session, batch)["input_ids"].shape[1]) or
                        real_inputs(session, batch))
    recipe.run(quick_config(llama_dir, data, tmp_path / "compiled", precision="fp64", micro_batch_tokens=256,
                            compile=True))
    assert compiled == ["LlamaDecoderLayer"] * 2 and widths == {256}
    _same_run(tmp_path / "compiled", reference)


def test_a_single_process_checkpoint_resumes_under_fsdp(plain, llama_dir, tmp_path, monkeypatch):
    """The sharded checkpoint is keyed by parameter name: DCP reshards it for another engine."""
    data, reference = plain
    real_step = recipe.train_step

    def crash_in_epoch_two(session, batches):
        if session.start_step == 0 and getattr(crash_in_epoch_two, "calls", 0) == 2:  # after the epoch-1 checkpoint
            raise RuntimeError("crash")
        crash_in_epoch_two.calls = getattr(crash_in_epoch_two, "calls", 0) + 1
        return real_step(session, batches)

    monkeypatch.setattr(recipe, "train_step", crash_in_epoch_two)
    out = tmp_path / "moved"
    with pytest.raises(RuntimeError, match="crash"):
        recipe.run(quick_config(llama_dir, data, out, precision="fp64", micro_batch_tokens=256))
    monkeypatch.setattr(recipe, "train_step", real_step)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for key, value in {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": str(port)}.items():
        monkeypatch.setenv(key, value)
    recipe.run(quick_config(llama_dir, data, out, precision="fp64", micro_batch_tokens=256, engine="fsdp",
                            resume=True))
    _same_run(out, reference)
