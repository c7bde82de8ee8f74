"""The README's commands and its Python snippet, as written.

Every command of a fenced ``bash`` block runs here, in README order, in a temporary copy of
the checkout's inputs (``pipelines/``, ``raw/``), except the steps that cannot run offline
or belong to another test; each of those is skipped with its reason.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def readme_blocks(repo_root, language):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def readme_commands(repo_root=REPO) -> list[str]:
    """Every command line of the README's bash blocks, in order (comments and blank lines out)."""
    return [line.strip() for block in readme_blocks(repo_root, "bash") for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def why_not_here(step: str) -> "str | None":
    """Why a step of a README command is not run by this test (None: it runs)."""
    if step.startswith("pip install"):
        return "installs packages from the network; the test runs in the installed environment"
    if "pytest" in step:
        return "the test suite itself"
    if "../shared/realdata" in step:
        return "tests/test_realdata_build.py runs this command and checks what it prints and writes"
    if step.startswith("jupyter lab"):
        return "opens an interactive editor; tests/test_notebooks.py runs the notebook top to bottom"
    if step.startswith("lima-curate train"):
        return "needs a model's weights (tests/train runs the recipe on a tiny model)"
    return None


def steps(command: str) -> list[str]:
    return [step.strip() for step in command.split("&&")]


def test_readme_has_the_two_commands_and_ci_runs_the_test_one(repo_root):
    commands = readme_commands(repo_root)
    build = [c for c in commands if c.endswith("lima-curate build")]
    tests = [c for c in commands if "pytest" in c]
    assert len(build) == 1 and build[0].startswith("pip install torch==2.13.0")
    assert len(tests) == 1 and tests[0] in (repo_root / ".ci" / "run").read_text()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A temporary folder with the inputs the README's commands read, shared in README order."""
    root = tmp_path_factory.mktemp("readme")
    for name in ("pipelines", "raw"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(command, checkout):
    runnable = [step for step in steps(command) if why_not_here(step) is None]
    if not runnable:
        pytest.skip("; ".join(sorted({why_not_here(step) for step in steps(command)})))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for step in runnable:
        result = subprocess.run(["bash", "-c", f"set -o pipefail; {step}"], cwd=checkout, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{step}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


@pytest.mark.slow
def test_python_snippet_runs_as_written(repo_root):
    (snippet,) = readme_blocks(repo_root, "python")
    result = subprocess.run([sys.executable, "-c", snippet], cwd=repo_root, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert re.match(r"\d+ candidates; dropped per rule: \{.+\}", lines[0])
    assert any(line.startswith("stackexchange-") for line in lines[1:])
