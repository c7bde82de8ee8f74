"""`lima-curate build` from the outside: Ctrl-C at any moment, a second build, a bad name.

Ctrl-C is sent the way a terminal sends it, to the build's whole process group, at many
moments of a build; each time the build must end with exit 130, one line, and the
previous result intact (the interrupted build uses another seed, so a result it had
written would show).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DELAYS = (0.2, 0.5, 0.9, 1.4, 2.0, 2.8, 3.8, 5.0)  # seconds after start: imports, extraction, embedding, export


def _build(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        # what the installed `lima-curate` script runs
        [sys.executable, "-c", "from lima_curate.cli import run; run()", "build", "--out", str(out), "-q", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def _finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


@pytest.mark.slow
def test_ctrl_c_at_any_moment_ends_with_130_and_keeps_the_previous_result(tmp_path):
    out = tmp_path / "out"
    code, stderr = _finish(_build(out))
    assert code == 0, stderr
    before = _hashes(out / "sample")
    for delay in DELAYS:
        process = _build(out, "--seed", "7")
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        code, stderr = _finish(process)
        if code == 0:  # the build had finished before the signal: its result is complete
            assert '"seed":7' in (out / "sample" / "manifest.json").read_text().replace(" ", "")
            assert _finish(_build(out))[0] == 0  # back to the previous result for the next round
            continue
        assert code == 130, f"after {delay} s: exit {code}\n{stderr}"
        assert stderr.strip().splitlines() == ["error: interrupted; no finished output was written"], f"after {delay} s: {stderr!r}"
        assert _hashes(out / "sample") == before, f"after {delay} s the previous result changed"
        assert sorted(p.name for p in out.iterdir()) == [".cache", "sample"]  # the embedding cache beside it


def test_a_second_build_into_the_same_folder_fails_at_once_naming_the_lock(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".sample.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        started = time.perf_counter()
        code, stderr = _finish(_build(out))
        elapsed = time.perf_counter() - started
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert stderr.startswith(f"error: {out / '.sample.lock'}: another lima-curate run is writing {out / 'sample'}")
    assert elapsed < 30 and not (out / "sample").exists()


@pytest.mark.parametrize("name", ["..", "../escape", "/tmp/lima-curate-test-escape"])
def test_a_pipeline_name_outside_out_is_refused_and_nothing_is_deleted(tmp_path, name):
    out = tmp_path / "out"
    (tmp_path / "escape").mkdir()
    (tmp_path / "escape" / "precious.txt").write_text("keep me")
    sample = (REPO / "pipelines" / "sample.yaml").read_text(encoding="utf-8")
    pipeline = REPO / "pipelines" / f".test-name-{os.getpid()}.yaml"
    pipeline.write_text(sample.replace("name: sample", f"name: {name!r}"), encoding="utf-8")
    try:
        code, stderr = _finish(_build(out, str(pipeline)))
    finally:
        pipeline.unlink()
    assert code == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert (tmp_path / "escape" / "precious.txt").read_text() == "keep me"
    assert not Path("/tmp/lima-curate-test-escape").exists()
    shutil.rmtree(out, ignore_errors=True)
