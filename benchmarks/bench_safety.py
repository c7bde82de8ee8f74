"""Bounded cost on hostile input: each case against the old behaviour or a bare baseline, in one run.

* ``ndjson``: one NDJSON line of ``--line-mb`` MB read by ``pushshift.iter_records``, against
  reading the file and ``json.loads`` of the line (the old reader joined the line once per
  64 KiB chunk: quadratic);
* ``regex``: wikiHow ``strip_artifacts`` on a run of blanks, the old expression at 5 and 10 KB
  (quadratic: a 1 MB cell never ends) and the new one at 1 MB;
* ``xml``: peak memory growth reading a Posts.xml made mostly of elements that are not rows,
  as a multiple of the file's size (33x before);
* ``rejects``: bytes of ``rejected.jsonl`` for a ``.zst`` of 400,000 malformed lines;
* ``embed``: encoding one 1 MB text, whole against cut before tokenizing (same vector).

Run: ``python benchmarks/bench_safety.py`` (``--skip-embed`` without the model).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

from timing import best_of

OLD_SCRAPE = re.compile(  # the expression before it was made linear
    r"(?:\s*\[\d{1,3}\])?\s*\bX\s+Trustworthy\s+[Ss]ource\b.*?\bGo to source"
    r"|(?:\s*\[\d{1,3}\])?\s*\bX\s+Expert\s+[Ss]ource\b.*?\bExpert Interview\.\s*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\.?"
    r"|(?:\s*\[\d{1,3}\])?\s*\bX\s+Research\s+[Ss]ource\b(?:\s+\S*https?:/\S*)?"
    r"|\s*\bX\s+(?:Expert|Research|Trustworthy)(?:\s+[Ss]ource)?\s*$"
    r"|\s*\[\d{1,3}\]"
    r'|\s*\{"smallUrl":.*?"\}',
    re.DOTALL,
)


def bench_ndjson(folder: Path, megabytes: int) -> list[tuple[str, float]]:
    from lima_curate.sources.reddit import pushshift

    path = folder / "RS_long.ndjson"
    path.write_text(json.dumps({"id": "s1", "title": "t", "selftext": "x" * (megabytes << 20)}) + "\n")
    baseline = best_of(3, lambda: json.loads(path.read_text()))
    reader = best_of(3, lambda: list(pushshift.iter_records(path)))
    return [(f"baseline: read + json.loads of one {megabytes} MB line", baseline),
            (f"pushshift.iter_records of the same line", reader)]


def bench_regex() -> list[tuple[str, float]]:
    from lima_curate.sources.wikihow.article import strip_artifacts

    rows = []
    for size in (5_000, 10_000):
        text = "[" + " " * size + "x"
        rows.append((f"old expression, {size // 1000} KB of blanks", best_of(1, lambda: OLD_SCRAPE.sub("", text))))
    text = "[" + " " * (1 << 20) + "x"
    rows.append(("strip_artifacts now, 1 MB of blanks", best_of(3, lambda: strip_artifacts(text))))
    return rows


def bench_xml(folder: Path) -> tuple[float, float]:
    path = folder / "Posts.xml"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n<row Id="1"/>\n')
        handle.write('<x a="1"/>' * 800_000 + "<group>" + "<y/>" * 400_000 + '<row Id="2"/></group>\n</posts>\n')
    script = textwrap.dedent(f"""
        import resource
        from lima_curate.sources.stackexchange.dump import iter_rows
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sum(1 for _ in iter_rows({str(path)!r}, "Posts.xml"))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    grown_kb = int(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    return path.stat().st_size / (1 << 20), grown_kb / 1024


def bench_rejects(folder: Path) -> tuple[int, int, int]:
    import zstandard

    from lima_curate.config import RedditConfig
    from lima_curate.rejects import Rejects
    from lima_curate.sources.reddit import extract as reddit

    root = folder / "reddit"
    root.mkdir()
    blob = zstandard.ZstdCompressor(level=19).compress(b"this is not json\n" * 400_000)
    (root / "WritingPrompts_comments.zst").write_bytes(blob)
    rejects = Rejects(folder / "rejected.jsonl")
    list(reddit.extract(root, RedditConfig(), rejects, stats=Counter()))
    rejects.close()
    return len(blob), (folder / "rejected.jsonl").stat().st_size, sum(rejects.dropped.values())


def bench_embed() -> list[tuple[str, float]]:
    from lima_curate.config import EmbeddingConfig
    from lima_curate.select.embed import Embedder, cut_for_model

    embedder = Embedder(EmbeddingConfig(cache_dir="", device="cpu"))
    model = embedder.model
    huge = "coffee grind water ratio " * 45_000  # about 1.1 MB
    whole = best_of(3, lambda: model.encode([huge]))
    cut = best_of(3, lambda: model.encode([cut_for_model(huge, model)]))
    return [("encode one 1.1 MB text whole (baseline)", whole), ("encode it cut before tokenizing", cut)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--line-mb", type=int, default=60)
    parser.add_argument("--skip-embed", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print("| case | seconds | × first row |\n|---|---|---|")
        for rows in (bench_ndjson(folder, args.line_mb), bench_regex(),
                     [] if args.skip_embed else bench_embed()):
            first = rows[0][1] if rows else 1.0
            for name, seconds in rows:
                print(f"| {name} | {seconds:.3f} | {seconds / first:.2f} |")
        size_mb, grown_mb = bench_xml(folder)
        print(f"\nxml: {size_mb:.1f} MB of non-row markup, memory grew {grown_mb:.0f} MB ({grown_mb / size_mb:.1f}x the file)")
        compressed, written, counted = bench_rejects(folder)
        print(f"rejects: a {compressed:,}-byte .zst of {counted:,} bad lines wrote a {written:,}-byte rejected.jsonl")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
