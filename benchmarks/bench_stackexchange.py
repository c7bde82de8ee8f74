"""Benchmark: Stack Exchange extraction against a bare lxml iterparse walk over the same file.

Builds a large Posts.xml by tiling the rows of the real sites in ../shared/realdata
(each tile gets fresh Id/ParentId/AcceptedAnswerId values), then runs, each in its own
process so peak memory (ru_maxrss) is measured per run:

* ``baseline``: ``lxml.etree.iterparse`` over every ``<row/>``, clearing each element
  and deleting earlier siblings, nothing else;
* ``extract``: ``lima_curate.sources.stackexchange.extract.extract`` over the same file (one
  worker), rejects streamed to a file, kept candidates written as JSONL;
* ``parallel``: the same total size split over ``--sites`` site folders, extracted with
  1 worker and with ``--workers`` workers;
* ``first``: the same extraction keeping the site's measurements table in a cache folder
  emptied before (what a build's first run does), in one process and with a helper;
* ``rerun``: a rerun from that table with a changed threshold (``max_answer_chars`` 3500:
  fewer kept, nothing new to measure), and ``rerun-wider`` (``min_answer_chars`` 1000:
  the newly admitted answers are measured from the table's HTML and the table saved),
  which read no dump;
* with ``--before DIR`` (a copy of an earlier version of the package, e.g. made by
  ``git archive <commit> | tar -x -C DIR``), every extract run is also made with that
  version, alternating with the current one, so the two are compared in the same run.

Reports the throughput ratio baseline_time / extract_time (target >= 0.5), the cost of a
rerun as a share of the first run (target < 5%) and peak memory (target < 300 MB).
Generated files go to benchmarks/work/ (git-ignored) and are reused by later runs of
the same size.

    python3 benchmarks/bench_stackexchange.py --size-mb 1024
    python3 benchmarks/bench_stackexchange.py --size-mb 50 --sites 4 --workers 2   # quick
    python3 benchmarks/bench_stackexchange.py --size-mb 256 --before /tmp/before     # before/after
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REALDATA = REPO.parent / "shared" / "realdata" / "stackexchange"
ID_ATTRS = re.compile(rb'\b(Id|ParentId|AcceptedAnswerId)="(\d+)"')
SLOT = 1_000_000  # id space per (tile, site); the real sites' ids stay far below this


def real_rows() -> list[list[bytes]]:
    """The <row .../> lines of each real site's Posts.xml."""
    sites = sorted(REALDATA.glob("*/Posts.xml"))
    if not sites:
        sys.exit(f"real data not found under {REALDATA}")
    out = []
    for path in sites:
        rows = [line for line in path.read_bytes().splitlines(keepends=True) if line.lstrip().startswith(b"<row ")]
        out.append(rows)
    return out


def tile(path: Path, size_bytes: int, first_slot: int = 0) -> int:
    """Write a Posts.xml of at least ``size_bytes`` by tiling the real rows; return rows written."""
    sites = real_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    written = rows = 0
    slot = first_slot
    with open(tmp, "wb") as out:
        head = b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        out.write(head)
        written += len(head)
        while written < size_bytes:
            for site_rows in sites:
                offset = slot * SLOT
                slot += 1
                shift = lambda m: b'%s="%d"' % (m.group(1), int(m.group(2)) + offset)  # noqa: E731
                chunk = b"".join(ID_ATTRS.sub(shift, line) for line in site_rows)
                out.write(chunk)
                written += len(chunk)
                rows += len(site_rows)
        out.write(b"</posts>\n")
    os.replace(tmp, path)
    return rows


def ensure_file(path: Path, size_bytes: int) -> None:
    marker = path.with_suffix(".size")
    if path.is_file() and marker.is_file() and marker.read_text() == str(size_bytes):
        return
    start = time.perf_counter()
    rows = tile(path, size_bytes)
    marker.write_text(str(size_bytes))
    print(f"  generated {path} ({path.stat().st_size / 2**20:.0f} MiB, {rows} rows) in {time.perf_counter() - start:.0f} s")


# ---------------------------------------------------------------- runs (each in a child process)


def run_baseline(posts: str) -> dict:
    from lxml import etree

    start, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with open(posts, "rb") as handle:
        for _, element in etree.iterparse(handle, events=("end",), tag="row", huge_tree=True,
                                          resolve_entities=False, no_network=True, load_dtd=False):
            rows += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "rows": rows}


RERUNS = {"rerun": {"max_answer_chars": 3500}, "rerun-wider": {"min_answer_chars": 1000}}


def run_extract(root: str, workers: int, cache: str = "", change: str = "") -> dict:
    """One extraction; with ``cache``, keeping the measurements table there; ``change`` names
    a threshold change of :data:`RERUNS`."""
    from lima_curate.config import StackExchangeConfig
    from lima_curate.records import write_jsonl
    from lima_curate.rejects import Rejects
    try:
        from lima_curate.sources.stackexchange.extract import extract
    except ImportError:  # a package from before sources/ had a folder per source
        from lima_curate.sources.stackexchange import extract

    try:
        from lima_curate.sources.table import TableCache
    except ImportError:  # a package from before the measurements tables
        TableCache = None
    import pyarrow
    import pyarrow.compute  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    pyarrow.scalar(0)  # libraries load before the clock starts (pyarrow loads pandas on first use), as lxml for the walk
    tables = TableCache(Path(cache)) if cache and TableCache is not None else None
    config = StackExchangeConfig(workers=workers, **RERUNS.get(change, {}))
    with tempfile.TemporaryDirectory(prefix="bench-se-") as tmp:
        rejects = Rejects(Path(tmp) / "rejected.jsonl")
        start, cpu = time.perf_counter(), time.process_time()
        found = extract(Path(root), config, rejects, tables=tables) if tables else extract(Path(root), config, rejects)
        kept = write_jsonl(Path(tmp) / "kept.jsonl", found)
        rejects.close()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "kept": kept, "dropped": dict(sorted(rejects.reasons_for("extract").items()))}


def child(kind: str, *args: str, package: "Path | None" = None) -> dict:
    """Run one measurement in a fresh interpreter (importing lima_curate from ``package`` when
    given); add its peak memory (itself and its workers)."""
    code = (
        "import json, resource, sys; sys.path.insert(0, %r); import bench_stackexchange as b; "
        "r = b.run_%s(*%r); import lima_curate; r['package'] = lima_curate.__file__; "
        "r['peak_mb'] = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024; print(json.dumps(r))"
    ) % (str(HERE), kind, tuple(int(a) if a.isdigit() else a for a in args))
    env = dict(os.environ, PYTHONPATH=str(package)) if package is not None else None
    # run from the package copy's folder: from the repository, Python would import the
    # repository's lima_curate ahead of PYTHONPATH (the current folder comes first)
    where = package if package is not None else REPO
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=where, env=env)
    if result.returncode != 0:
        sys.exit(result.stderr)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if not Path(found.pop("package")).is_relative_to(where):
        sys.exit(f"the run imported lima_curate from outside {where}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the generated Posts.xml (MiB)")
    parser.add_argument("--sites", type=int, default=4, help="sites for the parallel run (0 skips it)")
    parser.add_argument("--workers", type=int, default=2, help="workers for the parallel run")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="folder for generated dumps")
    parser.add_argument("--rounds", type=int, default=2, help="repeat each run; the best time counts")
    parser.add_argument("--before", type=Path, help="also run every extract with the package copy in this folder")
    parser.add_argument("--rerun", action="store_true", help="also time a first run with a measurements table, "
                                                             "and reruns from it with changed thresholds")
    args = parser.parse_args()
    versions = [("", None)] + ([(" [before]", args.before.resolve())] if args.before else [])
    size = args.size_mb * 2**20

    print(f"Stack Exchange extraction benchmark, {args.size_mb} MiB, python {sys.version.split()[0]}, {os.cpu_count()} cores")
    single = args.work / "se-single"
    posts = single / "bench.stackexchange.com" / "Posts.xml"
    ensure_file(posts, size)
    mib = posts.stat().st_size / 2**20
    runs: dict[str, list[dict]] = {}
    kinds = [("baseline", ("baseline", str(posts)), None)] + [
        (f"extract-{w}{tag}", ("extract", str(single), str(w)), package)
        for w in sorted({1, args.workers}) for tag, package in versions
    ]
    for round_number in range(args.rounds):  # alternate the runs; keep each one's best time
        for name, call, package in kinds:
            runs.setdefault(name, []).append(child(*call, package=package))
    print(f"  load average during the runs: {os.getloadavg()[0]:.1f} (1 min)")
    base = min(runs["baseline"], key=lambda r: r["seconds"])
    print(f"  baseline iterparse: best {base['seconds']:.1f} s ({mib / base['seconds']:.0f} MiB/s) of "
          f"{[round(r['seconds'], 1) for r in runs['baseline']]}, {base['rows']} rows, peak {base['peak_mb']:.0f} MB; "
          f"CPU of the process, best {min(r['cpu'] for r in runs['baseline']):.1f} s")
    for name, _, _ in kinds[1:]:
        workers = int(name.split("-")[1].split(" ")[0])
        ours = min(runs[name], key=lambda r: r["seconds"])
        label = "1 process" if workers == 1 else f"{workers} processes (scan + {workers - 1} measuring answers)"
        label += name[len(f"extract-{workers}"):]
        print(f"  extract, {label}: best {ours['seconds']:.1f} s ({mib / ours['seconds']:.0f} MiB/s) of "
              f"{[round(r['seconds'], 1) for r in runs[name]]}, kept {ours['kept']}, "
              f"peak {max(r['peak_mb'] for r in runs[name]):.0f} MB per process; "
              f"ratio baseline/extract {base['seconds'] / ours['seconds']:.2f} (target >= 0.5); CPU of the main "
              f"process, best {min(r['cpu'] for r in runs[name]):.1f} s")
    print(f"  dropped: {ours['dropped']}")

    if args.rerun:
        cache = args.work / "se-cache"
        first, helped, reruns = [], [], {name: [] for name in RERUNS}
        for round_number in range(args.rounds):
            shutil.rmtree(cache, ignore_errors=True)
            helped.append(child("extract", str(single), "2", str(cache), ""))  # scan + 1 helper, as a build on 2 cores
            shutil.rmtree(cache, ignore_errors=True)
            first.append(child("extract", str(single), "1", str(cache), ""))
            for name in RERUNS:
                reruns[name].append(child("extract", str(single), "1", str(cache), name))
            shutil.rmtree(cache, ignore_errors=True)  # the wider rerun saved new measurements: start again
        cold = min(first, key=lambda r: r["seconds"])
        print(f"  measurements table (load average {os.getloadavg()[0]:.1f}): first run, 1 process, best "
              f"{cold['seconds']:.1f} s of {[round(r['seconds'], 1) for r in first]}, kept {cold['kept']}, "
              f"ratio baseline/first {base['seconds'] / cold['seconds']:.2f} (target >= 0.5)")
        fast = min(helped, key=lambda r: r["seconds"])
        print(f"    first run, scan + 1 helper: best {fast['seconds']:.1f} s of "
              f"{[round(r['seconds'], 1) for r in helped]}, kept {fast['kept']}, "
              f"ratio baseline/first {base['seconds'] / fast['seconds']:.2f} (target >= 0.5)")
        for name, changed in RERUNS.items():
            best = min(reruns[name], key=lambda r: r["seconds"])
            print(f"    {name} {changed}: best {best['seconds']:.2f} s of {[round(r['seconds'], 2) for r in reruns[name]]}, "
                  f"kept {best['kept']}, {100 * best['seconds'] / cold['seconds']:.1f}% of the first run (target < 5%); "
                  f"CPU {best['cpu']:.2f} s")

    if args.sites:
        multi = args.work / f"se-multi-{args.sites}"
        files = [multi / f"site{number}.stackexchange.com" / "Posts.xml" for number in range(args.sites)]
        for path in files:
            ensure_file(path, size // args.sites)
        walks, multi_runs = [], {}
        for round_number in range(args.rounds):
            walks.append(sum(child("baseline", str(path))["seconds"] for path in files))
            for workers in (1, args.workers):
                for tag, package in versions:
                    result = child("extract", str(multi), str(workers), package=package)
                    multi_runs.setdefault((workers, tag), []).append(result)
        walk = min(walks)
        print(f"  {args.sites} sites x {args.size_mb // args.sites} MiB (load average {os.getloadavg()[0]:.1f}): "
              f"baseline walk of the {args.sites} files one after another, best {walk:.1f} s of {[round(w, 1) for w in walks]}")
        for (workers, tag), results in multi_runs.items():
            best = min(results, key=lambda r: r["seconds"])
            print(f"    {workers} worker(s){tag}: best {best['seconds']:.1f} s of {[round(r['seconds'], 1) for r in results]}, "
                  f"kept {best['kept']}, peak per process {best['peak_mb']:.0f} MB; "
                  f"ratio baseline/extract {walk / best['seconds']:.2f}")


if __name__ == "__main__":
    main()
