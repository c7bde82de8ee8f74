"""The build folder: only its own earlier result is ever replaced, under a lock, kill-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from lima_curate import atomic
from lima_curate.atomic import MARKER, build_directory, marker_text, staged_directory
from lima_curate.errors import InputError, OutputError


def _canary(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "precious.txt").write_text("keep me")
    return folder


def _built(out, name, text):
    with build_directory(out, name) as stage:
        (stage / "train.jsonl").write_text(text)
    return out / name


@pytest.mark.parametrize("name", ["", ".", "..", "../escape", "a/b", "/abs/dir", "a\\b", "x\x00y"])
def test_a_name_that_is_not_a_plain_child_of_out_is_refused(tmp_path, name):
    out = tmp_path / "out"
    _canary(out / ".cache")
    outside = _canary(tmp_path / "escape")
    with pytest.raises(OutputError, match="not a plain folder name"):
        with build_directory(out, name):
            pytest.fail("must not start")
    assert (out / ".cache" / "precious.txt").read_text() == "keep me"
    assert (outside / "precious.txt").read_text() == "keep me"


def test_an_absolute_name_never_reaches_the_folder_it_names(tmp_path):
    victim = _canary(tmp_path / "victim")
    with pytest.raises(OutputError):
        with build_directory(tmp_path / "out", str(victim)):
            pass
    assert (victim / "precious.txt").read_text() == "keep me"


def test_a_folder_lima_curate_did_not_write_is_never_replaced(tmp_path):
    out = tmp_path / "out"
    cache = _canary(out / ".cache")  # e.g. the embedding cache, named by mistake
    with pytest.raises(OutputError, match=r"did not write \(no \.lima-curate marker"):
        with build_directory(out, ".cache"):
            pytest.fail("must not start")
    assert sorted(os.listdir(cache)) == ["precious.txt"]


def test_a_marker_naming_another_folder_does_not_count(tmp_path):
    out = tmp_path / "out"
    other = _built(out, "other", "v1")
    os.rename(other, out / "renamed")
    with pytest.raises(OutputError, match="did not write"):
        _built(out, "renamed", "v2")
    assert (out / "renamed" / "train.jsonl").read_text() == "v1"


def test_a_link_in_place_of_the_build_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    target = _built(tmp_path / "elsewhere", "sample", "theirs")  # even a marked folder, behind a link
    out.mkdir()
    os.symlink(target, out / "sample")
    with pytest.raises(OutputError, match="is a link"):
        _built(out, "sample", "mine")
    assert (target / "train.jsonl").read_text() == "theirs"


def test_a_build_replaces_its_own_earlier_result_and_marks_it(tmp_path):
    out = tmp_path / "out"
    _built(out, "sample", "v1")
    final = _built(out, "sample", "v2")
    assert (final / "train.jsonl").read_text() == "v2"
    assert (final / MARKER).read_text() == marker_text("sample", ["train.jsonl"])  # what the build wrote
    assert sorted(os.listdir(out)) == ["sample"]  # the lock file goes with the lock


def test_what_a_build_did_not_write_blocks_the_next_one_and_stays(tmp_path):
    out = tmp_path / "out"
    final = _built(out, "sample", "v1")
    (final / "NOTES.md").write_text("mine")
    with pytest.raises(OutputError, match=r"holds what no build wrote \(NOTES.md\)"):
        _built(out, "sample", "v2")
    assert (final / "NOTES.md").read_text() == "mine" and (final / "train.jsonl").read_text() == "v1"
    (final / "NOTES.md").unlink()
    (final / "report.html").write_text("made by lima-curate report")  # named by the build as its own to replace
    with build_directory(out, "sample", also_replaces=("report.html",)) as stage:
        (stage / "train.jsonl").write_text("v3")
    assert sorted(os.listdir(final)) == [MARKER, "train.jsonl"]


def test_a_second_build_of_the_same_name_fails_at_once_naming_the_lock(tmp_path):
    out = tmp_path / "out"
    _built(out, "sample", "v1")
    with build_directory(out, "sample") as stage:
        (stage / "train.jsonl").write_text("v2")
        with pytest.raises(OutputError, match=r"\.sample\.lock: another lima-curate run is writing"):
            with build_directory(out, "sample"):
                pytest.fail("must not start")
        assert stage.is_dir()  # the first build's staging folder is untouched
    assert (out / "sample" / "train.jsonl").read_text() == "v2"
    _built(out, "other", "x")  # another name is not blocked


def test_the_lock_is_held_across_processes_and_freed_when_its_holder_dies(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import fcntl, sys, time
            handle = open({str(out / '.sample.lock')!r}, "a+b")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError, match="another lima-curate run"):
            _built(out, "sample", "v1")
    finally:
        holder.kill()
        holder.wait()
    assert (_built(out, "sample", "v1") / "train.jsonl").read_text() == "v1"


def test_output_error_is_an_input_error_so_the_cli_reports_it_in_one_line():
    assert issubclass(OutputError, InputError)


def _kill_between_renames(tmp_path, final):
    """Run a replacement of ``final`` in a child that dies (os._exit) right after its first rename."""
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from lima_curate import atomic
        real = os.replace
        def replace(src, dst):
            real(src, dst)
            if str(dst).endswith(".previous"):
                os._exit(9)
        atomic.os.replace = replace
        with atomic.staged_directory(Path({str(final)!r})) as stage:
            (stage / "train.jsonl").write_text("new")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 9, done.stderr


def test_a_kill_between_the_two_renames_keeps_the_old_result_for_the_next_run(tmp_path, caplog):
    final = tmp_path / "build"
    with staged_directory(final) as stage:
        (stage / "train.jsonl").write_text("old")
    _kill_between_renames(tmp_path, final)
    assert not final.exists()  # the state a kill -9 leaves
    assert (tmp_path / ".build.previous" / "train.jsonl").read_text() == "old"
    with pytest.raises(RuntimeError):  # the next run fails too: the old result is back all the same
        with staged_directory(final):
            raise RuntimeError("this run fails")
    assert (final / "train.jsonl").read_text() == "old"
    assert "restored the previous result" in caplog.text
    assert sorted(os.listdir(tmp_path)) == ["build"]  # the dead run's staging folder went too


def test_a_previous_left_after_the_second_rename_is_removed(tmp_path):
    final = tmp_path / "build"
    for text in ("old", "new"):
        with staged_directory(final) as stage:
            (stage / "train.jsonl").write_text(text)
    leftover = tmp_path / ".build.previous"
    leftover.mkdir()
    (leftover / MARKER).write_text(marker_text("build"))
    with staged_directory(final) as stage:
        (stage / "train.jsonl").write_text("newest")
    assert (final / "train.jsonl").read_text() == "newest"
    assert not leftover.exists()


def test_ctrl_c_during_the_renames_keeps_the_old_result(tmp_path, monkeypatch):
    final = tmp_path / "build"
    with staged_directory(final) as stage:
        (stage / "train.jsonl").write_text("old")
    real = os.replace

    def replace_then_interrupt(src, dst):
        real(src, dst)
        if str(dst).endswith(".previous"):
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(atomic.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        with staged_directory(final) as stage:
            (stage / "train.jsonl").write_text("new")
    monkeypatch.undo()
    assert (final / "train.jsonl").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["build"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
