"""benchmarks/gpu_check.py in its CPU dry mode: every section runs and writes what the GPU run will."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_check_dry_run_fills_every_section(tmp_path):
    out = tmp_path / "dry.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_check.py"), "--dry-run", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(out.read_text())
    sections = results["sections"]
    assert list(sections) == ["A_parity", "B_speed", "C_fsdp_checkpoint", "D_generation"]
    assert all(section["ok"] for section in sections.values()), sections
    parity = sections["A_parity"]
    assert parity["fp32_within_1e-5"] and parity["trainer_fp32_rel_error"] < 1e-5
    assert parity["recipe_bf16"] == "skipped: needs CUDA"
    speed = sections["B_speed"]["runs"]
    assert [run["run"] for run in speed] == [
        "packed 512 tokens", "packed 512 tokens + activation checkpointing", "packed 1024 tokens",
        "packed 1024 tokens + activation checkpointing", "padded, 4 per pass", "Trainer padded, 4 per pass",
        "packed 512 tokens + fused_loss", "packed 512 tokens + fused_adamw"]
    assert all(run["tokens_per_s"] > 0 and run["seconds_per_step"] > 0 for run in speed), speed
    fsdp = sections["C_fsdp_checkpoint"]
    assert fsdp["engine"] == "fsdp" and fsdp["equal_to_plain"] and fsdp["checkpoint_bytes"] > fsdp["export_bf16_bytes"]
    assert sections["D_generation"]["new_tokens"] > 0
    assert results["environment"]["torch"] and results["dry_run"] is True
