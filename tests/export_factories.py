"""Fabricated examples from every source, with the meta each source's extractor writes."""

from __future__ import annotations

from lima_curate.records import Example, make_id


def qa(user: str, assistant: str) -> tuple[dict[str, str], ...]:
    return ({"role": "user", "content": user}, {"role": "assistant", "content": assistant})


def se(n: int, site: str = "coffee.stackexchange.com", licence: str = "CC BY-SA 4.0", domain: str = "other") -> Example:
    return Example(
        id=make_id("stackexchange", site, n),
        source="stackexchange",
        domain=domain,
        messages=qa(f"How do I descale kettle number {n}?", "Use citric acid and rinse well. " * 20),
        meta={
            "license": licence, "url": f"https://{site}/questions/{n}", "quality": 12.0 + n,
            "quota": f"stackexchange_{domain}", "group": site, "terms": "stackexchange",
            "noncommercial": False, "score": 14 + n, "tags": ["kettle", "descaling"],
            "question_author": f"asker{n}", "question_author_url": f"https://{site}/users/{100 + n}",
            "answer_author": f"Ans [{n}]", "answer_author_url": f"https://{site}/users/{200 + n}",
            "title": f"Descaling kettle {n}", "selected": True, "rank": n,
        },
    )


def wikihow(n: int) -> Example:
    return Example(
        id=make_id("wikihow", n),
        source="wikihow",
        domain="Food and Entertaining",
        messages=qa(f"How to fold napkin style {n}?", "Step one: lay it flat. " * 40),
        meta={
            "license": "CC BY-NC-SA 3.0", "url": f"https://www.wikihow.com/Fold-Napkin-{n}",
            "quality": 0.7, "quota": "wikihow", "group": "Food and Entertaining", "terms": "wikihow",
            "noncommercial": True, "steps": n + 3, "categories": ["Food", "Table Setting"],
        },
    )


def writingprompt(n: int) -> Example:
    return Example(
        id=make_id("writingprompts", n),
        source="writingprompts",
        domain="WritingPrompts",
        messages=qa(f"[WP] The lighthouse keeper finds message {n}.", "The lamp flickered twice. " * 30),
        meta={"license": "Reddit User Agreement", "url": f"https://www.reddit.com/r/WritingPrompts/comments/x{n}/",
              "quality": None, "quota": "writingprompts", "group": "WritingPrompts", "terms": "reddit",
              "noncommercial": True, "score": "unknown"},
    )


def askreddit(n: int) -> Example:
    return Example(
        id=make_id("askreddit", n),
        source="askreddit",
        domain="AskReddit",
        messages=({"role": "user", "content": f"What small habit changed your life, #{n}?"},),
        meta={"license": "Reddit User Agreement", "url": f"https://www.reddit.com/r/AskReddit/comments/y{n}/",
              "quota": "askreddit", "terms": "reddit", "noncommercial": True, "score": 120 + n,
              "split": "test"},
    )


def sni(n: int) -> Example:
    return Example(
        id=make_id("sni", n),
        source="sni",
        domain="task1290_summarization",
        messages=qa(f"Summarise this paragraph {n}: the river rose after rain.", "The river rose."),
        meta={"license": "Apache-2.0", "url": "", "quality": 1, "quota": "sni", "group": f"task{n}",
              "terms": "sni", "noncommercial": False, "instance_license": ["CC BY 4.0"]},
    )


def authored(n: int, split: str = "train", turns: int = 1) -> Example:
    messages = []
    for t in range(turns):
        messages += [{"role": "user", "content": f"Plan a picnic {n}.{t}"},
                     {"role": "assistant", "content": f"Bring bread and fruit {n}.{t}."}]
    if split == "test":
        messages = messages[:1]
    return Example(
        id=make_id("authored", split, n),
        source="authored",
        domain="authored",
        messages=tuple(messages),
        meta={"license": "CC BY 4.0", "split": split, "terms": "authored", "author": "The Builders",
              "noncommercial": False},
    )


def mixed() -> dict[str, list[Example]]:
    """A small build's splits with every source and heterogeneous meta."""
    train = [
        se(1, domain="stem", site="quantumcomputing.stackexchange.com"), se(2), se(3, licence="CC BY-SA 3.0"),
        wikihow(1), wikihow(2), writingprompt(1), sni(1), authored(1), authored(2, turns=2),
    ]
    dev = [authored(3, "dev")]
    test = [askreddit(1), askreddit(2), authored(4, "test")]
    return {"train": train, "dev": dev, "test": test}


def candidates(splits: dict[str, list[Example]], runners_up: int = 40) -> list[Example]:
    """Every mined selected item plus runners-up, with meta selected/rank as selection writes it."""
    mined = [e for s in splits.values() for e in s if e.source != "authored"]
    out = [e.with_meta(selected=True, rank=i) for i, e in enumerate(mined)]
    makers = (se, wikihow, writingprompt, sni)
    for n in range(runners_up):
        example = makers[n % len(makers)](100 + n)
        out.append(example.with_meta(selected=False, rank=None))
    return out


COUNTS = [
    {"source": "stackexchange", "stage": "extract", "rule": "answer_too_short", "count": 7},
    {"source": "stackexchange", "stage": "extract", "rule": "kept", "count": 13},
    {"source": "wikihow", "stage": "extract", "rule": "kept", "count": 12},
    {"source": "wikihow", "stage": "dedup", "rule": "near_duplicate", "count": 2},
    {"source": "writingprompts", "stage": "extract", "rule": "not_english", "count": 4},
]
QUOTAS = {
    "stackexchange_stem": {"split": "train", "target": 4, "pool": 1, "selected": 1, "shortfall": 3,
                           "diversity": {"mean_pairwise_cosine_distance": {"selected": 0.61, "random": 0.55},
                                         "cluster_coverage": {"selected": 1.0, "random": 0.8}}},
    "wikihow": {"split": "train", "target": 2, "pool": 12, "selected": 2, "shortfall": 0},
}


def manifest(splits: dict[str, list[Example]], config=None, outputs=()) -> dict:
    """A manifest built as the pipeline builds it, with fabricated counts, quotas and inputs."""
    from lima_curate.config import PipelineConfig
    from lima_curate.manifest import build_manifest

    result = build_manifest(
        config or PipelineConfig(), command="lima-curate build pipelines/sample.yaml",
        inputs=[{"path": "raw/stackexchange/coffee/Posts.xml", "bytes": 1000, "sha256": "ab" * 32}],
        counts=COUNTS, quotas=QUOTAS, selection={}, splits=splits,
        notes=["authored: dev has 1 hand-written items, the recipe wants 4 (3 missing)"], outputs=list(outputs),
    )
    result["config_hash"] = "0123456789abcdef"  # a recognisable value for the tests
    return result


def write_build(folder, config, splits: dict[str, list[Example]]) -> dict:
    """Write a build folder's export files as the pipeline does; return its manifest."""
    from lima_curate.export import write_data_files, write_documents
    from lima_curate.manifest import describe_outputs

    written = write_data_files(folder, config.export, splits, candidates(splits))
    result = manifest(splits, config, describe_outputs(folder, written))
    write_documents(folder, config.name, config.export, splits, result)
    return result
