from __future__ import annotations

import sys

import pytest
import typer
from typer.testing import CliRunner

from lima_curate.train import launch as launch_module
from lima_curate.train import recipe
from lima_curate.train.cli import train
from lima_curate.train.launch import torchrun_command

from .helpers import write_set

app = typer.Typer()
app.command()(train)


@pytest.fixture
def captured(monkeypatch):
    """Replace the recipe run by a recorder of the config it would get."""
    seen = []
    monkeypatch.setattr(recipe, "run", lambda config: seen.append(config))
    return seen


def _invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_flags_yaml_and_set_values_reach_the_config(tmp_path, captured):
    (tmp_path / "cfg.yaml").write_text("epochs: 4\nlr: 2.0e-5\n")
    result = _invoke("--model", "some/hub-name", "--data", tmp_path / "train.jsonl", "--out", tmp_path / "run",
                     "--config", tmp_path / "cfg.yaml", "--epochs", 9, "--small-model", "--save-epochs", "3-4",
                     "--set", "generation.top_p=0.95", "--set", "micro_batch_tokens=8192", "--no-progress")
    assert result.exit_code == 0, result.output
    (config,) = captured
    assert (config.epochs, config.lr, config.examples_per_step, config.residual_dropout) == (9, 2e-5, 64, 0.2)
    assert (config.first_save_epoch, config.last_save_epoch) == (3, 4)
    assert config.generation.top_p == 0.95 and config.micro_batch_tokens == 8192 and not config.progress
    assert config.model == "some/hub-name" and config.data == str(tmp_path / "train.jsonl")


@pytest.mark.parametrize("args, message", [
    (["--set", "epoch=3"], "epoch: unknown key"),
    (["--save-epochs", "five"], "--save-epochs: expected A-B"),
    (["--set", "novalue"], "--set: expected KEY=VALUE"),
    (["--engine", "deepspeed"], "engine: must be one of"),
])
def test_bad_settings_are_one_line_errors(tmp_path, captured, args, message):
    result = _invoke("--model", "m", "--data", tmp_path / "t.jsonl", "--out", tmp_path / "o", *args)
    assert result.exit_code == 2 and message in result.output and not captured
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_data_that_is_not_a_build_output_is_a_one_line_error(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text('{"instruction": "x", "output": "y"}\n')
    result = _invoke("--model", tmp_path, "--data", data, "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {data}:line 1: not a `lima-curate build` output: no 'messages' list"
    assert not (tmp_path / "run").exists()


def test_max_seq_len_beyond_the_model_positions_is_a_one_line_error(tmp_path, tokenizer, short_rows):
    from . import tiny

    gpt2 = tiny.build_model(tmp_path / "gpt2-128", tokenizer, family="gpt2", max_positions=128)
    data = write_set(tmp_path / "set", short_rows[:2])
    result = _invoke("--model", gpt2, "--data", data, "--out", tmp_path / "run", "--max-seq-len", 512)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith("error: max_seq_len: 512 is more than the model's 128 positions")
    assert result.output.count("\n") == 1 and not (tmp_path / "run").exists()


def test_nproc_per_node_starts_torchrun_instead_of_training(tmp_path, captured, monkeypatch):
    calls = []
    monkeypatch.setattr(launch_module, "launch", lambda config, **kw: calls.append((config, kw)) or 0)
    result = _invoke("--model", "m", "--data", tmp_path / "t.jsonl", "--out", tmp_path / "o", "--nproc-per-node", 4,
                     "--engine", "fsdp")
    assert result.exit_code == 0, result.output
    ((config, kwargs),) = calls
    assert config.engine == "fsdp" and kwargs["nproc_per_node"] == 4 and not captured


def test_torchrun_command_for_one_node_and_for_several():
    assert torchrun_command("c.json", nproc_per_node=2) == [
        sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--standalone",
        "--monitor-interval", "0.5", "-m", "lima_curate.train.launch", "c.json"]
    multi = torchrun_command("c.json", nproc_per_node=8, nnodes=2, node_rank=1, master_addr="10.0.0.1", master_port=29400)
    assert multi[5:13] == ["--nnodes", "2", "--node-rank", "1", "--master-addr", "10.0.0.1", "--master-port", "29400"]


@pytest.mark.slow
def test_a_real_run_through_the_command(tmp_path, llama_dir, short_rows):
    data = write_set(tmp_path / "set", short_rows[:4], dev=short_rows[4:5])
    result = _invoke("--model", llama_dir, "--data", data, "--out", tmp_path / "run", "--epochs", 1,
                     "--examples-per-step", 4, "--max-seq-len", 256, "--micro-batch-tokens", 512, "--no-progress",
                     "--set", "generation.max_new_tokens=4")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "epoch-01" / "model.safetensors").is_file()
    assert (tmp_path / "run" / "epoch-01" / "generations.jsonl").read_text().count("\n") == 1
    again = _invoke("--model", llama_dir, "--data", data, "--out", tmp_path / "run", "--epochs", 1)
    assert again.exit_code == 2 and "pass --resume" in again.output


@pytest.mark.parametrize("columns", ["80", None])
def test_help_shows_every_option_whole_and_no_bool_placeholders(columns):
    """Checked in a pipe, as a log or `| less` sees it, at 80 columns and at rich's default width."""
    import inspect
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns:
        env["COLUMNS"] = columns
    shown = subprocess.run([sys.executable, "-c", "from lima_curate.cli.main import app; app()", "train", "--help"],
                           capture_output=True, text=True, env=env, check=True).stdout
    names = [flag for parameter in inspect.signature(train).parameters.values()
             for flag in parameter.default.param_decls]
    assert len(names) >= 30
    for name in names:
        assert f" {name} " in shown, name
    assert "\u2026" not in shown  # nothing cut with an ellipsis
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert [line for line in shown.splitlines() if "<bool>" in line and "--help" not in line] == []
