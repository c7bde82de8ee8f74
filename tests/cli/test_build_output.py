"""What `lima-curate build` prints in a pipe: each fact once, through one channel, in 80 columns."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

RUN = "from lima_curate.cli import run; run()"


@pytest.fixture(scope="module")
def short_build(repo_root, tmp_path_factory):
    """A sample pipeline whose raw folder has no reddit/ and whose STEM quota asks for 10 of 6."""
    root = tmp_path_factory.mktemp("short")
    shutil.copytree(repo_root / "raw", root / "raw",
                    ignore=lambda folder, names: ["reddit"] if folder == str(repo_root / "raw") else [])
    config = yaml.safe_load((repo_root / "pipelines" / "sample.yaml").read_text())
    config["raw"] = str(root / "raw")
    config["authored"]["dir"] = str(root / "raw" / "authored")
    config["select"]["quotas"]["stackexchange_stem"]["size"] = 10
    (root / "short.yaml").write_text(yaml.safe_dump(config))
    return root


def build(root, *flags):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    result = subprocess.run([sys.executable, "-c", RUN, "build", str(root / "short.yaml"), "--out", str(root / "out"),
                             *flags], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


FACTS = ("reddit: no folder", "quota stackexchange_stem: 6 candidates for 10 places, 4 short",
         "quota askreddit: 0 candidates for 2 places", "quota writingprompts: 0 candidates for 2 places")


@pytest.mark.slow
def test_in_a_pipe_each_fact_is_said_once_before_the_tables_in_80_columns(short_build):
    out = build(short_build)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    flat = " ".join(out.split())  # a long warning wraps onto an indented second line
    for fact in FACTS:
        assert flat.count(fact) == 1, fact
    assert "UserWarning" not in out and "note:" not in out and "WARNING" not in out
    tables = flat.index("Candidates in and out of each stage")
    assert all(flat.index(f"warning: {fact}") < tables for fact in FACTS)  # said first, not after the tables
    for step in ("extracting", "embedding", "dedup", "decontaminating", "selecting", "writing outputs"):
        assert re.search(rf"^· {step}\b", out, re.M), step  # every step says it started, whatever its size
    assert "in the cache" in out and os.sep + os.path.join(".cache", "embeddings") in out  # where the cache is
    assert (short_build / "out" / ".cache" / "embeddings").is_dir()  # beside the outputs, not in the cwd
    assert lines[-1].startswith("wrote ") or lines[-2].startswith("wrote ")
    assert flat.endswith(f"; {len(FACTS)} warnings above")


@pytest.mark.slow
def test_quiet_shows_only_the_final_line(short_build):
    out = build(short_build, "-q")
    assert " ".join(out.split()).startswith("wrote ") and "warning:" not in out and "·" not in out
    assert f"{len(FACTS)} warnings (run without -q to see them)" in " ".join(out.split())


@pytest.mark.slow
def test_verbose_shows_details_and_each_steps_time(short_build):
    out = build(short_build, "-v")
    flat = " ".join(out.split())  # per-site details: read from the dump, or from its measurements table
    assert re.search(r"cooking\.stackexchange\.com: (11 questions|deciding from the measurements table)", flat)
    assert re.search(r"^· embedding: \d+ texts in \d+ s$", out, re.M)
    assert " ".join(out.split()).count("quota stackexchange_stem: 6 candidates") == 1


def _hashes(folder):
    import hashlib

    return {path.relative_to(folder): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_message_flags_leave_the_outputs_byte_identical(short_build):
    folder = short_build / "out" / "sample"
    build(short_build)
    plain = _hashes(folder)
    build(short_build, "-q")
    assert _hashes(folder) == plain
    build(short_build, "--verbose")
    assert _hashes(folder) == plain
    assert "--verbose" not in (folder / "manifest.json").read_text()


def test_the_recorded_command_leaves_out_the_message_flags():
    from lima_curate.cli.build import recorded_command

    assert recorded_command(["p.yaml", "-q", "--out", "o", "--verbose", "--seed", "3"]) == \
        "lima-curate p.yaml --out o --seed 3"
