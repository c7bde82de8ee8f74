"""Reddit: r/WritingPrompts stories (train) and r/AskReddit titles (test prompts).

One work unit reads the Pushshift dumps and thread pages together (:mod:`.harvest`: a submission
and its comments may sit in different files), one more per WritingPrompts dataset file
(:mod:`.dataset`). Text is unescaped and scrubbed of links, usernames and e-mail addresses;
authors stay only in provenance meta.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path
from typing import Iterator

from lima_curate.config import RedditConfig
from lima_curate.errors import InputError
from lima_curate.executor import Unit
from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.sources.outcome import run_units
from lima_curate.sources.reddit.dataset import dataset_outcomes
from lima_curate.sources.reddit.files import discover
from lima_curate.sources.reddit.harvest import harvest_outcomes
from lima_curate.sources.reddit.writingprompts import iter_dataset_csv, iter_dataset_pairs
from lima_curate.sources.table import TableCache


def units(
    root: Path, config: RedditConfig, seed: int = 0, stats: "Counter[str] | None" = None,
    tables: "TableCache | None" = None,
) -> list[Unit]:
    """The work units for ``root`` (see the module docstring). ``stats``, when given, receives
    counts of what was read (lines, submissions, comments, replies skipped, ``more`` stubs,
    dataset rows ...) by units run in this process."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "Reddit folder not found")
    layout = discover(root)
    size = sum(path.stat().st_size for path in (*layout.dumps, *layout.threads))
    found = [Unit(partial(harvest_outcomes, root, layout.dumps, layout.threads, config, seed, stats, tables),
                  size=size)]
    if config.writingprompts_dataset:
        found += [Unit(partial(dataset_outcomes, root, path, [path], partial(iter_dataset_csv, path),
                               config, seed, stats, tables), size=path.stat().st_size)
                  for path in layout.dataset_csvs]
        found += [Unit(partial(dataset_outcomes, root, source, [source, target],
                               partial(iter_dataset_pairs, source, target), config, seed, stats, tables),
                       size=source.stat().st_size + target.stat().st_size)
                  for source, target in layout.dataset_pairs]
    return found


def extract(
    root: Path, config: RedditConfig, rejects: Rejects, *, seed: int = 0, stats: "Counter[str] | None" = None,
    tables: "TableCache | None" = None,
) -> Iterator[Example]:
    """Yield r/WritingPrompts pairs and r/AskReddit test prompts from ``root``; drops go to ``rejects``."""
    yield from run_units(units(root, config, seed, stats, tables), rejects)
