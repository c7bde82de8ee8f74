"""Pushshift reading: throughput of the Reddit reader + extractor against a bare baseline.

Builds a zstandard NDJSON dump of a given size by tiling lines with fresh ids: the real
Pushshift lines of ``../shared/realdata/reddit/pushshift_ndjson`` (mixed subreddits) in
every tile, and the r/WritingPrompts + r/AskReddit sample lines of ``raw/reddit/pushshift``
in one tile out of ``--wanted-every`` (so that the extractor's own work — rules,
scrubbing, pairing, language checks — is part of the measurement, at a share of
lines still far above the real one). Then, each in a fresh process:

* ``baseline``: zstandard ``stream_reader`` (2 GiB window) + ``json.loads`` of every line;
* ``extract-json``: ``lima_curate.sources.reddit.extract`` over a folder holding the dump
  (decompress, decode, parse every line, route, apply the rules, pair, rejects to a file),
  parsing with ``json``;
* ``extract``: the same with the default parser (orjson when installed).

It prints throughput (MB/s of uncompressed NDJSON; the fastest of ``--repeat`` interleaved
runs), the ratio extract/baseline, and each kind's peak RSS (VmHWM), for every
``--sizes-mb`` value, so that memory can be compared across input sizes. Run from the repository root:

    python3 benchmarks/bench_pushshift.py --sizes-mb 256 1024

Files go to ``benchmarks/work/`` (git-ignored) unless ``--work`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata" / "reddit" / "pushshift_ndjson"
SAMPLE = REPO / "raw" / "reddit" / "pushshift"
MARK = "@@K@@"
ID_FIELDS = ("id", "name", "link_id", "parent_id")


def _templates(paths: list[Path]) -> list[str]:
    """Each line as a JSON string whose ids carry a placeholder for the tile number."""
    import zstandard

    out = []
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".zst":
            data = zstandard.ZstdDecompressor().stream_reader(data).read()
        for line in data.decode("utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the sample's deliberately broken line
            for key in ID_FIELDS:
                if isinstance(record.get(key), str) and record[key]:
                    record[key] = record[key] + MARK
            out.append(json.dumps(record, ensure_ascii=False))
    return out


def generate(path: Path, size_mb: int, wanted_every: int) -> dict:
    """Write a .zst dump of about ``size_mb`` MB of NDJSON; return its composition."""
    import zstandard

    real = _templates(sorted(REALDATA.glob("*.ndjson")))
    wanted = _templates(sorted(SAMPLE.glob("*_submissions.ndjson")) + sorted(SAMPLE.glob("*_comments.*")))
    target = size_mb * 1_000_000
    written = lines = wanted_lines = tile = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27, write_checksum=True)
    with open(path, "wb") as handle, zstandard.ZstdCompressor(compression_params=params).stream_writer(handle) as writer:
        while written < target:
            rows = real + (wanted if tile % wanted_every == 0 else [])
            block = "".join(row.replace(MARK, f"x{tile}") + "\n" for row in rows).encode("utf-8")
            writer.write(block)
            written += len(block)
            lines += len(rows)
            wanted_lines += len(rows) - len(real)
            tile += 1
    return {"bytes": written, "lines": lines, "wanted_lines": wanted_lines, "tiles": tile, "compressed": path.stat().st_size}


def child_baseline(path: Path) -> dict:
    import io

    import zstandard

    lines = 0
    start = time.perf_counter()
    with open(path, "rb") as handle:
        reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(handle)
        for line in io.TextIOWrapper(reader, encoding="utf-8"):
            json.loads(line)
            lines += 1
    return {"seconds": time.perf_counter() - start, "lines": lines}


def child_extract(path: Path, parser: str = "default") -> dict:
    from collections import Counter

    from lima_curate.config import RedditConfig
    from lima_curate.rejects import Rejects
    from lima_curate.sources.reddit import pushshift
    from lima_curate.sources.reddit.extract import extract

    if parser == "json":
        pushshift.LOADS = json.loads

    rejects = Rejects(path.parent.parent / f"rejects-{path.parent.name}.jsonl")  # outside the folder read
    stats: Counter = Counter()
    start = time.perf_counter()
    kept = sum(1 for _ in extract(path.parent, RedditConfig(writingprompts_dataset=False), rejects, stats=stats))
    seconds = time.perf_counter() - start
    rejects.close()
    return {"seconds": seconds, "lines": stats["lines"], "kept": kept, "dropped": sum(rejects.dropped.values())}


def _has_orjson() -> bool:
    try:
        import orjson  # noqa: F401
    except ImportError:
        return False
    return True


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the process image, so unlike ru_maxrss
    it does not inherit the parent's peak across fork + exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[256, 1024], help="uncompressed dump sizes to measure")
    parser.add_argument("--wanted-every", type=int, default=100, help="put the WritingPrompts/AskReddit sample lines in one tile out of N")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work" / "pushshift")
    parser.add_argument("--keep", action="store_true", help="keep the generated dumps")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind; the fastest counts")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        if kind == "baseline":
            result = child_baseline(Path(path))
        else:
            result = child_extract(Path(path), "json" if kind == "extract-json" else "default")
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"parent peak RSS before generating: {_peak_rss_mb():.0f} MB")
    for size in args.sizes_mb:
        dump = args.work / f"size{size}" / "RC_bench.zst"
        for stale in dump.parent.glob("*"):
            stale.unlink()
        started = time.perf_counter()
        made = generate(dump, size, args.wanted_every)
        print(f"\n== {made['bytes'] / 1e6:.0f} MB NDJSON ({made['lines']} lines, {made['wanted_lines']} WritingPrompts/AskReddit), "
              f"{made['compressed'] / 1e6:.0f} MB .zst, generated in {time.perf_counter() - started:.0f} s")
        print(f"parent peak RSS after generating: {_peak_rss_mb():.0f} MB")
        runs: dict[str, list[dict]] = {"baseline": [], "extract-json": [], "extract": []}
        for _ in range(args.repeat):  # interleaved, so that load from elsewhere hits all alike
            for kind, done in runs.items():
                done.append(run_child(kind, dump))
        results = {kind: min(done, key=lambda r: r["seconds"]) for kind, done in runs.items()}
        for done in runs.values():
            for result in done:
                result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in done)
        assert {r["lines"] for r in results.values()} == {made["lines"]}, (results, made)
        assert results["extract"]["kept"] == results["extract-json"]["kept"]
        for name, result in results.items():
            rate = made["bytes"] / 1e6 / result["seconds"]
            extra = f", kept {result['kept']}, dropped {result['dropped']}" if "kept" in result else ""
            print(f"{name:12s} {result['seconds']:7.1f} s  {rate:6.1f} MB/s  peak RSS {result['peak_rss_mb']:6.0f} MB{extra}")
        base = results["baseline"]["seconds"]
        print(f"ratio extract/baseline throughput: json {base / results['extract-json']['seconds']:.2f}, "
              f"default ({'orjson' if _has_orjson() else 'json'}) {base / results['extract']['seconds']:.2f}")
        if not args.keep:
            for stale in dump.parent.glob("*"):
                stale.unlink()


if __name__ == "__main__":
    main()
