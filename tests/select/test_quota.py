import logging
import math
import warnings

import pytest

from lima_curate.config import QuotaConfig, SelectConfig, load_pipeline
from lima_curate.rejects import Rejects
from lima_curate.select.quota import select_quota, select_quotas


def pool(make_item, groups, quota="wikihow", **meta):
    """Items numbered in order, ``groups`` maps group -> how many."""
    items, number = [], 0
    for group, count in groups.items():
        for _ in range(count):
            items.append(make_item(number, quality=float(number % 7), quota=quota, group=group, **meta))
            number += 1
    return items


def test_groups_get_their_temperature_share(make_item, make_vectors):
    examples = pool(make_item, {"big": 60, "mid": 30, "small": 10})
    vectors = make_vectors(100, seed=1)
    proportional = select_quota("wikihow", examples, vectors, QuotaConfig(size=20, temperature=1.0), report=False)
    uniform = select_quota("wikihow", examples, vectors, QuotaConfig(size=21, temperature=math.inf), report=False)
    assert proportional.allocation == {"big": 12, "mid": 6, "small": 2}
    assert uniform.allocation == {"big": 7, "mid": 7, "small": 7}
    assert len(proportional.selected) + len(proportional.runners_up) == 100


def test_promoted_items_are_selected_first_and_count_against_the_quota(make_item, make_vectors):
    examples = pool(make_item, {"a": 10, "b": 10})
    examples[15] = examples[15].with_meta(promoted=True)
    examples[3] = examples[3].with_meta(promoted=True)
    result = select_quota("q", examples, make_vectors(20, seed=2), QuotaConfig(size=6), report=False)
    assert [e.id for e in result.selected[:2]] == [examples[3].id, examples[15].id]
    assert len(result.selected) == 6 and result.promoted == 2
    assert result.allocation == {"a": 3, "b": 3}


def warned(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_more_promoted_than_the_size_keeps_them_all_with_a_warning(make_item, make_vectors, caplog):
    examples = [e.with_meta(promoted=True) for e in pool(make_item, {"a": 4})]
    result = select_quota("q", examples, make_vectors(4), QuotaConfig(size=2), report=False)
    assert len(result.selected) == 4
    assert warned(caplog) == result.notes == ["quota q: 4 promoted items exceed its size 2; all are selected"]


def test_a_pool_smaller_than_the_quota_is_taken_whole_with_one_warning(make_item, make_vectors, caplog):
    examples = pool(make_item, {"a": 3, "b": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # logged once, not raised as a Python warning as well
        result = select_quota("q", examples, make_vectors(5), QuotaConfig(size=10))
    assert sorted(e.id for e in result.selected) == sorted(e.id for e in examples)
    assert result.runners_up == []
    assert warned(caplog) == result.notes == ["quota q: 5 candidates for 10 places, 5 short (all are selected)"]
    assert result.report["cluster_coverage"]["selected"] == 1.0


def test_an_empty_pool_gives_an_empty_selection(make_vectors):
    result = select_quota("q", [], make_vectors(0), QuotaConfig(size=3))
    assert result.selected == [] and result.runners_up == [] and result.allocation == {}


def test_select_quotas_routes_by_quota_records_drops_and_reports(make_item, make_vectors):
    examples = pool(make_item, {"x": 30, "y": 30}, quota="stackexchange_other")
    examples += [make_item(100 + i, quota="unknown_quota", group="z") for i in range(2)]
    config = SelectConfig(quotas={"stackexchange_other": QuotaConfig(size=8, temperature=3.0)}, report_draws=3)
    rejects = Rejects()
    selection = select_quotas(examples, make_vectors(62, seed=3), config, seed=0, rejects=rejects)
    quota = selection.quotas["stackexchange_other"]
    assert len(quota.selected) == 8 and len(quota.runners_up) == 52
    assert [e.id for e in selection.unplaced] == ["stackexchange-0100", "stackexchange-0101"]
    assert rejects.reasons_for("select") == {"no_quota": 2, "not_selected": 52}
    assert rejects.kept[("stackexchange", "select")] == 8
    first_runner = next(r for r in rejects.rows if r["rule"] == "not_selected")
    assert first_runner["detail"] == "quota stackexchange_other (size 8) full; runner-up 1 of 52"
    summary = selection.summary()["stackexchange_other"]
    assert summary["groups"] == {"x": {"pool": 30, "selected": 4}, "y": {"pool": 30, "selected": 4}}
    assert set(summary["diversity"]) == {"pool", "selected", "random_draws", "mean_pairwise_cosine_distance",
                                         "cluster_coverage"}


def test_same_inputs_same_selection(make_item, make_vectors):
    examples = pool(make_item, {"x": 40, "y": 25, "z": 5})
    vectors = make_vectors(70, seed=4)
    config = load_pipeline(None, {"select.quotas": {"wikihow": {"size": 12, "temperature": 2.0}}}).select
    first = select_quotas(examples, vectors, config, seed=7)
    second = select_quotas(examples, vectors, config, seed=7)
    assert [e.id for e in first.selected] == [e.id for e in second.selected]
    assert first.summary() == second.summary()
    assert [e.id for e in first.quotas["wikihow"].runners_up] == [e.id for e in second.quotas["wikihow"].runners_up]


def test_score_method_takes_the_best_per_group(make_item, make_vectors):
    examples = pool(make_item, {"a": 7, "b": 7})
    result = select_quota("q", examples, make_vectors(14), QuotaConfig(size=2, temperature=math.inf),
                          method="score", report=False)
    assert [e.meta["quality"] for e in result.selected] == [6.0, 6.0]
    with pytest.raises(ValueError, match="unknown selection method"):
        select_quota("q", examples, make_vectors(14), QuotaConfig(size=2), method="random")
