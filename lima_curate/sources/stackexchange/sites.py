"""Which Stack Exchange sites are read, and which count as STEM.

``lima_curate/data/se_sites.tsv`` gives each site's ``domain`` (``stem`` or ``other``);
``stem_sites`` and ``other_sites`` in the config override it, and ``default_domain`` covers a site
in neither. Names match in full (``coffee.stackexchange.com``) or, for ``*.stackexchange.com``, by
the first label (``coffee``).
"""

from __future__ import annotations

import functools
import logging
from importlib import resources
from pathlib import Path

from lima_curate.config import StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.sources.stackexchange.dump import SiteDump

SE_SUFFIX = ".stackexchange.com"

log = logging.getLogger(__name__)


def short_name(site: str) -> str:
    """``coffee.stackexchange.com`` -> ``coffee``; other hosts unchanged."""
    site = site.lower()
    return site[: -len(SE_SUFFIX)] if site.endswith(SE_SUFFIX) else site


def is_meta_site(site: str) -> bool:
    """A per-site meta (``meta.coffee.stackexchange.com``, ``coffee.meta.stackexchange.com``)."""
    labels = site.lower().split(".")
    return "meta" in labels[:-2] or site.lower() == "meta.stackexchange.com"


@functools.lru_cache(maxsize=1)
def site_table() -> dict[str, str]:
    """The shipped table: site host name -> ``stem``/``other``."""
    text = resources.files("lima_curate").joinpath("data/se_sites.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("site\t"):
            continue
        site, domain = line.split("\t")
        table[site.strip().lower()] = domain.strip()
    return table


def _matches(site: str, names: tuple[str, ...]) -> bool:
    wanted = {name.lower() for name in names}
    return site.lower() in wanted or short_name(site) in wanted


def site_domain(site: str, config: StackExchangeConfig) -> str:
    """``stem`` or ``other`` for ``site``: config overrides, then the table, then the default."""
    if _matches(site, config.stem_sites):
        return "stem"
    if _matches(site, config.other_sites):
        return "other"
    table = site_table()
    domain = table.get(site.lower()) or table.get(f"{short_name(site)}{SE_SUFFIX}")
    return domain or config.default_domain


def select_sites(sites: list[SiteDump], config: StackExchangeConfig, root: Path) -> list[SiteDump]:
    """The sites to read: those named in ``config.sites``, else all but meta sites (unless
    ``include_meta_sites``)."""
    if config.sites:
        by_name = {}
        for site in sites:
            by_name[site.name.lower()] = site
            by_name.setdefault(short_name(site.name), site)
        chosen = []
        for name in config.sites:
            site = by_name.get(name.lower())
            if site is None:
                known = ", ".join(s.name for s in sites) or "none"
                raise InputError(root, f"site {name!r} not found (found: {known})")
            chosen.append(site)
        return sorted(set(chosen), key=lambda s: s.name)
    kept = [s for s in sites if config.include_meta_sites or not is_meta_site(s.name)]
    for site in sites:
        if site not in kept:
            log.info("%s: skipping meta site %s", root, site.name)
    return kept
