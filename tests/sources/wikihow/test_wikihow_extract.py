"""wikiHow extractor: examples, rules (a keep and a drop case each), licences, bad input."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from lima_curate.config import WikiHowConfig, load_pipeline
from lima_curate.errors import InputError
from lima_curate.records import make_id
from lima_curate.rejects import Rejects
from lima_curate.sources.wikihow import extract as wikihow
from lima_curate.sources.wikihow.extract import LICENCE_AFTER, LICENCE_BEFORE, extract, licence

RULES = {"unreadable_file", "not_an_article", "empty_title", "response_too_short", "bare_link", "html_entity_residue",
         "response_too_long", "not_english", "duplicate_article"}

STEP = ("Keep the workspace tidy and put every tool back where it belongs once you have finished with it, "
        "so that the next person can find it without searching through drawers and boxes. ")
FRENCH = ("Gardez votre espace de travail bien rangé et remettez chaque outil à sa place après usage, "
          "afin que la personne suivante le trouve sans fouiller dans les tiroirs et les boîtes. ")


def _run(root: Path, config: "WikiHowConfig | None" = None) -> tuple[list, Rejects]:
    rejects = Rejects()
    return list(extract(root, config or WikiHowConfig(), rejects)), rejects


def _drops(rejects: Rejects) -> list[tuple[str, str]]:
    return [(row["rule"], row["detail"]) for row in rejects.rows]


def _steps_csv(root: Path, articles: dict[str, list[str]], name: str = "steps.csv") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "heading", "paragraph"])
        for title, paragraphs in articles.items():
            for paragraph in paragraphs:
                writer.writerow([title, paragraph.split(".")[0] + ".", paragraph])
    return root / name


# ---------------------------------------------------------------- the samples in raw/


def test_sample_folder(repo_root: Path) -> None:
    examples, rejects = _run(repo_root / "raw" / "wikihow")
    by_page = {e.meta["page"]: e for e in examples}
    assert sorted(by_page) == ["Bake-Irish-Soda-Bread", "Repot-a-Houseplant", "Sharpen-a-Kitchen-Knife",
                               "Start-a-Compost-Pile", "Write-a-Thank-You-Note"]
    repot = by_page["Repot-a-Houseplant"]
    assert repot.id == make_id("wikihow", "Repot-a-Houseplant")
    assert repot.prompt == "How to repot a houseplant?"
    assert repot.domain == repot.meta["group"] == "Home and Garden"
    assert repot.meta["url"] == "https://www.wikihow.com/Repot-a-Houseplant"
    assert repot.meta["quality"] == 8.0
    assert (repot.meta["license"], repot.meta["noncommercial"], repot.meta["terms"], repot.meta["quota"]) == (
        LICENCE_BEFORE, True, "wikihow", "wikihow")
    note = by_page["Write-a-Thank-You-Note"]  # revised 2025-06-02, after the terms change
    assert (note.meta["license"], note.meta["noncommercial"]) == (LICENCE_AFTER, True)
    assert "The following answer walks you through" in note.response
    assert by_page["Sharpen-a-Kitchen-Knife"].domain == "uncategorized"
    assert by_page["Start-a-Compost-Pile"].prompt == "How to start a compost pile?"
    assert by_page["Bake-Irish-Soda-Bread"].domain == "Food and Entertaining"
    assert {rule for rule, _ in _drops(rejects)} == {"not_an_article", "response_too_short"}
    assert rejects.kept[("wikihow", "extract")] == 5


def test_output_is_deterministic(repo_root: Path) -> None:
    first, _ = _run(repo_root / "raw" / "wikihow")
    second, _ = _run(repo_root / "raw" / "wikihow")
    assert [e.to_dict() for e in first] == [e.to_dict() for e in second]


# ---------------------------------------------------------------- real data


@pytest.mark.slow
@pytest.mark.realdata
def test_real_wikihow_folder(realdata: Path) -> None:
    config = WikiHowConfig()
    examples, rejects = _run(realdata / "wikihow", config)
    total = sum(rejects.dropped.values()) + len(examples)
    # 15 pages + 5 plain-text + 223 step articles + 11461 list rows + 1 Q&A file
    assert total == 15 + 5 + 223 + 11461 + 1
    assert {rule for (_, _, rule) in rejects.dropped} <= RULES
    assert len(examples) == len({e.id for e in examples}) > 10
    for example in examples:
        assert config.min_response_chars <= len(example.response)
        assert example.prompt.startswith(("How to ", "Why "))
        assert example.prompt.endswith("?")
        assert "wikiHow" not in example.prompt and "Steps" not in example.prompt
        assert example.meta["license"] == LICENCE_BEFORE and example.meta["noncommercial"] is True
        assert example.meta["language"] == "en"
    youtube = next(e for e in examples if e.meta["page"] == "Verify-Your-YouTube-Account")
    assert youtube.prompt == "How to verify your YouTube account?"
    assert youtube.domain == "Computers and Electronics"
    assert youtube.meta["revision_date"] == "2020-08-12"


@pytest.mark.realdata
def test_real_articles_too_long_for_a_capped_window_fit_the_default(realdata: Path, tmp_path: Path) -> None:
    pages = tmp_path / "wikihow"
    pages.mkdir()
    shutil.copy(realdata / "wikihow" / "html_pages_2020-08" / "Grill-Fish.html", pages)
    examples, rejects = _run(pages, WikiHowConfig(max_response_chars=4096))
    assert examples == [] and _drops(rejects)[0][0] == "response_too_long"
    examples, _ = _run(pages)  # no upper bound by default
    (fish,) = examples
    assert fish.prompt == "How to grill fish?"
    assert "## Fillets" in fish.response and "Tips" not in fish.response


# ---------------------------------------------------------------- rules: a drop and a keep each


def test_not_an_article_drop_and_keep(repo_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    root.mkdir()
    shutil.copy(repo_root / "raw" / "wikihow" / "html" / "Category-Gardening.html", root)
    shutil.copy(repo_root / "raw" / "wikihow" / "html" / "Repot-a-Houseplant.html", root)
    (root / "all_train.txt").write_text("HowtoRepotaHouseplant\n", encoding="utf-8")
    examples, rejects = _run(root)
    assert [e.meta["page"] for e in examples] == ["Repot-a-Houseplant"]
    drops = _drops(rejects)
    assert [rule for rule, _ in drops] == ["not_an_article", "not_an_article"]
    assert drops[0][1] == "no steps (div.step) on the page"
    assert "no 'TITLE:' line" in drops[1][1]


def test_all_sections_pruned_is_not_an_article(tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    root.mkdir()
    (root / "tips.txt").write_text("TITLE: KEEP CALM\nSECTION: TIPS\nSTEP 1. " + STEP * 10, encoding="utf-8")
    _, rejects = _run(root)
    assert _drops(rejects) == [("not_an_article", "no steps left after pruning sections")]


def test_empty_title_drop_and_keep(tmp_path: Path) -> None:
    _steps_csv(tmp_path / "wikihow", {"": [STEP] * 8, "How to Tidy a Workshop - wikiHow": [STEP] * 8})
    examples, rejects = _run(tmp_path / "wikihow")
    assert [e.prompt for e in examples] == ["How to tidy a workshop?"]
    assert _drops(rejects) == [("empty_title", "no title")]


def test_length_rules_drop_and_keep(tmp_path: Path) -> None:
    _steps_csv(tmp_path / "wikihow", {"Short Article": [STEP] * 2, "Right Article": [STEP] * 8,
                                      "Long Article": [STEP] * 30})
    examples, rejects = _run(tmp_path / "wikihow", WikiHowConfig(min_response_chars=1200, max_response_chars=4096))
    assert [e.prompt for e in examples] == ["How to right article?"]
    drops = _drops(rejects)
    assert [rule for rule, _ in drops] == ["response_too_short", "response_too_long"]
    assert drops[0][1].endswith("chars < 1200") and drops[1][1].endswith("chars > 4096")
    examples, _ = _run(tmp_path / "wikihow", WikiHowConfig(min_response_chars=100, max_response_chars=10000))
    assert len(examples) == 3


def test_not_english_drop_and_keep(tmp_path: Path) -> None:
    _steps_csv(tmp_path / "wikihow", {"Ranger un Atelier": [FRENCH] * 8, "Tidy a Workshop": [STEP] * 8})
    examples, rejects = _run(tmp_path / "wikihow")
    assert [e.meta["language"] for e in examples] == ["en"]
    assert _drops(rejects) == [("not_english", "language fr")]


def test_duplicate_article_drop_keeps_the_first_copy(repo_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    page = repo_root / "raw" / "wikihow" / "html" / "Repot-a-Houseplant.html"
    shutil.copy(page, root / "a")
    shutil.copy(page, root / "b")
    examples, rejects = _run(root)
    assert [e.meta["file"] for e in examples] == ["a/Repot-a-Houseplant.html"]
    assert _drops(rejects) == [("duplicate_article", "same page as a/Repot-a-Houseplant.html")]


def test_unreadable_pages_are_named_drops(repo_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    root.mkdir()
    (root / "Empty.html").write_bytes(b"  \n")
    (root / "Latin1.html").write_bytes("<html><h1>Caf\xe9</h1></html>".encode("latin-1"))
    (root / "Empty.txt").write_bytes(b"")
    shutil.copy(repo_root / "raw" / "wikihow" / "html" / "Repot-a-Houseplant.html", root)
    examples, rejects = _run(root)
    assert [e.meta["file"] for e in examples] == ["Repot-a-Houseplant.html"]  # a readable page is kept
    assert _drops(rejects) == [
        ("unreadable_file", "Empty.html: empty file"),
        ("unreadable_file", "Latin1.html: not UTF-8 (byte 13)"),
        ("unreadable_file", "Empty.txt: empty file"),
    ]


def test_unknown_csv_header_stops_the_build_naming_the_file(tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    root.mkdir()
    (root / "notes.csv").write_text("name,body\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.csv:line 1: unknown wikiHow CSV header"):
        _run(root)


def test_hidden_files_and_other_extensions_are_ignored(repo_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "wikihow"
    (root / ".cache").mkdir(parents=True)
    (root / ".cache" / "broken.csv").write_text("name\nx\n", encoding="utf-8")
    (root / "README.md").write_text("# notes\n", encoding="utf-8")
    examples, rejects = _run(root)
    assert examples == [] and rejects.rows == []


# ---------------------------------------------------------------- licence and config


@pytest.mark.parametrize(
    ("date", "assume_before", "expected"),
    [
        ("2020-07-29", True, LICENCE_BEFORE),
        ("2025-03-23", False, LICENCE_BEFORE),
        ("2025-03-24", True, LICENCE_AFTER),
        ("2026-01-01", True, LICENCE_AFTER),
        ("", True, LICENCE_BEFORE),
        ("", False, LICENCE_AFTER),
        ("last spring", True, LICENCE_BEFORE),
    ],
)
def test_licence_by_revision_date(date: str, assume_before: bool, expected: str) -> None:
    assert licence(date, assume_before) == expected


def test_undated_articles_follow_the_config_assumption(repo_root: Path) -> None:
    root = repo_root / "raw" / "wikihow"
    after = WikiHowConfig(assume_published_before_2025_change=False)
    examples, _ = _run(root, after)
    licences = {e.meta["page"]: e.meta["license"] for e in examples}
    assert licences["Bake-Irish-Soda-Bread"] == LICENCE_AFTER  # plain text: no date
    assert licences["Repot-a-Houseplant"] == LICENCE_BEFORE  # dated 2021-09-14


def test_prompt_case_and_pipeline_keys() -> None:
    config = load_pipeline(overrides={"sources.wikihow.lowercase_prompt": False,
                                      "sources.wikihow.pruned_sections": ["Tips"]}).sources.wikihow
    assert config.lowercase_prompt is False
    assert config.pruned_sections == ("Tips",)
    assert wikihow.howto_prompt("Cook Pasta", lowercase=config.lowercase_prompt) == "How to Cook Pasta?"
