"""Every source the pipeline can run, by plain import: name -> extractor, raw folder, quotas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lima_curate.sources import sni
from lima_curate.sources.reddit import extract as reddit
from lima_curate.sources.stackexchange import extract as stackexchange
from lima_curate.sources.wikihow import extract as wikihow


@dataclass(frozen=True)
class Source:
    """A source: its section under ``sources:``, its folder in the raw dir, the quotas it feeds."""

    name: str
    folder: str
    quotas: tuple[str, ...]
    extract: Callable


SOURCES: tuple[Source, ...] = (
    Source("stackexchange", "stackexchange", ("stackexchange_stem", "stackexchange_other"), stackexchange.extract),
    Source("wikihow", "wikihow", ("wikihow",), wikihow.extract),
    Source("reddit", "reddit", ("writingprompts", "askreddit"), reddit.extract),
    Source("sni", "super_natural_instructions", ("sni",), sni.extract),
)
