"""The registry of sources, and every source's units run on one executor by the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lima_curate import executor, pipeline
from lima_curate.config import QUOTA_NAMES, load_pipeline
from lima_curate.records import dumps
from lima_curate.rejects import Rejects
from lima_curate.sources import registry


def test_every_source_has_its_folder_and_quotas(repo_root: Path):
    assert [(s.name, s.folder) for s in registry.SOURCES] == [
        ("stackexchange", "stackexchange"), ("wikihow", "wikihow"), ("reddit", "reddit"),
        ("sni", "super_natural_instructions"),
    ]
    produced = {quota for source in registry.SOURCES for quota in source.quotas}
    recipe = yaml.safe_load((repo_root / "pipelines" / "lima.yaml").read_text())["select"]["quotas"]
    assert set(recipe) == produced
    assert set(QUOTA_NAMES) == produced  # the names the config accepts are the ones the sources fill


def extract(repo_root: Path, overrides: dict) -> tuple[list, Rejects, list]:
    config = load_pipeline(repo_root / "pipelines" / "sample.yaml", overrides)
    rejects, notes = Rejects(), []
    found = pipeline.extract_sources(config, repo_root / "raw", rejects, notes)
    return found, rejects, notes


def test_notes_keep_the_order_of_the_sources(repo_root: Path, tmp_path: Path):
    config = load_pipeline(repo_root / "pipelines" / "sample.yaml", {"sources.wikihow.enabled": False})
    (tmp_path / "stackexchange").mkdir()
    notes: list[str] = []
    assert pipeline.extract_sources(config, tmp_path, Rejects(), notes) == []
    assert notes == [
        "wikihow: disabled in the pipeline",
        f"reddit: no folder {tmp_path / 'reddit'}, skipped",
        f"sni: no folder {tmp_path / 'super_natural_instructions'}, skipped",
    ]


@pytest.mark.slow
def test_the_sample_sources_give_the_same_outcomes_in_parallel(repo_root: Path, monkeypatch):
    one = extract(repo_root, {"sources.stackexchange.workers": 1})
    monkeypatch.setattr(executor, "PARALLEL_MIN_BYTES", 0)
    two = extract(repo_root, {"sources.stackexchange.workers": 2})
    assert [dumps(e.to_dict()) for e in two[0]] == [dumps(e.to_dict()) for e in one[0]]
    assert [dumps(row) for row in two[1].rows] == [dumps(row) for row in one[1].rows]
    assert two[1].table() == one[1].table() and two[2] == one[2]
    assert {e.source for e in one[0]} == {"stackexchange", "wikihow", "writingprompts", "askreddit", "sni"}
