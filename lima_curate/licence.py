"""Licences and terms: what each item may be used for, and what the whole set may.

Every item keeps its source's licence (meta ``license``); the set allows only what all its
items allow. Reddit's terms are not a licence and restrict training models, so Reddit items
count as non-commercial. :func:`summarize` combines them for the card; :func:`commercial_gate`
leaves the non-commercial items out of ``--commercial`` builds.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

from lima_curate.records import META_LICENSE, META_NONCOMMERCIAL, META_TERMS, Example

#: Each source's terms notice, by meta ``terms`` key. Short and factual; the card quotes them.
TERMS_NOTICES: dict[str, str] = {
    "stackexchange": (
        "Stack Exchange posts are licensed by their authors under Creative Commons "
        "Attribution-ShareAlike: CC BY-SA 2.5 for content before 2011-04-08, CC BY-SA 3.0 "
        "from 2011-04-08 and CC BY-SA 4.0 from 2018-05-02 (newer dumps give each post's "
        "version in its ContentLicense attribute). Reuse must credit the post (its URL), its "
        "author (name and profile URL) and the licence, and adaptations must be shared under "
        "the same licence; see ATTRIBUTION.md. Since 2024 the data dump is downloaded from a "
        "logged-in Stack Exchange account after accepting Stack Exchange's access terms for "
        "the dump, which address commercial use and training of large language models; check "
        "the terms you accepted before redistributing or training commercially."
    ),
    "wikihow": (
        "wikiHow article text published before 2025-03-24 is licensed under Creative Commons "
        "Attribution-NonCommercial-ShareAlike 3.0 (CC BY-NC-SA 3.0): credit wikiHow and the "
        "article (its URL), no commercial use, adaptations under the same licence. Content "
        "from 2025-03-24 on falls under wikiHow's newer licence terms, which must be checked "
        "separately. Items from wikiHow make the set non-commercial."
    ),
    "reddit": (
        "Reddit posts and comments belong to their authors and are licensed to Reddit under "
        "its User Agreement, not under an open licence. Reddit's User Agreement and its Data "
        "API and developer terms restrict using Reddit content to train machine-learning "
        "models without Reddit's permission, and Pushshift archives carry no licence to "
        "redistribute. Treat these items as research-only and non-commercial."
    ),
    "sni": (
        "Super-NaturalInstructions task definitions are released under Apache-2.0; each task's "
        "instances keep the licence of the dataset they were drawn from (the task file's "
        "'Instance License' field), which may be more restrictive."
    ),
    "authored": (
        "Written by the builders of this set (the paper's 'Group A' and 'Group B' role); "
        "licensed as stated in each item's license field."
    ),
}

#: One-line versions for the end-of-build summary.
TERMS_SHORT: dict[str, str] = {
    "stackexchange": "Stack Exchange: CC BY-SA (2.5/3.0/4.0 by post date); attribution and share-alike; 2024 dump access terms apply",
    "wikihow": "wikiHow: CC BY-NC-SA 3.0 (content before 2025-03-24); non-commercial, share-alike, attribution",
    "reddit": "Reddit: User Agreement and Data API terms; no open licence; model training restricted; research-only",
    "sni": "Super-NaturalInstructions: Apache-2.0, instances under their source datasets' licences",
    "authored": "hand-written: licensed as each item states",
}

#: Where an item's terms come from when its meta has no ``terms`` key.
SOURCE_TERMS: dict[str, str] = {
    "stackexchange": "stackexchange",
    "wikihow": "wikihow",
    "writingprompts": "reddit",
    "askreddit": "reddit",
    "reddit": "reddit",
    "sni": "sni",
    "authored": "authored",
}

_CC_RE = re.compile(
    r"(?i)\b(?:cc|creative\s*commons)[\s_-]*(?:licenses?/)?"
    r"(by(?:[\s_/-]*(?:nc|nd|sa))*)(?:[\s_/-]*(\d(?:\.\d)?))?"
)
_CC_URL_RE = re.compile(r"(?i)creativecommons\.org/licenses/(by(?:-(?:nc|nd|sa))*)/(\d(?:\.\d)?)")
_CC_LONG_RE = re.compile(
    r"(?i)creative\s*commons\s+attribution((?:[\s-]*(?:non-?commercial|no-?deriv\w*|share-?alike))*)"
    r"(?:[\s-]*(\d\.\d))?"
)
_CC_LONG_PARTS = (("non", "nc"), ("no", "nd"), ("share", "sa"))
_CC0_RE = re.compile(r"(?i)\bcc[\s_-]*0\b|publicdomain/zero")
_APACHE_RE = re.compile(r"(?i)\bapache\b")
_MIT_RE = re.compile(r"(?i)\bmit\b")


def licence_id(text: "str | None") -> str:
    """A Hugging Face licence id for a free-text licence ("CC BY-SA 4.0" -> "cc-by-sa-4.0").

    ``"unknown"`` when empty, ``"other"`` when not recognised (e.g. Reddit's terms).
    """
    text = (text or "").strip()
    if not text:
        return "unknown"
    if _CC0_RE.search(text):
        return "cc0-1.0"
    match = _CC_URL_RE.search(text) or _CC_RE.search(text)
    if match:
        parts = re.findall(r"(?i)by|nc|nd|sa", match.group(1))
        version = match.group(2) or ""
        if version and "." not in version:
            version += ".0"
        return "-".join(["cc", *(p.lower() for p in parts), *([version] if version else [])])
    match = _CC_LONG_RE.search(text)
    if match:
        words = re.findall(r"(?i)non-?commercial|no-?deriv\w*|share-?alike", match.group(1))
        parts = [next(code for prefix, code in _CC_LONG_PARTS if word.lower().startswith(prefix)) for word in words]
        version = [match.group(2)] if match.group(2) else []
        return "-".join(["cc", "by", *parts, *version])
    if _APACHE_RE.search(text):
        return "apache-2.0"
    if _MIT_RE.search(text):
        return "mit"
    return "other"


def terms_key(example: Example) -> str:
    """The key of the item's terms notice (meta ``terms``, else from its source)."""
    key = example.meta.get(META_TERMS)
    if key:
        return str(key)
    return SOURCE_TERMS.get(example.source, example.source)


def is_reddit(example: Example) -> bool:
    return terms_key(example) == "reddit"


def refusal_reason(example: Example) -> "str | None":
    """Why the item may not be used commercially, or None when it may."""
    licence = str(example.meta.get(META_LICENSE, "") or "")
    if "nc" in licence_id(licence).split("-"):
        return f"licence {licence} forbids commercial use"
    if is_reddit(example):
        return "Reddit's terms restrict commercial use and model training"
    if example.meta.get(META_NONCOMMERCIAL) is True:
        return f"marked non-commercial ({licence or 'no licence given'})"
    return None


def is_noncommercial(example: Example) -> bool:
    """True when the item may not be used commercially (NC licence, flag, or Reddit)."""
    return refusal_reason(example) is not None


def commercial_gate(examples: Iterable[Example], commercial: bool) -> tuple[list[Example], list[Example]]:
    """Split ``examples`` into ``(kept, refused)``, in order: with ``commercial``, the
    non-commercial ones are refused; without it, none."""
    kept: list[Example] = []
    refused: list[Example] = []
    for example in examples:
        (refused if commercial and is_noncommercial(example) else kept).append(example)
    return kept, refused


def summarize(examples: Iterable[Example]) -> dict[str, Any]:
    """The set's licence: combined id (the one licence every item shares, else ``"other"``),
    per-licence counts, flags and an explanation."""
    ids: Counter[str] = Counter()
    by_terms: Counter[str] = Counter()
    nc = sa = by = reddit = total = 0
    for example in examples:
        total += 1
        lid = licence_id(str(example.meta.get(META_LICENSE, "") or ""))
        ids[lid] += 1
        by_terms[terms_key(example)] += 1
        parts = lid.split("-")
        nc += is_noncommercial(example)
        sa += "sa" in parts
        by += lid.startswith("cc-by")
        reddit += is_reddit(example)
    if not total:
        combined = "unknown"
    elif len(ids) == 1 and not reddit:
        combined = next(iter(ids))
    else:
        combined = "other"
    return {
        "license": combined,
        "licenses": dict(sorted(ids.items())),
        "terms": dict(sorted(by_terms.items())),
        "items": total,
        "noncommercial": nc > 0,
        "noncommercial_items": nc,
        "sharealike": sa > 0,
        "sharealike_items": sa,
        "attribution_items": by,
        "reddit_terms": reddit > 0,
        "reddit_items": reddit,
        "explanation": explain(combined, ids, nc, sa, by, reddit, total),
    }


def explain(combined: str, ids: "Counter[str]", nc: int, sa: int, by: int, reddit: int, total: int) -> str:
    """Plain words for :func:`summarize`'s result."""
    if not total:
        return "The set is empty."
    listing = ", ".join(f"{n} under {lid}" for lid, n in sorted(ids.items()))
    if combined != "other":
        head = f"Every item is under {combined} ({total} items)."
    else:
        head = (
            f"Items keep their own licences ({listing}); each row's `license` field gives its "
            "licence, so the set as a whole is 'other': any use must satisfy every item's terms."
        )
    notes = [head]
    if by:
        notes.append(f"{by} items need attribution (CC BY*): ATTRIBUTION.md lists their URLs and authors.")
    if sa:
        notes.append(f"{sa} items are share-alike: adaptations of them must carry the same licence.")
    if nc:
        notes.append(
            f"{nc} items may not be used commercially (non-commercial licence or Reddit's terms), "
            "so neither may the whole set; rebuild with --commercial to leave them out."
        )
    if reddit:
        notes.append(f"{reddit} items come from Reddit, whose terms restrict training models on its content.")
    return " ".join(notes)


def terms_notices(examples: Iterable[Example]) -> dict[str, str]:
    """The terms notice of every source present, by terms key (sorted)."""
    keys = sorted({terms_key(e) for e in examples})
    return {k: TERMS_NOTICES.get(k, f"No terms notice is known for '{k}'; check the source's terms.") for k in keys}
