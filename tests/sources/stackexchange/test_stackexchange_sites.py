"""Which sites are read and how they are stratified; the config settings they use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lima_curate.config import StackExchangeConfig, load_pipeline
from lima_curate.errors import InputError
from lima_curate.rejects import Rejects
from lima_curate.sources.stackexchange import sites as se_sites
from lima_curate.sources.stackexchange.extract import extract

CONFIG = StackExchangeConfig(workers=1)
COOKING = "cooking.stackexchange.com"


def run(root: Path, config: StackExchangeConfig = CONFIG) -> tuple[list, Rejects]:
    rejects = Rejects()
    return list(extract(root, config, rejects)), rejects




def test_site_table_covers_the_network():
    table = se_sites.site_table()
    assert len(table) >= 170
    assert set(table.values()) == {"stem", "other"}
    for site in ("stackoverflow.com", "math.stackexchange.com", "physics.stackexchange.com", "mathoverflow.net",
                 "quantumcomputing.stackexchange.com", "cardano.stackexchange.com", "superuser.com"):
        assert table[site] == "stem", site
    for site in ("english.stackexchange.com", "cooking.stackexchange.com", "travel.stackexchange.com",
                 "coffee.stackexchange.com", "beer.stackexchange.com"):
        assert table[site] == "other", site


def test_site_domain_overrides_and_default():
    assert se_sites.site_domain("cooking.stackexchange.com", CONFIG) == "other"
    assert se_sites.site_domain("brandnew.stackexchange.com", CONFIG) == "other"
    assert se_sites.site_domain("brandnew.stackexchange.com", StackExchangeConfig(default_domain="stem")) == "stem"
    assert se_sites.site_domain("cooking.stackexchange.com", StackExchangeConfig(stem_sites=("cooking",))) == "stem"
    override = StackExchangeConfig(other_sites=("physics.stackexchange.com",))
    assert se_sites.site_domain("physics.stackexchange.com", override) == "other"


def test_config_section_loads_from_yaml(tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("sources:\n  stackexchange:\n    stem_sites: [cooking]\n    include_meta_sites: true\n")
    config = load_pipeline(path).sources.stackexchange
    assert config.stem_sites == ("cooking",) and config.include_meta_sites is True


def test_sites_filter_and_meta_sites(tmp_path: Path, repo_root: Path):
    raw = repo_root / "raw" / "stackexchange"
    only, _ = run(raw, StackExchangeConfig(workers=1, sites=("cooking",)))
    assert {e.meta["site"] for e in only} == {COOKING}
    with pytest.raises(InputError, match="'chess' not found"):
        run(raw, StackExchangeConfig(workers=1, sites=("chess",)))
    shutil.copytree(raw / COOKING, tmp_path / f"meta.{COOKING}")
    assert run(tmp_path)[0] == []  # meta sites are skipped by default
    assert {e.meta["site"] for e in run(tmp_path, StackExchangeConfig(workers=1, include_meta_sites=True))[0]} == {
        f"meta.{COOKING}"
    }
    assert se_sites.is_meta_site("coffee.meta.stackexchange.com") and not se_sites.is_meta_site(COOKING)
