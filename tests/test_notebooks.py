"""Every notebook in notebooks/ runs top to bottom, and is committed without outputs."""

import os
import shutil
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook_and_it_is_committed_without_outputs():
    nbformat = pytest.importorskip("nbformat", reason="the notebook extra (pip install -e '.[notebook]')")
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code, path
        assert all(not cell.outputs and cell.execution_count is None for cell in code), \
            f"{path.name}: clear the outputs before committing"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_offline(path, repo_root, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="the notebook extra (pip install -e '.[notebook]')")
    nbclient = pytest.importorskip("nbclient", reason="the notebook extra (pip install -e '.[notebook]')")
    pytest.importorskip("ipykernel", reason="the notebook extra (pip install -e '.[notebook]')")
    # a copy of the checkout's inputs, so the notebook's output/ lands in tmp_path
    for name in ("pipelines", "raw"):
        shutil.copytree(repo_root / name, tmp_path / name)
    (tmp_path / "notebooks").mkdir()
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path / "notebooks")}})
    client.execute(env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors
    assert (tmp_path / "output" / "sample" / "train.jsonl").is_file()
    figures = [out for cell in notebook.cells for out in cell.get("outputs", [])
               if "image/png" in out.get("data", {})]
    assert len(figures) >= 2  # the selection map and the lengths against Table 1
