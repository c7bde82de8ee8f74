"""Every source a pipeline can run, wired by plain imports: its name, raw folder, quotas and work.

A source splits its work into units (``units(root, config, seed, tables=...)``: a site, a
file ...; ``tables``, a build's :class:`~lima_curate.sources.table.TableCache`, where each
unit keeps its measurements table) that :mod:`lima_curate.executor` runs; their outcomes (:mod:`.outcome`) come back in a
fixed order, and ``finish``, when a source has one, runs over them in that order (wikiHow
drops an article met again in a later file there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lima_curate.executor import Unit
from lima_curate.sources import sni
from lima_curate.sources.outcome import Finish
from lima_curate.sources.reddit import extract as reddit
from lima_curate.sources.stackexchange import extract as stackexchange
from lima_curate.sources.wikihow import extract as wikihow


@dataclass(frozen=True)
class Source:
    """A source: its section under ``sources:``, its folder in the raw dir, the quotas its
    candidates compete in, its work units and its finishing step."""

    name: str
    folder: str
    quotas: tuple[str, ...]
    units: Callable[..., list[Unit]]
    finish: "Finish | None" = None


SOURCES: tuple[Source, ...] = (
    Source("stackexchange", "stackexchange", ("stackexchange_stem", "stackexchange_other"), stackexchange.units),
    Source("wikihow", "wikihow", ("wikihow",), wikihow.units, wikihow.drop_duplicates),
    Source("reddit", "reddit", ("writingprompts", "askreddit"), reddit.units),
    Source("sni", "super_natural_instructions", ("sni",), sni.units),
)
