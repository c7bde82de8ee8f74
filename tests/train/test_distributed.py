"""Two processes (gloo, CPU) started through torchrun give what one process gives; a failing rank ends the job."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from lima_curate.config import to_dict
from lima_curate.train import recipe
from lima_curate.train.launch import launch, torchrun_command
from lima_curate.train.metrics import read_metrics

from .helpers import quick_config, write_set

REPO = Path(__file__).resolve().parents[2]


def _parity_config(model, data, out, **overrides):
    # float64 end to end, exported as float32: see test_two_processes_match_one_process
    return quick_config(model, data, out, examples_per_step=6, micro_batch_tokens=256, save_final=True,
                        precision="fp64", export_dtype="fp32", **overrides)


@pytest.fixture(scope="module")
def one_process(tmp_path_factory, llama_dir, short_rows):
    folder = tmp_path_factory.mktemp("dist")
    # 11 / 6 per step: the second step is short; 3 dev prompts do not split evenly over 2 ranks
    data = write_set(folder / "set", short_rows[:11], dev=short_rows[11:14])
    out = folder / "single"
    recipe.run(_parity_config(llama_dir, data, out))
    return data, out


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["ddp", "fsdp"])
def test_two_processes_match_one_process(engine, one_process, llama_dir, tmp_path):
    """Both runs train in float64, so the comparison tests the maths, not the rounding.

    Two processes sum the same per-example gradients in another order. In float32 that
    order changes a gradient by ~1e-7 relative, and AdamW's first step turns a gradient
    below its eps (1e-8; the first gradients of some weights are ~1e-9) into an update of
    lr * g / (|g| + eps), where such noise becomes a weight difference of ~1e-5 (one weight
    in 8,192 was 7e-6 off on a fresh machine). In float64 the same noise is ~1e-16
    relative and stays far below float32's rounding, so the exported float32 weights must
    agree to within one rounding step (2 units in the last place), and the losses to 1e-12;
    a wrong loss normalisation or a missed gradient reduction moves them by more than 1e-4.
    """
    data, single = one_process
    out = tmp_path / engine
    assert launch(_parity_config(llama_dir, data, out, engine=engine), nproc_per_node=2) == 0

    expected, got = read_metrics(single / "metrics.jsonl"), read_metrics(out / "metrics.jsonl")
    assert [r["loss"] for r in got] == pytest.approx([r["loss"] for r in expected], rel=1e-12)
    assert [r["target_tokens"] for r in got] == [r["target_tokens"] for r in expected]
    weights = load_file(str(out / "epoch-02" / "model.safetensors"))
    reference = load_file(str(single / "epoch-02" / "model.safetensors"))
    assert weights.keys() == reference.keys()
    for key, value in reference.items():
        assert value.dtype == torch.float32
        torch.testing.assert_close(weights[key], value, atol=0, rtol=2 * 2**-23, msg=key)
    generated = [json.loads(line)["id"] for line in (out / "epoch-02" / "generations.jsonl").read_text().splitlines()]
    assert generated == [json.loads(line)["id"] for line in (single / "epoch-02" / "generations.jsonl").read_text().splitlines()]
    assert len(generated) == 3


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["ddp", "fsdp"])
def test_a_failure_on_one_rank_ends_the_whole_job_within_seconds(engine, llama_dir, short_rows, tmp_path):
    data = write_set(tmp_path / "set", short_rows[:16])
    config = quick_config(llama_dir, data, tmp_path / "run", engine=engine, examples_per_step=2, epochs=1)
    config_file, stamp = tmp_path / "config.json", tmp_path / "failed-at"
    config_file.write_text(json.dumps(to_dict(config)))
    command = torchrun_command(config_file, nproc_per_node=2)
    command = command[:command.index("-m", 3)] + [str(REPO / "tests" / "train" / "failing_worker.py"),
                                                    str(config_file), str(stamp)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=REPO)
    except subprocess.TimeoutExpired:  # the old behaviour: every rank waits for ever
        pytest.fail("the job hung after rank 1 failed")
    ended = time.time()
    assert done.returncode != 0
    assert "error: training failed on rank 1: RuntimeError: injected failure on rank 1" in done.stderr
    assert ended - float(stamp.read_text()) < 15, done.stderr[-2000:]
    assert not (tmp_path / "run" / "summary.json").exists()


def test_torchrun_is_told_to_notice_a_dead_worker_quickly():
    command = torchrun_command("c.json", nproc_per_node=2)
    assert command[command.index("--monitor-interval") + 1] == "0.5"
    assert command[-3:] == ["-m", "lima_curate.train.launch", "c.json"]
    assert sys.executable == command[0]
