"""README.md, a Hugging Face dataset card for a build, and LICENSE.md, the set's licence.

The card is a ``huggingface_hub`` DatasetCard whose header's ``configs`` point the Hub's
loader at the split files. Both files come from the splits and the manifest only, so the
same build gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

from huggingface_hub import DatasetCard, DatasetCardData

from lima_curate.atomic import write_text
from lima_curate.licence import summarize, terms_notices
from lima_curate.manifest import funnel_rows, stage_rank
from lima_curate.records import Example
from lima_curate.splits import SPLITS

SPLIT_ROLES = {
    "train": "prompt and response, for fine-tuning",
    "dev": "prompt and response, for choosing checkpoints",
    "test": "prompts only, for evaluation",
}

#: the split names a ``load_dataset`` user expects (``validation``, not ``dev``)
HUB_SPLITS = {"train": "train", "dev": "validation", "test": "test"}

LICENCE_FILE = "LICENSE.md"

#: where each source's items come from, for the card's ``source_datasets``
SOURCE_DATASETS = {
    "stackexchange": "stack-exchange-data-dump",
    "wikihow": "wikihow",
    "writingprompts": "pushshift-reddit",
    "askreddit": "pushshift-reddit",
    "sni": "super-natural-instructions",
    "authored": "original",
}

FIELDS = (
    ("id", "string", "stable id: source name plus a hash of the source's own ids"),
    ("source", "string", "stackexchange, wikihow, writingprompts, askreddit, sni or authored"),
    ("domain", "string", "stratum inside the source (stem/other, wikiHow category, subreddit)"),
    ("split", "string", "train, dev or test"),
    ("messages", "list of {role, content}", "the conversation; test rows hold the prompt only"),
    ("license", "string", "the item's licence as its source states it"),
    ("url", "string", "where the content lives (empty for hand-written items)"),
    ("noncommercial", "bool", "true when the item may not be used commercially"),
    ("terms", "string", "key of the source's terms notice below"),
    ("quota", "string", "recipe quota the item was selected in"),
    ("group", "string", "group inside the quota it was sampled from (site, category)"),
    ("provenance", "string", "the item's full metadata as a JSON string"),
)

CITATION = """@inproceedings{zhou2023lima,
  title     = {{LIMA}: Less Is More for Alignment},
  author    = {Zhou, Chunting and Liu, Pengfei and Xu, Puxin and Iyer, Srini and Sun, Jiao and
               Mao, Yuning and Ma, Xuezhe and Efrat, Avia and Yu, Ping and Yu, Lili and
               Zhang, Susan and Ghosh, Gargi and Lewis, Mike and Zettlemoyer, Luke and Levy, Omer},
  booktitle = {Advances in Neural Information Processing Systems},
  year      = {2023},
  eprint    = {2305.11206},
  archivePrefix = {arXiv}
}"""


def size_category(n: int) -> str:
    """The Hub's size_categories bucket for ``n`` rows."""
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "10M<n<100M"


def _cell(value: Any) -> str:
    text = "" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def _diversity(quota: Mapping[str, Any]) -> str:
    """Mean pairwise cosine distance of the selected prompts and of random draws, as text."""
    distance = (quota.get("diversity") or {}).get("mean_pairwise_cosine_distance") or {}
    if "selected" not in distance:
        return ""
    return f"{distance['selected']:.3f} / {distance['random']:.3f}"


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def card_data(
    splits: Mapping[str, list[Example]], licence: Mapping[str, Any], pretty_name: str
) -> DatasetCardData:
    """The card's YAML header as the Hub's :class:`DatasetCardData`."""
    sources = sorted({SOURCE_DATASETS.get(e.source, e.source) for items in splits.values() for e in items})
    other = {}
    if licence["license"] == "other":  # the Hub's card spec asks for a name and a link
        other = {"license_name": "mixed-source-licences", "license_link": LICENCE_FILE}
    return DatasetCardData(
        license=licence["license"],
        language=["en"],
        size_categories=[size_category(sum(len(items) for items in splits.values()))],
        source_datasets=sources,
        task_categories=["text-generation"],
        pretty_name=pretty_name,
        **other,
        tags=["lima", "instruction-tuning", "sft", "alignment"],
        configs=[{
            "config_name": "default",
            # load_dataset refuses a named split with no rows, so only non-empty splits are listed
            "data_files": [{"split": HUB_SPLITS[s], "path": f"{s}.jsonl"} for s in SPLITS if splits.get(s)],
        }],
    )


def card_markdown(
    name: str,
    splits: Mapping[str, list[Example]],
    manifest: Mapping[str, Any],
    pretty_name: "str | None" = None,
) -> str:
    """The whole README.md text."""
    splits = {s: list(splits.get(s, ())) for s in SPLITS}
    everything = [e for s in SPLITS for e in splits[s]]
    licence = manifest.get("licence") or summarize(everything)
    pretty = pretty_name or f"{name}: a LIMA-style alignment set"
    config = manifest.get("config") or {}
    total = len(everything)
    sizes = ", ".join(f"{s} {len(splits[s])}" for s in SPLITS)
    out = [f"# {pretty}", ""]

    out += [
        "## Summary", "",
        f"{total} items ({sizes}) built by lima-curate {manifest.get('version', '')} following the "
        "recipe of LIMA (Zhou et al. 2023), whose 1,000 training examples are carefully selected "
        "prompts and responses mined from community Q&A (Stack Exchange, wikiHow, Reddit), drawn "
        "from Super-NaturalInstructions and written by hand.", "",
    ]
    out += [f"- **{s}**: {len(splits[s])} items, {SPLIT_ROLES[s]}." for s in SPLITS]
    out += ["", "On the Hub (and for `load_dataset` on this folder) the dev split is named `validation`; "
            "its file is `dev.jsonl`.", ""]

    out += ["## Sources and counts", ""]
    per = {s: Counter(e.source for e in splits[s]) for s in SPLITS}
    sources = sorted(set().union(*per.values()))
    out += _table(["source", *SPLITS, "total"],
                  [[src, *(per[s][src] for s in SPLITS), sum(per[s][src] for s in SPLITS)] for src in sources]
                  + [["**all**", *(len(splits[s]) for s in SPLITS), total]])
    out.append("")
    quotas = manifest.get("quotas") or {}
    if quotas:
        out += ["Quotas of the recipe (target, how many were selected, and how many were missing):", ""]
        out += _table(["quota", "split", "target", "pool", "selected", "shortfall",
                       "prompt diversity (selected / random)"],
                      [[q, r.get("split"), r.get("target"), r.get("pool"), r.get("selected"), r.get("shortfall"),
                        _diversity(r)] for q, r in sorted(quotas.items())])
        out.append("")

    out += ["## Files and fields", "",
            "- `train.jsonl`, `dev.jsonl`, `test.jsonl`: one item per line with the fields below "
            "(the same fields in every file and for every source).",
            "- `lima.jsonl`: the train split in the layout of the published LIMA set "
            "(`{\"conversations\": [...], \"source\": ...}`), when written.",
            "- `parquet/`, `hf_dataset/`: the same rows as Parquet and as a `datasets` "
            "`save_to_disk` folder, when written.",
            "- `candidates.jsonl`: every candidate that reached selection, with `selected`, `rank` and `quota`.",
            "- `rejected.jsonl`: every dropped candidate with the stage and rule that dropped it.",
            "- `manifest.json`: the resolved config, input files with SHA-256, counts and versions.",
            "- `ATTRIBUTION.md`: source, authors and licence of every CC BY* item.",
            "- `LICENSE.md`: the licences and each source's terms (the Licence sections below).", ""]
    out += _table(["field", "type", "meaning"], FIELDS)
    out += ["", "```python", "from datasets import load_dataset", "",
            "ds = load_dataset(\"path/to/this/folder\")  # the splits of the header's `configs`",
            "ds = load_dataset(\"json\", data_files={"
            + ", ".join(f'"{HUB_SPLITS[s]}": "{s}.jsonl"' for s in SPLITS if splits[s]) + "})",
            "```", ""]

    out += ["## How it was built", ""]
    select = config.get("select") or {}
    out += [
        f"- Command: `{manifest.get('command') or '(not recorded)'}`",
        f"- Config hash: `{manifest.get('config_hash', '')}`; seed {manifest.get('seed', '')}; "
        f"lima-curate {manifest.get('version', '')}. The resolved config is in `manifest.json`.",
    ]
    inputs = manifest.get("inputs") or []
    if inputs:
        size = sum(int(i.get("bytes", 0)) for i in inputs)
        out.append(f"- Inputs: {len(inputs)} files, {size:,} bytes; each with its SHA-256 in `manifest.json`.")
    out += [
        "- Each source's extractor applies named rules (length, score, language, format, "
        "first-person and reference filters, ...); every dropped candidate is kept in "
        "`rejected.jsonl` with its rule.",
        "- Exact and near duplicates (cosine similarity at or above "
        f"{select.get('near_duplicate_threshold', '?')}) are removed, and candidates too close to an "
        f"evaluation prompt (at or above {select.get('decontaminate_threshold', '?')}) are dropped.",
        f"- Selection per quota: method `{select.get('method', '?')}` with quality weight "
        f"{select.get('quality_weight', '?')}, spreading picks across groups with each quota's temperature.",
        "",
    ]
    dropped: Counter[tuple[str, str]] = Counter()
    for source, stage, rule, n in funnel_rows(manifest.get("counts")):
        if rule != "kept":
            dropped[(stage, rule)] += n
    if dropped:
        out += ["Candidates dropped, per stage (in build order) and rule (all sources):", ""]
        rows = sorted(dropped.items(), key=lambda item: (stage_rank(item[0][0]), item[0]))
        out += _table(["stage", "rule", "dropped"], [[st, r, n] for (st, r), n in rows])
        out.append("")

    out += licence_sections(everything, licence)

    out += ["## Known limitations", ""]
    limits = []
    for quota, row in sorted(quotas.items()):
        if row.get("shortfall"):
            limits.append(f"Quota `{quota}` is short by {row['shortfall']} items "
                          f"(selected {row.get('selected')} of {row.get('target')}).")
    for split in SPLITS:
        if not splits[split]:
            limits.append(f"The {split} split is empty.")
    if licence.get("reddit_items"):
        limits.append(f"{licence['reddit_items']} items come from Reddit, whose terms restrict using its "
                      "content to train models; treat them as research-only.")
    if licence.get("noncommercial_items"):
        limits.append(f"{licence['noncommercial_items']} items may not be used commercially "
                      "(the `noncommercial` field marks them).")
    limits += [str(n) for n in manifest.get("notes") or []]
    limits += [
        "Automatic filters are heuristics: some unsuitable items may remain and some good ones were dropped.",
        "Mined answers reflect their authors' views and the time they were written; they may be outdated.",
    ]
    out += [f"- {line}" for line in limits]
    out += ["", "## Citation", "", "The recipe follows:", "", "```bibtex", CITATION, "```", ""]
    card = DatasetCard("---\n" + card_data(splits, licence, pretty).to_yaml() + "\n---\n\n" + "\n".join(out))
    return str(card)


def licence_sections(everything: list[Example], licence: Mapping[str, Any]) -> list[str]:
    """Markdown lines: the set's licence, per-licence counts and every source's terms notice."""
    out = ["## Licence", "", licence.get("explanation", ""), ""]
    if licence.get("licenses"):
        out += _table(["licence", "items"], sorted(licence["licenses"].items()))
        out.append("")
    out += ["## Terms of the sources", ""]
    notices = terms_notices(everything)
    for key, notice in notices.items():
        out += [f"### {key}", "", notice, ""]
    if not notices:
        out += ["No items.", ""]
    return out


def write_licence_file(path: Path, splits: Mapping[str, list[Example]], manifest: Mapping[str, Any]) -> None:
    """Write LICENSE.md: the card's licence sections in a file of their own (its ``license_link``)."""
    everything = [e for s in SPLITS for e in splits.get(s, ())]
    licence = manifest.get("licence") or summarize(everything)
    lines = ["# Licences and terms of this dataset", "",
             "Every item keeps the licence of its source; each row's `license` and `terms` fields name "
             "them, and ATTRIBUTION.md credits every item that needs attribution.", "",
             *licence_sections(everything, licence)]
    write_text(Path(path), "\n".join(lines))


def write_card(
    path: Path,
    *,
    name: str,
    splits: Mapping[str, list[Example]],
    manifest: Mapping[str, Any],
    pretty_name: "str | None" = None,
) -> None:
    """Write the dataset card (README.md) for a build."""
    write_text(Path(path), card_markdown(name, splits, manifest, pretty_name))
