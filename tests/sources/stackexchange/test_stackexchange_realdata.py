"""The extractor on the four real sites in ../shared/realdata/stackexchange, checked independently.

Counts and ids are checked against plain regular expressions over the raw files, not
against the XML parser the extractor uses.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

import pytest

from lima_curate.config import StackExchangeConfig
from lima_curate.records import make_id
from lima_curate.rejects import Rejects
from lima_curate.rules import first_failure
from lima_curate.sources.stackexchange.measure import Candidate
from lima_curate.sources.stackexchange.rules import active_rules
from lima_curate.sources.stackexchange.scan import Spill, scan_posts
from lima_curate.sources.stackexchange.extract import extract

pytestmark = pytest.mark.realdata
CONFIG = StackExchangeConfig(workers=1)
SITES = (
    "beer.stackexchange.com",
    "cardano.stackexchange.com",
    "coffee.stackexchange.com",
    "quantumcomputing.stackexchange.com",
)
ROW = re.compile(r"<row ([^>]*?)/>")
ATTR = re.compile(r'(\w+)="([^"]*)"')


def raw_posts(path: Path) -> dict[int, dict[str, str]]:
    """Every row of a Posts.xml by id, read with regular expressions only."""
    posts = {}
    for match in ROW.finditer(path.read_text(encoding="utf-8-sig")):
        attrs = dict(ATTR.findall(match.group(1)))
        posts[int(attrs["Id"])] = attrs
    return posts


@pytest.fixture(scope="module")
def se_root(realdata: Path) -> Path:
    return realdata / "stackexchange"


@pytest.fixture(scope="module")
def extracted(se_root: Path):
    rejects = Rejects()
    kept = list(extract(se_root, CONFIG, rejects))
    return kept, rejects


@pytest.mark.parametrize("site", SITES)
def test_question_and_answer_counts_match_an_independent_count(se_root: Path, site: str, extracted):
    path = se_root / site / "Posts.xml"
    text = path.read_text(encoding="utf-8-sig")
    questions, answers = text.count('PostTypeId="1"'), text.count('PostTypeId="2"')
    with Spill() as spill:
        scan = scan_posts(path, str(path), spill, CONFIG.min_answer_score)
    assert (scan.questions, scan.answers, scan.skipped) == (questions, answers, 0)
    # every question ends up exactly once: kept, or dropped under one rule
    kept, rejects = extracted
    decided = sum(1 for e in kept if e.meta["site"] == site)
    decided += sum(1 for row in rejects.rows if row["record"]["meta"]["site"] == site)
    assert decided == questions


def test_some_items_kept_from_each_site(extracted):
    kept, _ = extracted
    per_site = defaultdict(int)
    for e in kept:
        per_site[e.meta["site"]] += 1
    assert set(per_site) == set(SITES)
    assert sum(per_site.values()) >= 20


def test_every_kept_item_satisfies_every_rule(se_root: Path, extracted):
    kept, _ = extracted
    posts = {site: raw_posts(se_root / site / "Posts.xml") for site in SITES}
    for example in kept:
        assert first_failure(dict(example.meta), active_rules(CONFIG), CONFIG) is None  # meta carries what was read
        # and independently of the measurements on meta
        answer_html = html.unescape(posts[example.meta["site"]][example.meta["answer_id"]]["Body"])
        assert CONFIG.min_answer_chars <= len(answer_html) <= CONFIG.max_answer_chars
        assert example.meta["answer_score"] >= CONFIG.min_answer_score
        assert Candidate({"answer_text": example.response}).get("language") == "en"


def test_ids_and_urls_point_at_real_top_answers(se_root: Path, extracted):
    kept, _ = extracted
    for site in SITES:
        posts = raw_posts(se_root / site / "Posts.xml")
        answers_of = defaultdict(list)
        for post_id, attrs in posts.items():
            if attrs["PostTypeId"] == "2":
                answers_of[int(attrs["ParentId"])].append(post_id)
        for example in (e for e in kept if e.meta["site"] == site):
            question_id, answer_id = example.meta["question_id"], example.meta["answer_id"]
            question, answer = posts[question_id], posts[answer_id]
            assert question["PostTypeId"] == "1" and answer["PostTypeId"] == "2"
            assert int(answer["ParentId"]) == question_id
            assert int(answer["Score"]) == example.meta["answer_score"]
            assert int(question["Score"]) == example.meta["question_score"]
            assert int(answer["Score"]) == max(int(posts[a]["Score"]) for a in answers_of[question_id])
            assert html.unescape(question["Title"]).strip() == example.meta["question_title"]
            assert example.prompt in (example.meta["question_title"], example.meta.get("question_body"))
            assert example.id == make_id("stackexchange", site, answer_id)
            assert example.meta["url"] == f"https://{site}/a/{answer_id}"
            assert example.meta["question_url"] == f"https://{site}/q/{question_id}"
            assert example.meta["creation_date"] == answer["CreationDate"]


@pytest.mark.parametrize("site", ["cardano.stackexchange.com", "quantumcomputing.stackexchange.com"])
def test_authors_come_from_users_xml(se_root: Path, site: str, extracted):
    kept, _ = extracted
    posts = raw_posts(se_root / site / "Posts.xml")
    users = {}
    for match in ROW.finditer((se_root / site / "Users.xml").read_text(encoding="utf-8-sig")):
        attrs = dict(ATTR.findall(match.group(1)))
        users[attrs["Id"]] = html.unescape(attrs["DisplayName"])
    items = [e for e in kept if e.meta["site"] == site]
    assert items
    for example in items:
        owner = posts[example.meta["answer_id"]].get("OwnerUserId")
        if owner in users:
            assert example.meta["author"] == users[owner]
            assert example.meta["author_url"] == f"https://{site}/users/{owner}"
        asker = posts[example.meta["question_id"]].get("OwnerUserId")
        if asker in users:  # the prompt is the asker's text: attributed too
            assert example.meta["question_author"] == users[asker]
            assert example.meta["question_author_url"] == f"https://{site}/users/{asker}"
    assert any("question_author" in e.meta for e in items)


def test_licences(extracted):
    kept, _ = extracted
    for example in kept:
        site, created = example.meta["site"], example.meta["creation_date"]
        if site == "cardano.stackexchange.com":
            assert example.meta["license"] == "CC BY-SA 4.0"  # ContentLicense attribute
        elif site == "quantumcomputing.stackexchange.com":
            assert example.meta["license"] == ("CC BY-SA 3.0" if created < "2018-05-02" else "CC BY-SA 4.0")
        else:  # beer 2014-2017, coffee 2015: no attribute
            assert example.meta["license"] == "CC BY-SA 3.0"


def test_strata_follow_the_site_table(extracted):
    kept, _ = extracted
    for example in kept:
        stem = example.meta["site"] in ("cardano.stackexchange.com", "quantumcomputing.stackexchange.com")
        assert example.domain == ("stem" if stem else "other")
        assert example.meta["group"] == example.meta["site"]


def test_math_survives_cleaning(extracted):
    kept, _ = extracted
    quantum = [e.response for e in kept if e.meta["site"] == "quantumcomputing.stackexchange.com"]
    assert sum("$" in text for text in quantum) >= 3
    assert not any("&lt;" in text or "<p>" in text for text in quantum)
