"""Benchmark diverse selection and near-duplicate search on synthetic 384-d unit vectors.

Each measurement runs in its own subprocess, so its peak resident memory (ru_maxrss) is
its own; the vectors themselves are counted in it (N × 384 × 4 bytes: 1.43 GiB at 1M).
Vectors are a seeded mixture of 2,000 clusters (like topics) with noise, float32,
L2-normalised; planted near duplicates are lightly perturbed copies.

    python3 benchmarks/bench_select.py                      # the table in RESULTS.md
    python3 benchmarks/bench_select.py --only select --sizes 10000
    python3 benchmarks/bench_select.py --one select --n 1000000 --k 750   # one run, JSON out
    git worktree add /tmp/before 777952d    # the code before faiss / scikit-learn
    python3 benchmarks/bench_select.py --only kmeans --before /tmp/before
    python3 benchmarks/bench_select.py --only dedup --before /tmp/before

Baselines in the same run: a seeded random choice of k items (selection), one blocked
matrix product pass over the same vectors (near-duplicate search) and, with ``--before``,
the hand-written IVF index and spherical k-means this project used before (``ivf-before``,
``numpy-before``), imported from that checkout in their own subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DIM = 384
CLUSTERS = 2000


def synthetic(n: int, *, seed: int = 0, dim: int = DIM, chunk: int = 100_000) -> np.ndarray:
    """``n`` unit rows shaped like sentence embeddings, built in chunks (no float64 N×d copy).

    Row = 0.4·shared direction + 0.7·its cluster centre + 0.6·noise (unit parts), then
    normalised: two random rows have cosine ~0.16, two of one cluster ~0.64.
    """
    rng = np.random.default_rng(seed)

    def unit(rows: np.ndarray) -> np.ndarray:
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    shared = unit(rng.standard_normal((1, dim), dtype=np.float32))
    centres = unit(rng.standard_normal((CLUSTERS, dim), dtype=np.float32))
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        which = rng.integers(0, CLUSTERS, stop - start)
        noise = unit(rng.standard_normal((stop - start, dim), dtype=np.float32))
        out[start:stop] = unit(np.float32(0.4) * shared + np.float32(0.7) * centres[which] + np.float32(0.6) * noise)
    return out


def plant_duplicates(vectors: np.ndarray, count: int, *, seed: int = 1) -> np.ndarray:
    """Overwrite ``count`` rows with near copies (cosine ~0.97) of other rows; return the copies."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), size=2 * count, replace=False)
    sources, copies = rows[:count], rows[count:]
    noisy = vectors[sources] + rng.standard_normal((count, vectors.shape[1]), dtype=np.float32) * np.float32(0.013)
    vectors[copies] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return np.sort(copies)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- single runs (in a subprocess)


def plain_greedy_seconds(vectors: np.ndarray, quality_rank: np.ndarray, k: int, weight: float, steps: int) -> float:
    """Time of the plain loop (every distance updated after every pick), measured over
    ``steps`` picks and scaled to ``k``: the baseline the lazy implementation is compared with."""
    distance = np.full(len(vectors), np.inf, dtype=np.float32)
    sims = np.empty(len(vectors), dtype=np.float32)
    score = np.empty(len(vectors), dtype=np.float32)
    pick = int(np.argmax(quality_rank))
    steps = min(steps, k)
    start = time.perf_counter()
    for _ in range(steps):
        np.matmul(vectors, vectors[pick], out=sims)
        np.minimum(distance, np.float32(1.0) - sims, out=distance)
        np.multiply(distance, np.float32(1.0 - weight), out=score)
        score += np.float32(weight) * quality_rank
        score[pick] = -np.inf
        pick = int(np.argmax(score))
    return (time.perf_counter() - start) * k / steps


def run_select(n: int, k: int, groups: int, weight: float) -> dict:
    from lima_curate.select.diversity import kcenter_greedy
    from lima_curate.select.allocate import allocate

    vectors = synthetic(n)
    rng = np.random.default_rng(2)
    quality = rng.random(n)
    ids = [f"c{i:07d}" for i in range(n)]
    labels = rng.integers(0, groups, n) if groups > 1 else None
    caps = None
    if labels is not None:
        sizes = {g: int(c) for g, c in enumerate(np.bincount(labels, minlength=groups))}
        caps = allocate(sizes, k, 3.0)
    start = time.perf_counter()
    np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))
    baseline_s = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    picks = kcenter_greedy(vectors, quality, ids, k, quality_weight=weight, groups=labels, caps=caps,
                           exact_runners_up=50)
    select_s = time.perf_counter() - start
    select_extra = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    from lima_curate.select.diversity import quality_ranks
    from lima_curate.select.neighbors import single_threaded_blas

    ranks = quality_ranks(quality)
    plain_default = plain_greedy_seconds(vectors, ranks, k, weight, 50)
    with single_threaded_blas():
        plain_single = plain_greedy_seconds(vectors, ranks, k, weight, 50)
    from lima_curate.select.report import diversity_report

    start = time.perf_counter()
    report = diversity_report(vectors, picks.selected, seed=0, draws=3)
    report_s = time.perf_counter() - start
    return {
        "n": n, "k": k, "groups": groups, "quality_weight": weight,
        "select_s": round(select_s, 3), "random_baseline_s": round(baseline_s, 5),
        "plain_loop_s": round(plain_default, 2), "plain_loop_1_thread_s": round(plain_single, 2),
        "report_s": round(report_s, 3), "peak_mib": round(peak_mib(), 1),
        "select_extra_mib": round(select_extra / 2**20, 1),
        "vectors_mib": round(vectors.nbytes / 2**20, 1),
        "mean_distance": report["mean_pairwise_cosine_distance"], "coverage": report["cluster_coverage"],
    }


def run_kmeans(n: int, k: int, implementation: str) -> dict:
    """Fit the report's k-means (k clusters, at most 20,000 sampled rows) and measure the
    coverage of a k-center selection and of a random sample of k."""
    from lima_curate.select.diversity import kcenter_greedy

    vectors = synthetic(n)
    quality = np.random.default_rng(2).random(n)
    picks = kcenter_greedy(vectors, quality, [f"c{i:07d}" for i in range(n)], k, quality_weight=0.3).selected
    random_rows = np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))
    if implementation == "sklearn":
        import sklearn.cluster  # noqa: F401 - the import (seconds) is not part of the fit

    start = time.perf_counter()
    if implementation == "sklearn":
        from lima_curate.select.report import FIT_SAMPLE, fit_clusters

        model = fit_clusters(vectors, k, seed=0, fit_sample=FIT_SAMPLE)
        fit_s = time.perf_counter() - start
        label = model.predict
    else:  # the spherical k-means this project wrote itself (select/clusters.py before faiss/sklearn)
        from lima_curate.select.clusters import fit_centroids, nearest_cells

        centroids = fit_centroids(vectors, k, seed=0, fit_sample=20_000, init="kmeans++", iterations=30)
        fit_s = time.perf_counter() - start
        label = lambda rows: nearest_cells(rows, centroids, 1)[:, 0]  # noqa: E731
    return {
        "n": n, "k": k, "kmeans": implementation, "fit_s": round(fit_s, 2),
        "coverage_kcenter": round(len(np.unique(label(vectors[picks]))) / k, 3),
        "coverage_random": round(len(np.unique(label(vectors[random_rows]))) / k, 3),
        "peak_mib": round(peak_mib(), 1),
    }


def run_dedup(n: int, search: str, duplicates: int) -> dict:
    from lima_curate.select.neighbors import best_matches

    if search == "ivf-before":  # the hand-written IVF index (select/ivf.py before faiss)
        from lima_curate.select.ivf import ivf_leader_walk
        from lima_curate.select.dedup import leader_walk
    else:
        from lima_curate.select.leader import ivf_leader_walk, leader_walk

    prompts = synthetic(n, seed=0)
    planted = plant_duplicates(prompts, duplicates)
    order = np.arange(n)
    has_response = np.zeros(n, dtype=bool)  # prompt-only items: one field, to time one search
    responses = prompts  # never searched (no item has a response); no second array in memory
    start = time.perf_counter()
    best_matches(prompts[:4096], prompts)  # baseline: one row block against every row
    one_block_s = time.perf_counter() - start
    start = time.perf_counter()
    if search == "exact":
        drops = leader_walk(prompts, responses, order, has_response, 0.92)
    else:
        drops = ivf_leader_walk(prompts, responses, order, has_response, 0.92)
    search_s = time.perf_counter() - start
    found = {d.dropped for d in drops} | {d.kept for d in drops}
    recall = float(np.mean([c in found for c in planted])) if len(planted) else 1.0
    return {
        "n": n, "search": search, "planted": duplicates, "drops": len(drops), "planted_recall": round(recall, 4),
        "search_s": round(search_s, 2), "one_block_baseline_s": round(one_block_s, 3),
        "peak_mib": round(peak_mib(), 1), "vectors_mib": round(prompts.nbytes / 2**20, 1),
    }


# ---------------------------------------------------------------- driver


def child(args: list[str], timeout: int, before: "str | None" = None) -> dict:
    command = [sys.executable, __file__, *args, *(["--before", before] if before else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"rc {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", choices=("select", "dedup", "kmeans"))
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=750)
    parser.add_argument("--groups", type=int, default=1)
    parser.add_argument("--weight", type=float, default=0.3)
    parser.add_argument("--search", default="exact", choices=("exact", "ivf", "ivf-before"))
    parser.add_argument("--kmeans", default="sklearn", choices=("sklearn", "numpy-before"))
    parser.add_argument("--before", help="A checkout of the code before faiss and scikit-learn (for *-before runs).")
    parser.add_argument("--duplicates", type=int, default=500)
    parser.add_argument("--only", choices=("select", "dedup", "kmeans"))
    parser.add_argument("--kmeans-sizes", type=int, nargs="*", default=[250, 20_000, 100_000])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dedup-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--ivf-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args()
    if args.before and "before" in (args.search + args.kmeans):
        sys.path.insert(0, args.before)  # import the old implementation, not this checkout's
    if args.one == "kmeans":
        print(json.dumps(run_kmeans(args.n, args.k, args.kmeans)))
        return
    if args.one == "select":
        print(json.dumps(run_select(args.n, args.k, args.groups, args.weight)))
        return
    if args.one == "dedup":
        print(json.dumps(run_dedup(args.n, args.search, args.duplicates)))
        return
    print(f"# load average at start: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}", flush=True)
    if args.only in (None, "select"):
        for n in args.sizes:
            for groups in (1, 20):
                result = child(["--one", "select", "--n", str(n), "--k", str(args.k), "--groups", str(groups)], 1800)
                print(json.dumps(result), flush=True)
    if args.only in (None, "dedup"):
        for n in args.dedup_sizes:
            print(json.dumps(child(["--one", "dedup", "--n", str(n), "--search", "exact",
                                    "--duplicates", str(max(n // 200, 10))], 3600)), flush=True)
        for n in args.ivf_sizes:
            for search in ("ivf", *(("ivf-before",) if args.before else ())):
                print(json.dumps(child(["--one", "dedup", "--n", str(n), "--search", search,
                                        "--duplicates", str(max(n // 200, 10))], 3600,
                                       args.before if search == "ivf-before" else None)), flush=True)
    if args.only in (None, "kmeans"):
        for n in args.kmeans_sizes:
            k = min(args.k, max(n * 3 // 5, 2))  # the LIMA build's writingprompts quota: 150 of 250
            for kind in ("sklearn", *(("numpy-before",) if args.before else ())):
                print(json.dumps(child(["--one", "kmeans", "--n", str(n), "--k", str(k), "--kmeans", kind],
                                       3600, args.before if kind == "numpy-before" else None)), flush=True)


if __name__ == "__main__":
    main()
