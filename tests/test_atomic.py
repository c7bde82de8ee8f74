import os

import pytest

from lima_curate.atomic import MARKER, atomic_write, marker_text, staged_directory, write_text


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_write(target) as handle:
            handle.write("half")
            raise RuntimeError("stop")
    assert os.listdir(tmp_path) == []


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_staged_directory_keeps_the_old_result_when_interrupted(tmp_path):
    final = tmp_path / "build"
    with staged_directory(final) as stage:
        (stage / "train.jsonl").write_text("v1")
    with pytest.raises(KeyboardInterrupt):
        with staged_directory(final) as stage:
            (stage / "train.jsonl").write_text("v2-half")
            raise KeyboardInterrupt
    assert (final / "train.jsonl").read_text() == "v1"
    assert sorted(os.listdir(tmp_path)) == ["build"]


def test_staged_directory_cleans_only_its_own_dead_partials(tmp_path):
    final = tmp_path / "build"
    dead = tmp_path / ".build.partial-999999999-abc"  # no such process
    dead.mkdir()
    (dead / MARKER).write_text(marker_text("build"))
    unmarked = tmp_path / ".build.partial-999999999-xyz"
    unmarked.mkdir()
    live = tmp_path / f".build.partial-{os.getppid()}-def"
    live.mkdir()
    (live / MARKER).write_text(marker_text("build"))
    with staged_directory(final) as stage:
        (stage / "x").write_text("1")
    assert not dead.exists()
    assert unmarked.exists() and live.exists()
    assert (final / "x").read_text() == "1"
