"""How diverse a selection is, against random picks of the same size from the same pool.

Two measures, for the selection and averaged over ``draws`` seeded random samples:
``mean_pairwise_cosine_distance`` (without a pairwise matrix: ``Σ_{i≠j} x_i·x_j = |Σ x_i|² − Σ |x_i|²``)
and ``cluster_coverage``, the share of the ``min(size, pool)`` clusters of a seeded k-means on
(a sample of) the pool that hold a selected item. The k-means runs on one thread: more threads
were up to 9× slower on two shared cores, and one gives the same figures on every machine.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

FIT_SAMPLE = 20_000
ITERATIONS = 30


def mean_pairwise_distance(vectors: np.ndarray) -> float:
    """Mean cosine distance over all pairs of rows (unit vectors); 0 for fewer than two."""
    k = len(vectors)
    if k < 2:
        return 0.0
    rows = np.asarray(vectors, dtype=np.float64)
    total = rows.sum(axis=0)
    pair_sum = float(total @ total) - float(np.einsum("ij,ij->", rows, rows))
    return 1.0 - pair_sum / (k * (k - 1))


def coverage(labels: np.ndarray, clusters: int) -> float:
    return len(np.unique(labels)) / clusters if clusters else 0.0


def diversity_report(
    vectors: np.ndarray,
    selected: np.ndarray,
    *,
    seed: int = 0,
    draws: int = 5,
    fit_sample: int = FIT_SAMPLE,
) -> dict[str, Any]:
    """Selection vs random baseline on the pool ``vectors``; a plain, JSON-ready dict."""
    pool, size = len(vectors), len(selected)
    report: dict[str, Any] = {"pool": pool, "selected": size, "random_draws": draws}
    if size == 0 or pool == 0:
        report.update(mean_pairwise_cosine_distance=None, cluster_coverage=None)
        return report
    rng = np.random.default_rng(seed)
    samples = [np.sort(rng.choice(pool, size=size, replace=False)) for _ in range(max(draws, 1))]
    clusters = min(size, pool)
    whole_pool = size >= pool  # the selection is the pool: both measures are trivially equal
    kmeans = None
    if not whole_pool and clusters > 1:
        kmeans = fit_clusters(vectors, clusters, seed=seed, fit_sample=fit_sample)

    def covered(rows: np.ndarray) -> float:
        if kmeans is None:
            return 1.0
        return coverage(kmeans.predict(vectors[rows]), clusters)

    selected = np.sort(np.asarray(selected, dtype=np.int64))
    random_distance = [mean_pairwise_distance(vectors[rows]) for rows in samples]
    with one_thread():
        random_coverage = [covered(rows) for rows in samples]
        selected_coverage = covered(selected)
    report["mean_pairwise_cosine_distance"] = {
        "selected": _round(mean_pairwise_distance(vectors[selected])),
        "random": _round(float(np.mean(random_distance))),
    }
    report["cluster_coverage"] = {
        "clusters": clusters,
        "selected": _round(selected_coverage),
        "random": _round(float(np.mean(random_coverage))),
    }
    return report


def fit_clusters(vectors: np.ndarray, clusters: int, *, seed: int = 0, fit_sample: int = FIT_SAMPLE) -> Any:
    """A fitted ``sklearn.cluster.KMeans`` with ``clusters`` centres on (a seeded sample of) ``vectors``."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    rows = np.arange(len(vectors))
    if len(rows) > max(fit_sample, clusters):
        rows = np.sort(np.random.default_rng(seed).choice(len(vectors), size=max(fit_sample, clusters), replace=False))
    model = KMeans(n_clusters=clusters, init="k-means++", n_init=1, max_iter=ITERATIONS, random_state=seed)
    with warnings.catch_warnings(), one_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)  # fewer distinct rows than clusters: coverage shows it
        return model.fit(np.asarray(vectors[rows], dtype=np.float32))


def one_thread() -> Any:
    """One OpenMP and one BLAS thread for scikit-learn's k-means (see the module docstring)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _round(value: float) -> float:
    return float(round(value, 6)) if math.isfinite(value) else value
