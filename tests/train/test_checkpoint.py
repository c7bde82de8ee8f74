"""Checkpoints: sharded safetensors and JSON only; a damaged or foreign one is refused in one line."""

from __future__ import annotations

import json
import pickle
import shutil

import pytest
import typer
from typer.testing import CliRunner

from lima_curate.train import recipe
from lima_curate.train.cli import train

from .helpers import quick_config, write_set

app = typer.Typer()
app.command()(train)


@pytest.fixture(scope="module")
def finished(tmp_path_factory, llama_dir, short_rows):
    """A run of one epoch: its data, model and output folder (checkpoint written at the epoch end)."""
    folder = tmp_path_factory.mktemp("ckpt")
    data = write_set(folder / "set", short_rows[:4])
    recipe.run(quick_config(llama_dir, data, folder / "run", epochs=1))
    return data, folder / "run"


def _resume(run, data, model):
    return CliRunner().invoke(app, [str(a) for a in ("--model", model, "--data", data, "--out", run, "--epochs", 1,
                                                     "--examples-per-step", 4, "--max-seq-len", 256, "--lr", 1e-3,
                                                     "--final-lr", 1e-4, "--residual-dropout", 0,
                                                     "--micro-batch-tokens", 512, "--no-progress", "--dev", "none",
                                                     "--set", "first_save_epoch=1", "--set", "last_save_epoch=0",
                                                     "--set", "save_final=false",
                                                     "--resume")])


def test_the_checkpoint_holds_no_pickle(finished):
    _, run = finished
    names = sorted(p.relative_to(run / "checkpoint").as_posix() for p in (run / "checkpoint").rglob("*") if p.is_file())
    assert "state.json" in names and "trainer_state.json" in names and "rng.safetensors" in names
    assert [n for n in names if n.startswith("shards/")] == ["shards/shard-00001-model-00001-of-00001.safetensors"]
    assert not [n for n in names if n.endswith((".pt", ".bin", ".pkl", ".metadata"))]


@pytest.mark.parametrize("damage, message", [
    (lambda c: (c / "state.json").write_text("{not json"), "state.json: corrupt checkpoint state, not JSON"),
    (lambda c: (c / "state.json").write_text('{"global_step": "3"}'), "state.json: corrupt checkpoint state: 'global_step'"),
    (lambda c: shutil.rmtree(c / "shards"), "checkpoint: incomplete checkpoint: no shards/ folder"),
    (lambda c: next((c / "shards").glob("*.safetensors")).write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage"),
     "checkpoint: cannot read the checkpoint"),
])
def test_a_damaged_checkpoint_is_refused_in_one_line(finished, tmp_path, llama_dir, damage, message):
    data, run = finished
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    damage(copy / "checkpoint")
    result = _resume(copy, data, llama_dir)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and message in result.output, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickled_checkpoint_is_never_loaded(finished, tmp_path, llama_dir):
    """An old-layout checkpoint (optimizer.pt, trainer_state.pt) holding a pickle that would run code."""
    data, run = finished
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    shutil.rmtree(copy / "checkpoint" / "shards")
    marker = tmp_path / "payload-ran"
    for name in ("optimizer.pt", "trainer_state.pt"):
        (copy / "checkpoint" / name).write_bytes(pickle.dumps(_Payload(marker)))
    result = _resume(copy, data, llama_dir)
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "pickled .pt files, which are never loaded" in result.output
    assert not marker.exists()


def test_the_undamaged_checkpoint_resumes_through_the_command(finished, tmp_path, llama_dir):
    data, run = finished
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    result = _resume(copy, data, llama_dir)
    assert result.exit_code == 0, result.output
    assert json.loads((copy / "summary.json").read_text())["steps"] == 1
