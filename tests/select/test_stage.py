import json

import numpy as np
import pytest

from lima_curate.config import load_pipeline
from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.select.stage import select_stage

from select_helpers import CountingEmbedder


def mined(number, prompt, quota="stackexchange_other", group="coffee", quality=1.0):
    return Example(f"stackexchange-{number:03d}", "stackexchange", "other",
                   ({"role": "user", "content": prompt}, {"role": "assistant", "content": f"Answer {number}."}),
                   {"quota": quota, "group": group, "quality": quality})


def authored(number, prompt, split):
    messages = ({"role": "user", "content": prompt},)
    if split != "test":
        messages += ({"role": "assistant", "content": f"Hand-written answer {number}."},)
    return Example(f"authored-{number:03d}", "authored", "authored", messages, {"split": split})


def test_the_stage_dedups_decontaminates_and_fills_quotas(tmp_path):
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(json.dumps({"prompt": "Write a haiku about espresso."}) + "\n", encoding="utf-8")
    config = load_pipeline(None, {
        "seed": 3,
        "select.quotas": {"stackexchange_other": {"size": 3}, "askreddit": {"size": 1, "split": "test"}},
        "select.eval_files": [str(eval_file)],
        "select.embedding.cache_dir": str(tmp_path / "cache"),
    })
    pool = [mined(i, f"Coffee question number {i}?", group=("coffee", "beer")[i % 2], quality=float(i)) for i in range(8)]
    pool += [
        mined(20, "coffee question number 3"),  # same prompt as item 3 once normalised: near duplicate
        mined(21, "write a haiku about ESPRESSO"),  # an eval file prompt
        mined(22, "What is your favourite dev prompt"),  # the hand-written dev prompt: it wins the dedup
        mined(23, "What would you ask a dev prompt?", quota="askreddit", group="AskReddit"),
    ]
    hand = [authored(1, "Explain crema to a child.", "train"), authored(2, "What is your favourite dev prompt?", "dev")]
    rejects = Rejects()
    result = select_stage(config, pool, hand, rejects, embedder=CountingEmbedder())
    reasons = {row["id"]: row["rule"] for row in rejects.rows if row["stage"] != "select"}
    assert reasons == {
        "stackexchange-020": "near_duplicate_prompt",
        "stackexchange-021": "contaminated_eval_prompt",
        "stackexchange-022": "near_duplicate_prompt",
    }
    detail = next(row["detail"] for row in rejects.rows if row["id"] == "stackexchange-022")
    assert detail.endswith("kept authored-002: hand-written wins over mined")
    assert [e.id for e in result.authored] == ["authored-001", "authored-002"]
    assert len(result.selection.quotas["stackexchange_other"].selected) == 3
    assert [e.id for e in result.selection.quotas["askreddit"].selected] == ["stackexchange-023"]
    assert result.counts["eval_prompts"] == 3  # the authored dev prompt, the askreddit candidate, the file
    assert result.counts["after_dedup"] == 12
    assert set(result.quota_report()) == {"askreddit", "stackexchange_other"}


def test_nothing_in_nothing_out_without_calling_the_model(tmp_path):
    config = load_pipeline(None, {"select.quotas": {"wikihow": {"size": 2}},
                                  "select.embedding.cache_dir": ""})
    rejects = Rejects()
    model = CountingEmbedder()
    result = select_stage(config, [], [], rejects, embedder=model)
    assert result.selection.quotas["wikihow"].notes == ["quota wikihow: 0 candidates for 2 places, 2 short "
                                                        "(all are selected)"]
    assert model.batches == 0
    assert result.selected == [] and result.authored == [] and rejects.rows == []
    assert result.selection.quotas["wikihow"].selected == []
    assert np.isclose(result.counts["selected"], 0)
