"""Saved wikiHow pages: structure read from the real 2020 pages and from our samples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lima_curate.sources.wikihow.article import render
from lima_curate.sources.wikihow.pages import parse_page

PRUNED = ("Tips", "Warnings", "Things You'll Need", "References")


def _parse(path: Path):
    return parse_page(path.read_text(encoding="utf-8"), path.name, path.stem)


@pytest.fixture(scope="module")
def real_pages(realdata: Path) -> dict[str, Path]:
    pages = sorted((realdata / "wikihow" / "html_pages_2020-08").glob("*.html"))
    return {page.stem: page for page in pages}


@pytest.mark.realdata
def test_every_real_page_is_an_article_with_all_its_steps(real_pages: dict[str, Path]) -> None:
    assert len(real_pages) == 15
    for name, path in real_pages.items():
        html = path.read_text(encoding="utf-8")
        article = _parse(path)
        assert article.not_article == "", name
        assert article.page_name == name
        # independent count: the step divs in the raw markup
        assert article.step_count() == len(re.findall(r'<div class="step">', html)), name
        assert article.date.startswith("2020-0"), name


@pytest.mark.realdata
def test_real_page_metadata(real_pages: dict[str, Path]) -> None:
    aubergine = _parse(real_pages["Cook-Aubergine"])
    assert (aubergine.title, aubergine.category, aubergine.date) == ("Cook Aubergine", "Food and Entertaining", "2020-07-29")
    assert aubergine.views == 313815
    assert aubergine.helpful_percent == 100
    assert [s.heading for s in aubergine.sections][:2] == ["Prepping Aubergine for Cooking", "Roasting Aubergine"]
    youtube = _parse(real_pages["Verify-Your-YouTube-Account"])
    assert youtube.category == "Computers and Electronics"


@pytest.mark.realdata
def test_golden_real_article_youtube(real_pages: dict[str, Path]) -> None:
    text = render(_parse(real_pages["Verify-Your-YouTube-Account"]), PRUNED)
    assert text.startswith("Verifying your YouTube account grants a number of benefits to uploaders")
    assert "\n\n## Verifying Your Account\n\n1. Go to the verification page in your web browser. You will be taken" in text
    assert "\n2. Select your country from the dropdown menu.\n" in text
    assert "## Using New Features and Troubleshooting\n\n1. Go to the features page" in text
    assert "    * If you are not signed in to your YouTube account" in text
    for unwanted in ("Tips", "Warnings", "References", "http", "wikiHow", "{", "Advertisement", "[1]"):
        assert unwanted not in text


@pytest.mark.realdata
def test_golden_real_article_bare_links_and_fractions(real_pages: dict[str, Path]) -> None:
    blackout = render(_parse(real_pages["Know-when-Your-Power-Will-Go-Out-in-California-Rolling-Blackouts"]), PRUNED)
    assert "http" not in blackout and "pge.com" not in blackout
    assert "1. Open the outage look-up from the PG&E outage page." in blackout
    steak = render(_parse(real_pages["Grill-Flank-Steak"]), PRUNED)
    assert "1. Score your steak to a depth of 1/4 inch (0.6 cm)." in steak
    assert "combine 1/3 cup (79 mL) of olive oil" in steak
    assert "Red Wine Vinegar Marinade" not in steak  # that is the Ingredients section


@pytest.mark.realdata
def test_real_page_sections_outside_steps_never_leak(real_pages: dict[str, Path]) -> None:
    aubergine = render(_parse(real_pages["Cook-Aubergine"]), ())
    for unwanted in ("Community Q&A", "Reader Success Stories", "Related wikiHows", "Did this summary help you",
                     "You can not overcook an eggplant", "Colander", "Image titled", "smallUrl"):
        assert unwanted not in aubergine


def test_sample_page_prunes_media_ads_polls_and_references(repo_root: Path) -> None:
    article = _parse(repo_root / "raw" / "wikihow" / "html" / "Repot-a-Houseplant.html")
    text = render(article, PRUNED)
    assert article.title == "Repot a Houseplant"
    assert article.category == "Home and Garden"
    assert (article.date, article.views, article.helpful_percent) == ("2021-09-14", 48512, 92)
    assert text.startswith("A houseplant that has filled its pot with roots stops growing well")
    assert "See how to make your own potting mix if you prefer." in text  # link keeps its text
    for unwanted in ("Reader Poll", "Advertisement", "Submit a Tip", "Repot in spring", "New pot with a drainage hole",
                     "http", "example.org", "Go to source", "Trustworthy", "[1]", "Method 1 of 2", "WH.video"):
        assert unwanted not in text
    assert [s.heading for s in article.sections] == ["Choosing a New Pot", "Moving the Plant"]


def test_category_page_is_not_an_article(repo_root: Path) -> None:
    article = _parse(repo_root / "raw" / "wikihow" / "html" / "Category-Gardening.html")
    assert article.sections == ()
    assert "no steps" in article.not_article


def test_steps_on_a_non_article_namespace_are_not_an_article() -> None:
    html = ('<html><head><script>mw.config.set({"wgNamespaceNumber":2,"wgPageName":"User:Someone"})</script></head>'
            '<body><div class="section steps"><div class="step"><b>Say hi.</b></div></div></body></html>')
    article = parse_page(html, "User-Someone.html", "User-Someone")
    assert article.sections == ()
    assert article.not_article == "not an article page (namespace 2)"


def test_page_without_config_falls_back_to_h1_file_name_and_json_ld_crumbs() -> None:
    html = (
        '<html><head><title>How to Fold Socks - wikiHow</title>'
        '<script type="application/ld+json">{"@type":"BreadcrumbList","itemListElement":['
        '{"position":1,"item":{"@id":"https://www.wikihow.com","name":"wikiHow"}},'
        '{"position":2,"item":{"@id":"https://www.wikihow.com/Category:Home-and-Garden","name":"Home and Garden"}}]}'
        '</script></head><body><h1>How to Fold Socks</h1><p>Last Updated: March 30, 2025</p>'
        '<div class="step"><b>Pair them.</b> Match by colour.</div></body></html>'
    )
    article = parse_page(html, "Fold-Socks.html", "Fold-Socks")
    assert (article.title, article.page_name, article.category) == ("How to Fold Socks", "Fold-Socks", "Home and Garden")
    assert article.date == "2025-03-30"
    assert render(article) == "1. Pair them. Match by colour."
