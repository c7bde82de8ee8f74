"""Benchmark: wikiHow and SNI extraction against the bare parse of the same inputs.

Runs on the real files in ../shared/realdata, each step against a baseline measured in
the same run (best of ``--repeat``):

* ``html``: ``wikihow.pages.parse_page`` + ``render`` of the 15 saved pages, against
  ``BeautifulSoup(html, "lxml")`` alone (the floor for any BeautifulSoup reader);
* ``csv``: ``wikihow.formats.read_csv`` + ``render`` of the steps and lists CSVs,
  against ``csv.reader`` reading the same rows;
* ``extract``: ``wikihow.extract`` over the whole wikiHow folder (all layouts, rules,
  language detection of the kept-length candidates, rejects in memory), reported as
  articles per second;
* ``sni``: ``sni.extract`` over the real task files, against ``json.load`` of them.

    python3 benchmarks/bench_wikihow_sni.py
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REALDATA = REPO.parent / "shared" / "realdata"
sys.path.insert(0, str(REPO))




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (REALDATA / "wikihow").is_dir():
        sys.exit(f"real data not found under {REALDATA}")

    from bs4 import BeautifulSoup

    from lima_curate.config import SNIConfig, WikiHowConfig
    from lima_curate.rejects import Rejects
    from lima_curate.sources import sni
    from lima_curate.sources.wikihow import extract as wikihow
    from lima_curate.sources.wikihow.article import render
    from lima_curate.sources.wikihow.formats import read_csv
    from lima_curate.sources.wikihow.pages import parse_page
    from lima_curate.text.lang import detect_language

    detect_language("warm up the language profiles once, before any timing starts here")
    pages = [(p, p.read_text(encoding="utf-8")) for p in sorted((REALDATA / "wikihow" / "html_pages_2020-08").glob("*.html"))]
    csvs = [REALDATA / "wikihow" / name for name in
            ("wikihow_steps_title_heading_paragraph.csv", "wikihow_lists_summary_title_result.csv")]
    tasks = sorted((REALDATA / "super_natural_instructions").glob("task*.json"))
    config = WikiHowConfig()

    def csv_rows() -> None:
        for path in csvs:
            with open(path, encoding="utf-8", newline="") as handle:
                for _ in csv.reader(handle):
                    pass

    def csv_articles() -> None:
        for path in csvs:
            for article in read_csv(path, path.name):
                render(article, config.pruned_sections)

    def extract_all() -> int:
        return len(list(wikihow.extract(REALDATA / "wikihow", config, Rejects())))

    rows = [
        ("html baseline: BeautifulSoup(lxml) of 15 pages", best_of(args.repeat, lambda: [BeautifulSoup(h, "lxml") for _, h in pages])),
        ("html: parse_page + render of 15 pages", best_of(args.repeat, lambda: [render(parse_page(h, p.name, p.stem), config.pruned_sections) for p, h in pages])),
        ("csv baseline: csv.reader of steps + lists CSVs", best_of(args.repeat, csv_rows)),
        ("csv: read_csv + render (11,684 articles)", best_of(args.repeat, csv_articles)),
        ("sni baseline: json.load of 3 task files", best_of(args.repeat, lambda: [json.loads(t.read_text(encoding="utf-8")) for t in tasks])),
        ("sni: extract (generation_only=false)", best_of(args.repeat, lambda: list(sni.extract(REALDATA / "super_natural_instructions", SNIConfig(generation_only=False), Rejects())))),
    ]
    whole = best_of(args.repeat, extract_all)
    print("| step | seconds | × its baseline |")
    print("|---|---|---|")
    for index, (name, seconds) in enumerate(rows):
        base = rows[index - index % 2][1]
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f} |")
    items = 15 + 5 + 223 + 11461 + 1
    print(f"| wikihow.extract, whole folder ({items:,} inputs) | {whole:.3f} | {items / whole:,.0f} inputs/s |")


if __name__ == "__main__":
    main()
