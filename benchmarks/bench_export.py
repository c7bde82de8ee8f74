"""Benchmark: the export stage against writing the same items as bare JSONL.

Fabricates ``--items`` train items (Stack Exchange-like, ~3 KB responses, varied meta)
plus dev/test, then times in one process, best of ``--repeat``:

* ``baseline``: ``records.write_jsonl`` of the Examples (what any stage writes);
* ``splits``: ``export.splits.write_splits`` (fixed schema, provenance string);
* ``lima``: ``export.lima_layout.write_lima_layout`` of the train split;
* ``parquet`` / ``disk``: ``export.formats.write_formats`` with one format each;
* ``card+attribution``: README.md (through huggingface_hub's DatasetCard), LICENSE.md and
  ATTRIBUTION.md;
* ``report``: ``export.report.write_report`` with the TF-IDF map over ``--candidates``
  candidates (embeddings excluded: they are the selection's cost and cached).

Prints each time and its ratio to the baseline.

    python3 benchmarks/bench_export.py --items 10000 --candidates 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lima_curate.records import Example, make_id, write_jsonl  # noqa: E402
from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

WORDS = ("kettle descale citric acid boil water rinse mineral scale heat element vinegar taste "
         "filter brew grind roast bean pressure espresso crema temperature extraction").split()


def text(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def fabricate(n, seed=0):
    import random

    rng = random.Random(seed)
    items = []
    for i in range(n):
        site = f"site{i % 40}.stackexchange.com"
        items.append(Example(
            id=make_id("stackexchange", site, i), source="stackexchange", domain="stem" if i % 2 else "other",
            messages=({"role": "user", "content": text(rng, 90)}, {"role": "assistant", "content": text(rng, 450)}),
            meta={"license": "CC BY-SA 4.0", "url": f"https://{site}/questions/{i}", "quality": rng.random(),
                  "quota": "stackexchange_stem" if i % 2 else "stackexchange_other", "group": site,
                  "terms": "stackexchange", "noncommercial": False, "score": rng.randint(10, 900),
                  "tags": rng.sample(WORDS, 3), "answer_author": f"user{i}",
                  "answer_author_url": f"https://{site}/users/{i}", "selected": True, "rank": i},
        ))
    return items




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from lima_curate.config import load_pipeline
    from lima_curate.export.attribution import write_attribution
    from lima_curate.export.card import write_card, write_licence_file
    from lima_curate.export.formats import write_formats
    from lima_curate.export.lima_layout import write_lima_layout
    from lima_curate.export.report import write_report
    from lima_curate.export.splits import write_splits
    from lima_curate.manifest import build_manifest

    train = fabricate(args.items)
    splits = {"train": train, "dev": train[:50], "test": [e.with_messages(e.messages[:1]) for e in train[:300]]}
    pool = fabricate(args.candidates, seed=1)
    candidates = [e.with_meta(selected=i % 4 == 0) for i, e in enumerate(pool)]
    config = load_pipeline(None, {"name": "bench"})
    manifest = build_manifest(config, command="bench_export", inputs=[], counts=[], quotas={}, selection={},
                              splits=splits, notes=[], outputs=[])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = best_of(args.repeat, lambda: write_jsonl(folder / "base.jsonl", train))
        results = {
            "baseline": base,
            "splits": best_of(args.repeat, lambda: write_splits(folder, splits)),
            "lima": best_of(args.repeat, lambda: write_lima_layout(folder / "lima.jsonl", train)),
            "parquet": best_of(args.repeat, lambda: write_formats(folder, splits, parquet=True)),
            "disk": best_of(args.repeat, lambda: write_formats(folder, splits, save_to_disk=True)),
            "card+attribution": best_of(args.repeat, lambda: (
                write_card(folder / "README.md", name="bench", splits=splits, manifest=manifest),
                write_licence_file(folder / "LICENSE.md", splits, manifest),
                write_attribution(folder / "ATTRIBUTION.md", [e for s in splits.values() for e in s]))),
        }
        write_jsonl(folder / "candidates.jsonl", candidates)
        (folder / "manifest.json").write_text(json.dumps(manifest))
        results["report"] = best_of(1, lambda: write_report(folder, projection="tfidf"))
        size = (folder / "report.html").stat().st_size
    print(f"items={args.items} (+{len(splits['dev'])} dev, {len(splits['test'])} test) "
          f"candidates={args.candidates} repeat={args.repeat}")
    for name, seconds in results.items():
        print(f"{name:18s} {seconds:8.3f} s   x{seconds / base:6.2f} baseline")
    print(f"report.html {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
