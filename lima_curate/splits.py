"""The set's three splits, and the rule that puts an item in one (a pipeline decision).

Hand-written items carry their split (``meta["split"]``); a mined item goes where its
quota sends it (``select.quotas.<name>.split``); anything else is training data. Selection
reads the rule to know what to decontaminate, the pipeline to fill the split files.
"""

from __future__ import annotations

from typing import Mapping

from lima_curate.records import META_QUOTA, META_SPLIT, Example

SPLITS = ("train", "dev", "test")


def split_of(example: Example, quota_splits: Mapping[str, str]) -> str:
    """train/dev/test: the item's own split (hand-written items), else its quota's, else train.

    ``quota_splits`` maps a quota name to its split (``SelectConfig.quota_splits``).
    """
    if example.meta.get(META_SPLIT):
        return str(example.meta[META_SPLIT])
    return quota_splits.get(str(example.meta.get(META_QUOTA) or ""), "train")
