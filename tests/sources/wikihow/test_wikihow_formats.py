"""wikiHow CSV layouts and plain-text articles."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from lima_curate.errors import InputError
from lima_curate.sources.wikihow.article import render
from lima_curate.sources.wikihow.formats import csv_layout, read_csv, read_plaintext


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.realdata
def test_real_steps_csv_groups_rows_into_articles(realdata: Path) -> None:
    import pandas as pd

    path = realdata / "wikihow" / "wikihow_steps_title_heading_paragraph.csv"
    articles = list(read_csv(path, path.name))
    frame = pd.read_csv(path)
    sizes = frame.groupby("title", sort=False).size()
    assert len(articles) == frame["title"].nunique() == 223
    assert {a.title: a.step_count() for a in articles} == sizes.to_dict()
    assert {a.layout for a in articles} == {"steps"}


@pytest.mark.realdata
def test_real_steps_csv_golden_article(realdata: Path) -> None:
    path = realdata / "wikihow" / "wikihow_steps_title_heading_paragraph.csv"
    lint = next(a for a in read_csv(path, path.name) if a.title.startswith("How to Remove Lint from Clothes"))
    text = render(lint)
    assert text.startswith("1. Use a lint roller. You can find them in the laundry department of a supermarket")
    assert "\n2. Make a homemade lint roller. You will need a roll of wide, packaging tape" in text
    assert "Research source" not in text and not re.search(r"\[\d+\]", text)


@pytest.mark.realdata
def test_real_lists_csv_numbered_summaries_are_articles_bullet_lists_are_not(realdata: Path) -> None:
    path = realdata / "wikihow" / "wikihow_lists_summary_title_result.csv"
    articles = list(read_csv(path, path.name))
    with open(path, encoding="utf-8", newline="") as handle:
        results = [row["result"] for row in csv.DictReader(handle)]
    assert len(articles) == len(results) == 11461
    numbered = sum(1 for r in results if re.match(r"\s*1[.)]\s", r))
    assert sum(1 for a in articles if not a.not_article) == numbered
    bullets = [a for a in articles if "ingredients or things needed" in a.not_article]
    bulleted = [r for r in results if re.search(r"(?m)^\s*\u2022\s+\S", r) and not re.match(r"\s*1[.)]\s", r)]
    assert len(bullets) == len(bulleted) == 9023
    apk = next(a for a in articles if a.title == "Edit APK Files")
    steps = apk.sections[0].steps
    assert steps[6].text == "Navigate to the APK folder in the Windows Command prompt."  # "7  Navigate" lost its dot


@pytest.mark.realdata
def test_real_community_qa_csv_is_skipped_as_one_non_article(realdata: Path) -> None:
    path = realdata / "wikihow" / "wikihow_community_qa_stab_wounds.csv"
    articles = list(read_csv(path, path.name))
    assert len(articles) == 1
    assert articles[0].layout == "community_qa"
    assert "not an article source" in articles[0].not_article


@pytest.mark.realdata
def test_real_plaintext_articles(realdata: Path) -> None:
    files = sorted((realdata / "wikihow" / "plaintext_articles").glob("*.txt"))
    assert len(files) == 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        article = read_plaintext(text, path.name)
        assert article.page_name == path.stem
        assert article.step_count() == len(re.findall(r"^STEP \d+\.", text, re.MULTILINE))
        assert [s.heading.upper() for s in article.sections if s.heading] == re.findall(
            r"^SECTION: (.*)$", text, re.MULTILINE
        )
    pasta = read_plaintext((realdata / "wikihow" / "plaintext_articles" / "Cook-Pasta.txt").read_text(), "Cook-Pasta.txt")
    assert pasta.title == "Cook Pasta"
    text = render(pasta)
    assert text.startswith("## Boiling the noodles\n\n1. Fill a large pot about 2/3 full of water.")
    assert "\n    * If you use a pot that's too small, your pasta is more likely to clump together" in text


def test_csv_layout_is_told_by_header(tmp_path: Path) -> None:
    assert csv_layout(["title", "heading", "paragraph"], tmp_path) == "steps"
    assert csv_layout(["headline", "title", "text"], tmp_path) == "summary_all"
    assert csv_layout(["overview", "headline", "text", "sectionLabel", "title"], tmp_path) == "summary_sep"
    assert csv_layout(["Title", "Result", "category"], tmp_path) == "lists"
    assert csv_layout(["Question", "Answer", "Not Helpful", "Helpful"], tmp_path) == "community_qa"


def test_unknown_header_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "mystery.csv", ["name", "body"], [["a", "b"]])
    with pytest.raises(InputError) as error:
        list(read_csv(path, path.name))
    assert "mystery.csv:line 1: unknown wikiHow CSV header 'name,body'" in str(error.value)


def test_empty_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv: empty file"):
        list(read_csv(path, path.name))


def test_invalid_utf8_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("title,result\nCaf\xe9 Latte,1. Froth milk.\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.csv:near line \d+: not UTF-8 text"):
        list(read_csv(path, path.name))


def test_summary_all_pairs_bold_lines_with_paragraphs(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "wikihowAll.csv",
        ["headline", "title", "text"],
        [["\nRinse the jar.,\nDry it upside down.", "How to Clean a Glass Jar2", " Use warm soapy water.\n, Leave it on a towel."]],
    )
    (article,) = read_csv(path, path.name)
    assert article.title == "How to Clean a Glass Jar2"
    assert render(article) == "1. Rinse the jar. Use warm soapy water.\n2. Dry it upside down. Leave it on a towel."


def test_summary_sep_builds_intro_and_methods(tmp_path: Path) -> None:
    header = ["overview", "headline", "text", "sectionLabel", "title", "category", "url", "date"]
    common = ["Socks get lost.", None, None, None, "How to Fold Socks", "Home and Garden",
              "https://www.wikihow.com/Fold-Socks", "2026-01-05"]
    rows = []
    for label, head, body in [("Pairing", "\nMatch them,", " By colour."), ("Pairing", "\nCount them,", " Two each."),
                              ("Folding", "\nRoll them,", " From the toe.")]:
        row = list(common)
        row[1:4] = [head, body, label]
        rows.append(row)
    path = _write_csv(tmp_path / "wikihowSep.csv", header, rows)
    (article,) = read_csv(path, path.name)
    assert (article.page_name, article.category, article.date) == ("Fold-Socks", "Home and Garden", "2026-01-05")
    assert render(article) == (
        "Socks get lost.\n\n## Pairing\n\n1. Match them By colour.\n2. Count them Two each.\n\n## Folding\n\n1. Roll them From the toe."
    )


def test_plaintext_without_title_line_is_not_an_article() -> None:
    article = read_plaintext("HowtoBeanOrganizedArtist\nHowtoCookPasta\n", "all_train.txt")
    assert article.sections == ()
    assert "no 'TITLE:' line" in article.not_article


def test_plaintext_title_without_url_and_optional_category() -> None:
    text = "TITLE: FOLD A SHIRT\nCATEGORY: Home and Garden\nFolding keeps shirts neat.\nSTEP 1. Lay it flat.\nSmooth it.\nSTEP 2. Fold the sleeves in.\n"
    article = read_plaintext(text, "shirt.txt")
    assert (article.title, article.page_name, article.category) == ("Fold a shirt", "", "Home and Garden")
    assert render(article) == "Folding keeps shirts neat.\n\n1. Lay it flat.\n    * Smooth it.\n2. Fold the sleeves in."
