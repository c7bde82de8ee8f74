from __future__ import annotations

import pytest

from lima_curate.config import ConfigError
from lima_curate.train.config import load_train_config
from lima_curate.train.recipe import lr_factor

REQUIRED = {"model": "m", "data": "d.jsonl", "out": "o"}


def test_defaults_are_the_paper_recipe():
    c = load_train_config(None, REQUIRED)
    assert (c.epochs, c.lr, c.final_lr, c.warmup_steps) == (15, 1e-5, 1e-6, 0)
    assert (c.beta1, c.beta2, c.weight_decay) == (0.9, 0.95, 0.1)
    assert (c.examples_per_step, c.residual_dropout, c.max_seq_len) == (32, 0.3, 2048)
    assert (c.first_save_epoch, c.last_save_epoch) == (5, 10) and c.export_epochs() == [5, 6, 7, 8, 9, 10, 15]
    g = c.generation
    assert (g.top_p, g.temperature, g.repetition_penalty, g.do_sample) == (0.9, 0.7, 1.2, True)
    assert c.eot_token == "<|EOT|>" and not c.trust_remote_code


def test_small_model_changes_batch_and_dropout_unless_set():
    small = load_train_config(None, {**REQUIRED, "small_model": True})
    assert (small.examples_per_step, small.residual_dropout) == (64, 0.2)
    explicit = load_train_config(None, {**REQUIRED, "small_model": True, "examples_per_step": 16})
    assert (explicit.examples_per_step, explicit.residual_dropout) == (16, 0.2)


def test_yaml_file_with_relative_paths_and_flags_on_top(tmp_path):
    (tmp_path / "cfg.yaml").write_text("data: set/train.jsonl\nout: runs/a\nmodel: hub/name\nepochs: 3\n"
                                       "generation:\n  top_p: 0.8\n")
    c = load_train_config(tmp_path / "cfg.yaml", {"epochs": 7})
    assert c.data == str(tmp_path / "set" / "train.jsonl") and c.out == str(tmp_path / "runs" / "a")
    assert c.model == "hub/name"  # not a folder there: a model name, kept as is
    assert c.epochs == 7 and c.generation.top_p == 0.8


@pytest.mark.parametrize("text, message", [
    ("data: a\nout: b\nmodel: c\nepoch: 3\n", "epoch: unknown key"),
    ("data: a\nout: b\nmodel: c\nepochs: three\n", "epochs: expected an integer"),
    ("data: a\nout: b\nmodel: c\nmicro_batch_tokens: 100\n", "micro_batch_tokens: must be at least max_seq_len"),
    ("data: a\nout: b\nepochs: 3\n", "model: required"),
    ("data: a\nout: b\nmodel: c\nbatching: sorted\n", "batching: must be one of packed, padded"),
    ("data: a\nout: b\nmodel: c\nepochs: '3'\n", "epochs: expected an integer, got '3'"),
    ("data: a\nout: b\nmodel: c\nepochs: true\n", "epochs: expected an integer, got True"),
    ("data: a\nout: b\nmodel: c\nlr: .nan\n", "lr: NaN is not a usable value"),
    ("data: a\nout: b\nmodel: c\nlr: .inf\n", "lr: must be a finite number, got inf"),
    ("data: a\nout: b\nmodel: c\nfinal_lr: 0.1\n", "final_lr: must be between 0 and lr (1e-05), got 0.1"),
    ("data: a\nout: b\nmodel: c\nbeta2: 1\n", "beta2: must be less than 1.0, got 1"),
    ("data: a\nout: b\nmodel: c\neot_token: '  '\n", "eot_token: must not be empty"),
    ("data: a\nout: b\nmodel: c\nfirst_save_epoch: 5\nlast_save_epoch: 2\n",
     "last_save_epoch: must be at least first_save_epoch - 1"),
    ("data: a\nout: b\nmodel: c\ngeneration:\n  top_p: 0\n", "generation.top_p: must be more than 0.0, got 0"),
    ("data: a\nout: b\nmodel: c\ngeneration:\n  top_k: 5\n", "generation.top_k: unknown key (known here: "),
])
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, text, message):
    (tmp_path / "cfg.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_train_config(tmp_path / "cfg.yaml")
    assert str(caught.value).startswith(str(tmp_path / "cfg.yaml")) and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_lr_decays_linearly_from_peak_to_final_without_warmup():
    factors = [lr_factor(s, 11, 0, 0.1) for s in range(11)]
    assert factors[0] == 1.0 and factors[-1] == pytest.approx(0.1)
    steps = [a - b for a, b in zip(factors, factors[1:])]
    assert all(d == pytest.approx(0.09) for d in steps)


def test_warmup_when_asked():
    assert [lr_factor(s, 10, 2, 0.1) for s in (0, 1, 2)] == [0.5, 1.0, 1.0]


def test_the_config_round_trips_through_its_dict_for_launched_workers():
    from lima_curate.config import parse, to_dict
    from lima_curate.train.config import TrainConfig

    config = load_train_config(None, {**REQUIRED, "small_model": True, "generation.top_p": 0.5})
    assert parse(TrainConfig, to_dict(config)) == config
