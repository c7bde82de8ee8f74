"""The end-of-build tables: a funnel where no count goes missing, 80 columns, names never cut."""

import io
from pathlib import Path

from lima_curate.manifest import stage_rows
from lima_curate.pipeline import BuildResult
from lima_curate.summary import final_line, print_summary

LONGEST_RULE = "question_not_self_contained"

COUNTS = {"rules": [
    {"source": "askreddit", "stage": "extract", "rule": "kept", "count": 16},
    {"source": "askreddit", "stage": "extract", "rule": "askreddit_not_self_contained", "count": 3},
    {"source": "askreddit", "stage": "dedup", "rule": "kept", "count": 16},
    {"source": "askreddit", "stage": "select", "rule": "kept", "count": 16},
    {"source": "authored", "stage": "dedup", "rule": "kept", "count": 22},
    {"source": "authored", "stage": "decontaminate", "rule": "kept", "count": 12},
    {"source": "stackexchange", "stage": "extract", "rule": "kept", "count": 33},
    {"source": "stackexchange", "stage": "extract", "rule": "answer_score_below_min", "count": 2119},
    {"source": "stackexchange", "stage": "extract", "rule": LONGEST_RULE, "count": 4},
    {"source": "stackexchange", "stage": "dedup", "rule": "kept", "count": 33},
    {"source": "stackexchange", "stage": "decontaminate", "rule": "kept", "count": 31},
    {"source": "stackexchange", "stage": "decontaminate", "rule": "contaminated_eval_prompt", "count": 2},
    {"source": "stackexchange", "stage": "select", "rule": "kept", "count": 20},
    {"source": "stackexchange", "stage": "select", "rule": "not_selected", "count": 11},
    {"source": "wikihow", "stage": "extract", "rule": "kept", "count": 0},
    {"source": "wikihow", "stage": "extract", "rule": "not_an_article", "count": 9028},
]}

QUOTAS = {
    "askreddit": {"split": "test", "target": 70, "pool": 16, "selected": 16, "shortfall": 54,
                  "diversity": {"mean_pairwise_cosine_distance": {"selected": 0.851, "random": 0.851},
                                "cluster_coverage": {"selected": 1.0, "random": 1.0}}},
    "stackexchange_other": {"split": "train", "target": 200, "pool": 14, "selected": 14, "shortfall": 186,
                            "diversity": {"mean_pairwise_cosine_distance": {"selected": 0.77, "random": 0.769},
                                          "cluster_coverage": {"selected": 1.0, "random": 0.95}}},
    "stackexchange_stem": {"split": "train", "target": 200, "pool": 19, "selected": 19, "shortfall": 181},
}


def rows_by(source):
    return {row.stage: row for row in stage_rows(COUNTS) if row.source == source}


def test_every_item_is_accounted_for_at_every_stage():
    authored = rows_by("authored")
    # 22 in at dedup, 12 checked at decontaminate: the other 10 passed it unchecked (dev/test items)
    assert (authored["decontaminate"].entered, authored["decontaminate"].passed,
            authored["decontaminate"].not_checked) == (22, 22, 10)
    assert authored["select"].not_checked == 22  # hand-written items fill no quota
    askreddit = rows_by("askreddit")
    assert (askreddit["extract"].entered, askreddit["extract"].passed) == (19, 16)
    assert askreddit["decontaminate"].not_checked == 16  # test prompts are the evaluation prompts
    se = rows_by("stackexchange")
    assert [(s, se[s].entered, se[s].passed) for s in ("extract", "dedup", "decontaminate", "select")] == [
        ("extract", 2156, 33), ("dedup", 33, 33), ("decontaminate", 33, 31), ("select", 31, 20)]
    assert se["extract"].drops == (("answer_score_below_min", 2119), (LONGEST_RULE, 4))
    assert list(rows_by("wikihow")) == ["extract"]  # nothing left: no empty rows after it


def printed(manifest) -> str:
    screen = io.StringIO()
    print_summary(BuildResult(folder=Path("out/lima"), splits={}, manifest=manifest), file=screen)
    return screen.getvalue()


def test_tables_fit_80_columns_and_cut_no_name():
    manifest = {"counts": COUNTS, "quotas": QUOTAS,
                "licence": {"terms": {"reddit": 166, "stackexchange": 33}}}
    text = printed(manifest)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)  # no trailing blanks in a log file
    assert "…" not in text
    for name in ("stackexchange_other", "stackexchange_stem", "askreddit (test)", LONGEST_RULE,
                 "answer_score_below_min 2,119", "10 not checked*", "22 not checked*"):
        assert name in text, name
    words = " ".join(text.split())  # captions and long cells wrap inside the table
    assert "dev/test items are those prompts" in words and "hand-written items go straight to their split" in words
    assert "model training restricted; research-only" in words  # Reddit's terms, wrapped, not cut


def test_the_final_line_counts_the_warnings_said_above():
    result = BuildResult(folder=Path("out/lima"), splits={"train": [None] * 3, "dev": [], "test": [None]},
                         manifest={})
    assert final_line(result) == "wrote out/lima (train 3, dev 0, test 1)"
    assert final_line(result, 8) == "wrote out/lima (train 3, dev 0, test 1); 8 warnings above"
    assert final_line(result, 1, quiet=True) == ("wrote out/lima (train 3, dev 0, test 1); 1 warning "
                                                 "(run without -q to see them)")
