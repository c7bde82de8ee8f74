"""Benchmark: the rates of a real-data build's stages, to say what a full run costs.

Runs the stages of ``lima-curate build pipelines/lima.yaml --raw ../shared/realdata`` one
by one in this process and reports each one's rate beside a baseline measured in the
same run:

* extraction, per source: input MiB/s, against reading the same files' bytes;
* Stack Exchange, a Posts.xml of ``--se-mib`` MiB tiled from the real sites (as
  bench_stackexchange.py makes it), read from its folder and from ``<site>.7z`` (the dump's
  own packing, made here with py7zr): MiB of Posts.xml per second, and the size of the
  rejects it writes;
* embedding every candidate's prompt and response (no cache): texts/s, against a bare
  ``SentenceTransformer.encode`` of the same texts in one call (the build encodes batch by
  batch to show its progress: the ratio is that cost);
* dedup + decontamination + selection on those vectors (``select_stage`` with a warm
  cache): candidates/s.

    python3 benchmarks/bench_scale.py            # about 2-3 minutes on 2 CPU cores
    python3 benchmarks/bench_scale.py --repeat 1

Each figure is the best of ``--repeat`` runs (other jobs share the two cores).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
REALDATA = REPO.parent / "shared" / "realdata"
MIB = 2**20


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def read_all(folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        with open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--se-mib", type=int, default=64, help="size of the tiled Posts.xml read as a folder and as a .7z")
    args = parser.parse_args()
    if not (REALDATA / "SOURCES.md").is_file():
        sys.exit(f"real data not found at {REALDATA}")

    from lima_curate import progress
    from lima_curate.config import load_pipeline
    from lima_curate.executor import Executor
    from lima_curate.rejects import Rejects
    from lima_curate.select.embed import Embedder, embed_texts
    from lima_curate.select.stage import select_stage
    from lima_curate.sources import registry
    from lima_curate.sources.outcome import collect

    progress.configure("off")
    logging.getLogger("lima_curate").setLevel(logging.ERROR)  # the real data's short quotas are known
    config = load_pipeline(REPO / "pipelines" / "lima.yaml")
    print(f"# load average {os.getloadavg()[0]:.2f}; cores {os.cpu_count()}; best of {args.repeat}", flush=True)
    print("| step | input | seconds | rate | × baseline time |\n|---|---|---|---|---|")

    candidates = []
    for source in registry.SOURCES:
        root = REALDATA / source.folder
        size = folder_bytes(root)
        source_config = getattr(config.sources, source.name)
        baseline = best_of(args.repeat, lambda: read_all(root))
        found: list = []

        def extract() -> None:
            found.clear()
            results = Executor(1).run(source.units(root, source_config, config.seed))
            stream = (outcome for unit_results in results for outcome in unit_results)
            if source.finish is not None:
                stream = source.finish(stream)
            found.extend(collect(stream, Rejects()))

        seconds = best_of(args.repeat, extract)
        candidates += found
        print(f"| extract {source.name} ({len(found)} kept) | {size / MIB:.1f} MiB | {seconds:.2f} | "
              f"{size / MIB / seconds:.1f} MiB/s | {seconds / baseline:.0f} |", flush=True)

    with tempfile.TemporaryDirectory() as work:
        import py7zr
        from bench_stackexchange import tile

        from lima_curate.sources.stackexchange import extract as stackexchange

        plain, packed = Path(work) / "plain", Path(work) / "packed"
        posts = plain / "tiled.stackexchange.com" / "Posts.xml"
        tile(posts, args.se_mib * MIB)
        packed.mkdir()
        archive = packed / "tiled.stackexchange.com.7z"
        with py7zr.SevenZipFile(archive, "w") as zipped:
            zipped.write(posts, "Posts.xml")
        size, rejects_file = posts.stat().st_size, Path(work) / "rejected.jsonl"

        def from_folder(root: Path) -> None:
            rejects = Rejects(rejects_file)
            list(stackexchange.extract(root, config.sources.stackexchange, rejects, seed=config.seed))
            rejects.close()

        walk = best_of(args.repeat, lambda: read_all(plain))
        folder_time = best_of(args.repeat, lambda: from_folder(plain))
        archive_time = best_of(args.repeat, lambda: from_folder(packed))
        print(f"| extract stackexchange, tiled Posts.xml folder | {size / MIB:.0f} MiB | {folder_time:.2f} | "
              f"{size / MIB / folder_time:.1f} MiB/s | {folder_time / walk:.0f} (reading the bytes) |")
        print(f"| extract stackexchange, the same as `<site>.7z` | {archive.stat().st_size / MIB:.0f} MiB 7z | "
              f"{archive_time:.2f} | {size / MIB / archive_time:.1f} MiB/s of XML | "
              f"{archive_time / folder_time:.2f} (the folder) |")
        print(f"| rejected.jsonl of that site | {rejects_file.stat().st_size / MIB:.0f} MiB | – | "
              f"{rejects_file.stat().st_size / size:.2f} MiB per MiB of Posts.xml | – |", flush=True)

    texts = [c.prompt for c in candidates] + [c.response for c in candidates]
    chars = sum(len(t) for t in texts) / len(texts)
    embedding = config.select.embedding
    embedder = Embedder(embedding)
    model = embedder.model  # loaded once, outside the timings
    from lima_curate.select.embed import cut_for_model

    def bare() -> None:
        model.encode([cut_for_model(t, model) for t in texts], batch_size=embedding.batch_size,
                     normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    baseline = best_of(args.repeat, bare)
    ours = best_of(args.repeat, lambda: embed_texts(texts, embedding, embedder=embedder, cache=False))
    print(f"| embed, bare `model.encode` | {len(texts)} texts, {chars:.0f} chars on average | {baseline:.1f} | "
          f"{len(texts) / baseline:.1f} texts/s | 1.00 (baseline) |")
    print(f"| embed, `embed_texts` batch by batch | same | {ours:.1f} | {len(texts) / ours:.1f} texts/s | "
          f"{ours / baseline:.2f} |", flush=True)

    with tempfile.TemporaryDirectory() as work:
        warm = load_pipeline(REPO / "pipelines" / "lima.yaml", {"select.embedding.cache_dir": work})
        mined = list(candidates)
        select_stage(warm, mined, [], Rejects())  # fills the cache
        seconds = best_of(args.repeat, lambda: select_stage(warm, mined, [], Rejects()))
        print(f"| dedup + decontaminate + select (warm cache) | {len(mined)} candidates | {seconds:.2f} | "
              f"{len(mined) / seconds:.0f} candidates/s | – |")


if __name__ == "__main__":
    main()
