"""report.html: a self-contained page about one build folder.

Counts per source and split, lengths beside the LIMA paper's Table 1, the reject funnel,
the quotas and a 2-D map of the candidate prompts, read from what the build wrote. Charts
are inline SVG (:mod:`.svg`); the page loads nothing, so it opens offline.
"""

from __future__ import annotations

import bisect
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median
from typing import Any, Mapping, Sequence

from lima_curate.atomic import write_text
from lima_curate.errors import InputError
from lima_curate.export import svg
from lima_curate.export.svg import esc
from lima_curate.export.splits import read_split, split_file
from lima_curate.licence import summarize
from lima_curate.manifest import NOT_CHECKED, funnel_rows, stage_rank, stage_rows
from lima_curate.records import META_QUOTA, Example, read_examples
from lima_curate.select.embed import CACHE_BESIDE_OUTPUTS
from lima_curate.splits import SPLITS

REPORT_NAME = "report.html"
NOT_CHECKED_RULE = "not checked"  # items a stage let through without checking them (see manifest.stage_rows)

#: LIMA paper (Zhou et al. 2023), Table 1: (row, split, examples, avg input, avg output) in
#: tokens; None where the paper gives N/A (dev and test have no responses in the paper).
PAPER_TABLE1: tuple[tuple[str, str, int, int, "int | None"], ...] = (
    ("Stack Exchange (STEM)", "train", 200, 117, 523),
    ("Stack Exchange (Other)", "train", 200, 119, 530),
    ("wikiHow", "train", 200, 12, 1811),
    ("Pushshift r/WritingPrompts", "train", 150, 34, 274),
    ("Natural Instructions", "train", 50, 236, 92),
    ("Paper Authors (Group A)", "train", 200, 40, 334),
    ("Paper Authors (Group A)", "dev", 50, 36, None),
    ("Pushshift r/AskReddit", "test", 70, 30, None),
    ("Paper Authors (Group B)", "test", 230, 31, None),
)

#: length histogram bins: [0,1), [1,2), [2,4), ... [2048,4096), [4096, inf) words
BIN_EDGES = (0, 1, *(2 ** k for k in range(1, 13)))
BIN_LABELS = tuple(f"{e // 1024}k" if e >= 1024 else str(e) for e in BIN_EDGES)


@dataclass
class Build:
    """What the report reads from a build folder."""

    folder: Path
    manifest: dict[str, Any]
    splits: dict[str, list[Example]]
    candidates: "list[Example] | None"
    funnel: list[tuple[str, str, str, int]]
    notes: list[str]


# ---------------------------------------------------------------- reading


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(path, f"not valid JSON ({error.msg})", f"{error.lineno}:{error.colno}") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    return data


def load_build(folder: Path, manifest: "Mapping[str, Any] | None" = None) -> Build:
    """Read a build folder (``manifest`` stands in for manifest.json); raises InputError naming the file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no such build folder (run `lima-curate build` first)")
    manifest_path = folder / "manifest.json"
    if manifest is not None:
        manifest = dict(manifest)
    else:
        manifest = _read_json(manifest_path) if manifest_path.is_file() else {}
    paths = {s: split_file(folder, s) for s in SPLITS}
    if not manifest and not any(path.is_file() for path in paths.values()):
        raise InputError(folder, "not a build folder: no manifest.json and no train/dev/test.jsonl")
    notes = [] if manifest else ["manifest.json is missing: build details, quotas and counts are not shown."]
    splits = {s: read_split(path) if path.is_file() else [] for s, path in paths.items()}
    path = folder / "candidates.jsonl"
    candidates = list(read_examples(path)) if path.is_file() else None
    return Build(folder, manifest, splits, candidates, funnel_rows(manifest.get("counts")), notes)


# ---------------------------------------------------------------- measures


def words(text: str) -> int:
    return len(text.split())


def paper_row(example: Example, split: str) -> str:
    """The LIMA Table 1 row an exported item corresponds to."""
    source = example.source
    if split == "dev":
        return "Paper Authors (Group A)" if source == "authored" else source
    if split == "test":
        return {"askreddit": "Pushshift r/AskReddit", "authored": "Paper Authors (Group B)"}.get(source, source)
    if source == "stackexchange":
        stem = example.meta.get(META_QUOTA) == "stackexchange_stem" or example.domain == "stem"
        return "Stack Exchange (STEM)" if stem else "Stack Exchange (Other)"
    return {
        "wikihow": "wikiHow",
        "writingprompts": "Pushshift r/WritingPrompts",
        "sni": "Natural Instructions",
        "authored": "Paper Authors (Group A)",
    }.get(source, source)


def bin_counts(values: Sequence[int]) -> list[int]:
    counts = [0] * len(BIN_EDGES)
    for value in values:
        counts[max(bisect.bisect_right(BIN_EDGES, value) - 1, 0)] += 1
    return counts


def bin_position(value: float) -> float:
    """Where ``value`` falls on the log-2 bin axis (fractional bin index)."""
    if value < 1:
        return value
    return min(1 + math.log2(value), len(BIN_EDGES))


def length_rows(splits: Mapping[str, list[Example]]) -> list[dict[str, Any]]:
    """Per (Table 1 row, split): our counts and mean lengths beside the paper's."""
    groups: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for split in SPLITS:
        for example in splits.get(split, []):
            groups[(paper_row(example, split), split)].append(example)
    paper = {(row, split): (n, i, o) for row, split, n, i, o in PAPER_TABLE1}
    order = [(row, split) for row, split, *_ in PAPER_TABLE1]
    keys = order + sorted(k for k in groups if k not in paper)
    rows = []
    for key in keys:
        items = groups.get(key, [])
        prompts = [words(e.prompt) for e in items]
        responses = [words(e.response) for e in items if e.response]
        paper_n, paper_input, paper_output = paper.get(key, (None, None, None))
        rows.append({
            "row": key[0], "split": key[1], "n": len(items),
            "prompt_mean": mean(prompts) if prompts else None,
            "prompt_median": median(prompts) if prompts else None,
            "response_mean": mean(responses) if responses else None,
            "response_median": median(responses) if responses else None,
            "prompts": prompts, "responses": responses,
            "paper_n": paper_n, "paper_input": paper_input, "paper_output": paper_output,
        })
    return rows


# ---------------------------------------------------------------- html pieces


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:.3f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{esc(_fmt(v))}</td>' if i >= numeric_from else f"<td>{esc(_fmt(v))}</td>"
            for i, v in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>' + "".join(parts) + "</section>"


def para(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def counts_section(build: Build) -> str:
    per = {s: Counter(e.source for e in build.splits[s]) for s in SPLITS}
    sources = sorted(set().union(*per.values()))
    if not sources:
        return section("counts", "Items per source and split", para("The build has no items."))
    chart = svg.stacked_bars(sources, [(s, [per[s][src] for src in sources]) for s in SPLITS],
                             "items per source and split")
    rows = [[src, *(per[s][src] for s in SPLITS), sum(per[s][src] for s in SPLITS)] for src in sources]
    rows.append(["all", *(len(build.splits[s]) for s in SPLITS), sum(len(v) for v in build.splits.values())])
    return section("counts", "Items per source and split", chart, table(["source", *SPLITS, "total"], rows))


def lengths_section(build: Build) -> str:
    rows = length_rows(build.splits)
    summary = table(
        ["Table 1 row", "split", "items", "prompt words (mean)", "prompt words (median)",
         "response words (mean)", "response words (median)", "paper: items", "paper: input tokens",
         "paper: output tokens"],
        [[r["row"], r["split"], r["n"], r["prompt_mean"], r["prompt_median"], r["response_mean"],
          r["response_median"], r["paper_n"], r["paper_input"], r["paper_output"]] for r in rows],
        numeric_from=2,
    )
    charts = []
    for index, r in enumerate(row for row in rows if row["n"]):
        fill = svg.color(index)
        cell = [f"<h3>{esc(r['row'])} · {esc(r['split'])} ({r['n']})</h3>",
                svg.histogram(bin_counts(r["prompts"]), BIN_LABELS, "prompt words", fill=fill,
                              mark=bin_position(r["prompt_mean"]), mark_label=f"mean {r['prompt_mean']:.1f}")]
        if r["responses"]:
            cell.append(svg.histogram(bin_counts(r["responses"]), BIN_LABELS, "response words", fill=fill,
                                      mark=bin_position(r["response_mean"]),
                                      mark_label=f"mean {r['response_mean']:.1f}"))
        charts.append('<div class="cell">' + "".join(cell) + "</div>")
    note = para(
        "Lengths here are whitespace-separated words; the paper's Table 1 (Zhou et al. 2023) gives "
        "average lengths in model tokens, which run about 1.3 per English word (more for code and "
        "markup), so equal lengths show as fewer words than tokens. Histogram bins double in width "
        "(0, 1, 2, 4, … 4k words); the dashed line is the mean."
    )
    return section("lengths", "Prompt and response lengths", note, summary,
                   '<div class="grid">' + "".join(charts) + "</div>")


def funnel_section(build: Build) -> str:
    if not build.funnel:
        return section("funnel", "Reject funnel", para("No counts: the build has no manifest.json with counts."))
    sources = sorted({row[0] for row in build.funnel})
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for source, stage, rule, n in build.funnel:
        cells[(stage, rule)][source] += n
    unchecked = [row for row in stage_rows(build.manifest.get("counts")) if row.not_checked]
    for row in unchecked:
        cells[(row.stage, NOT_CHECKED_RULE)][row.source] += row.not_checked
    keys = sorted(cells, key=lambda k: (stage_rank(k[0]), k[0], k[1] != "kept", k[1] != NOT_CHECKED_RULE, k[1]))
    rows = [[stage, rule, *(cells[(stage, rule)][s] for s in sources), sum(cells[(stage, rule)].values())]
            for stage, rule in keys]
    drops = [(f"{stage}: {rule}", sum(c.values())) for (stage, rule), c in cells.items()
             if rule not in ("kept", NOT_CHECKED_RULE)]
    drops.sort(key=lambda item: (stage_rank(item[0].split(":")[0]), -item[1], item[0]))
    parts = [para("Candidates kept after each stage and dropped by each named rule, per source, stages in "
                  "build order. Every dropped candidate is in rejected.jsonl with its rule and detail.")]
    for stage in sorted({row.stage for row in unchecked}, key=stage_rank):
        if stage in NOT_CHECKED:
            parts.append(para(f"{NOT_CHECKED_RULE} at {stage}: {NOT_CHECKED[stage]}."))
    if drops:
        parts.append("<h3>Dropped per rule (all sources, in build order)</h3>")
        parts.append(svg.bar_chart(drops, "dropped per rule", fill=svg.PALETTE[3]))
    parts.append(table(["stage", "rule", *sources, "total"], rows, numeric_from=2))
    return section("funnel", "Reject funnel", *parts)


def quotas_section(build: Build) -> str:
    quotas = build.manifest.get("quotas") or {}
    if not quotas:
        return section("quotas", "Quotas", para("The manifest lists no quotas."))
    rows = []
    for name, q in sorted(quotas.items()):
        diversity = q.get("diversity") or {}
        distance = diversity.get("mean_pairwise_cosine_distance") or {}
        coverage = diversity.get("cluster_coverage") or {}
        rows.append([name, q.get("split"), q.get("target"), q.get("pool"), q.get("selected"), q.get("shortfall"),
                     distance.get("selected"), distance.get("random"), coverage.get("selected"),
                     coverage.get("random")])
    return section("quotas", "Quotas", para(
        "Diversity of the selected items beside random draws of the same size from the same pool: the "
        "mean pairwise cosine distance of their prompt embeddings, and the share of k-means clusters "
        "of the pool (k = the quota's size) that hold at least one item."),
        table(["quota", "split", "target", "pool", "selected", "shortfall", "distance (selected)",
               "distance (random)", "coverage (selected)", "coverage (random)"], rows, numeric_from=2))


def choose_points(candidates: Sequence[Example], max_points: int, seed: int) -> list[Example]:
    """All selected candidates and a seeded sample of the others, at most ``max_points``, in file order."""
    import numpy as np

    chosen = [i for i, e in enumerate(candidates) if e.meta.get("selected")][:max_points]
    others = [i for i, e in enumerate(candidates) if not e.meta.get("selected")]
    room = max_points - len(chosen)
    if len(others) > room:
        pick = np.random.default_rng(seed).choice(len(others), size=max(room, 0), replace=False)
        others = [others[i] for i in sorted(pick.tolist())]
    return [candidates[i] for i in sorted(chosen + others)]


def map_section(build: Build, projection: str, max_points: int, seed: int) -> str:
    title = "Candidates and selected prompts"
    if projection == "none":
        return section("map", title, para("Map not drawn (projection 'none')."))
    if not build.candidates:
        return section("map", title, para("No candidates.jsonl in this build, so no map."))
    from lima_curate.export.projection import project

    points = choose_points(build.candidates, max_points, seed)
    embedding = dict(((build.manifest.get("config") or {}).get("select") or {}).get("embedding") or {})
    if embedding.get("cache_dir") is None:  # the build's own cache: <out>/.cache/embeddings
        embedding["cache_dir"] = str(build.folder.parent / CACHE_BESIDE_OUTPUTS)
    result = project([e.prompt for e in points], projection, seed=seed, embedding_config=embedding)
    sources = sorted({e.source for e in points})
    colours = {s: svg.color(i) for i, s in enumerate(sources)}
    marks = []
    for (x, y), e in zip(result.coords.tolist(), points):
        selected = bool(e.meta.get("selected"))
        state = "selected" if selected else "not selected"
        quota = e.meta.get(META_QUOTA) or e.source
        snippet = " ".join(e.prompt.split())[:160]
        marks.append((float(x), float(y), colours[e.source], selected, f"{quota} · {state}: {snippet}"))
    n_selected = sum(1 for e in build.candidates if e.meta.get("selected"))
    shown = (f"{len(points)} of {len(build.candidates)} candidates shown"
             if len(points) < len(build.candidates) else f"all {len(points)} candidates shown")
    per_quota = Counter((e.meta.get(META_QUOTA) or e.source, bool(e.meta.get("selected"))) for e in build.candidates)
    quotas = sorted({q for q, _ in per_quota})
    return section(
        "map", title,
        para(f"Each point is a candidate prompt ({shown}; {n_selected} selected). Filled, outlined points "
             f"were selected; faint points were not. Projection: {result.note}. Hover a point to read it."),
        svg.legend([(s, colours[s]) for s in sources]),
        svg.scatter(marks, "2-D map of candidate prompts"),
        table(["quota", "candidates", "selected"],
              [[q, per_quota[(q, True)] + per_quota[(q, False)], per_quota[(q, True)]] for q in quotas]),
    )


def licence_section(build: Build) -> str:
    licence = build.manifest.get("licence") or summarize(e for s in SPLITS for e in build.splits[s])
    rows = sorted((licence.get("licenses") or {}).items())
    return section("licence", "Licence", para(f"Combined licence: {licence.get('license', '?')}. "
                                              + str(licence.get("explanation", ""))),
                   table(["licence", "items"], rows) if rows else "")


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{font-size:13px;margin:8px 0 2px}table{border-collapse:collapse;margin:10px 0;font-size:12.5px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{background:#f4f4f4;padding:1px 4px;border-radius:3px}
.grid{display:flex;flex-wrap:wrap;gap:10px}.cell{border:1px solid #eee;padding:6px;border-radius:4px}
.legend span{margin-right:14px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:50%}
svg.chart{display:block;margin:6px 0}.meta td:first-child{font-weight:600}.notes li{color:#8a4b00}
nav a{margin-right:12px}
"""


def render(build: Build, *, projection: str = "auto", max_points: int = 2000, seed: int = 0) -> str:
    """The whole report page for ``build``."""
    m = build.manifest
    name = m.get("name") or build.folder.name
    inputs = m.get("inputs") or []
    meta_rows = [
        ("build", name), ("lima-curate", m.get("version", "")), ("command", m.get("command", "")),
        ("config hash", m.get("config_hash", "")), ("seed", m.get("seed", "")),
        ("inputs", f"{len(inputs)} files, {sum(int(i.get('bytes', 0)) for i in inputs):,} bytes" if inputs else ""),
    ]
    meta = '<table class="meta">' + "".join(
        f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>" for k, v in meta_rows if v != ""
    ) + "</table>"
    notes = [*build.notes, *(str(n) for n in m.get("notes") or [])]
    notes_html = ('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>") if notes else ""
    nav = "<nav>" + "".join(f'<a href="#{a}">{a}</a>'
                            for a in ("counts", "lengths", "funnel", "quotas", "map", "licence")) + "</nav>"
    body = [
        f"<h1>{esc(name)}: build report</h1>", nav, meta, notes_html,
        counts_section(build), lengths_section(build), funnel_section(build), quotas_section(build),
        map_section(build, projection, max_points, seed), licence_section(build),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(name)} · lima-curate report</title><style>{CSS}</style></head><body>"
        + "\n".join(body) + "\n</body></html>\n"
    )


def write_report(
    folder: Path,
    out: "Path | None" = None,
    *,
    projection: "str | None" = None,
    max_points: "int | None" = None,
    seed: "int | None" = None,
    manifest: "Mapping[str, Any] | None" = None,
) -> Path:
    """Write the report of the build in ``folder`` (default ``folder/report.html``); return its path.

    Unset options come from the build's config; ``manifest`` stands in for manifest.json.
    """
    from lima_curate.export.projection import METHODS

    build = load_build(folder, manifest)
    export = (build.manifest.get("config") or {}).get("export") or {}
    projection = projection or export.get("report_projection") or "auto"
    if projection not in METHODS:
        raise InputError(folder, f"unknown projection {projection!r}; expected one of {', '.join(METHODS)}")
    max_points = max_points if max_points is not None else int(export.get("report_max_points") or 2000)
    seed = seed if seed is not None else int(build.manifest.get("seed") or 0)
    out = Path(out) if out is not None else Path(folder) / REPORT_NAME
    write_text(out, render(build, projection=projection, max_points=max(max_points, 1), seed=seed))
    return out
