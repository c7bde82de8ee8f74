"""wikiHow articles -> prompt/response candidates (LIMA §2.1: title as prompt, body as response).

Inputs under ``root``: saved pages (``*.html``, :mod:`.pages`), plain-text articles and CSVs
(:mod:`.formats`), read in that order, each by path; the rules are in :mod:`.rules`. An article
read twice (one page name, so one id) is kept from the first input only (``duplicate_article``).
"""

from __future__ import annotations

import zlib
from functools import partial
from pathlib import Path
from typing import Iterable, Iterator

from lima_curate.config import WikiHowConfig
from lima_curate.executor import Unit
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUALITY,
    META_QUOTA,
    META_TERMS,
    META_URL,
    Example,
    make_id,
)
from lima_curate.rejects import Rejects
from lima_curate.rules import Drop, first_failure
from lima_curate.sources.outcome import Outcome, Rejected, run_units
from lima_curate.sources.rows import Row, table_outcomes
from lima_curate.sources.table import TableCache, input_key
from lima_curate.sources.wikihow.article import UNCATEGORIZED, Article, render
from lima_curate.sources.wikihow.formats import read_csv, read_plaintext
from lima_curate.sources.wikihow.pages import parse_page
from lima_curate.sources.wikihow.rules import RULES, measure, measure_language
from lima_curate.sources.wikihow.titles import (
    core_title,
    howto_prompt,
    page_name_from_title,
    page_url,
    title_from_page_name,
)

SOURCE = "wikihow"
QUOTA = "wikihow"
TERMS = "wikihow"
LICENCE_CHANGE = "2025-03-24"  # wikiHow's terms change; earlier content is CC BY-NC-SA 3.0
LICENCE_BEFORE = "CC BY-NC-SA 3.0"
LICENCE_AFTER = "wikiHow terms (post 2025-03-24)"
_SUFFIX_ORDER = {".html": 0, ".htm": 0, ".txt": 1, ".csv": 2}
SHARDS = 8  # units per kind of page file (HTML, plain text)
#: the measurements table's version: bump it with any change to reading or measuring
VERSION = "wikihow-table-2"


# ---------------------------------------------------------------- reading


def input_files(root: Path) -> list[Path]:
    """The input files under ``root``: HTML, then plain text, then CSV, each by path."""
    files = [
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in _SUFFIX_ORDER
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(files, key=lambda p: (_SUFFIX_ORDER[p.suffix.lower()], p.relative_to(root).as_posix()))


def _unreadable(relative: str, detail: str) -> Rejected:
    record = {"id": make_id(SOURCE, "file", relative), "source": SOURCE, "meta": {"file": relative}}
    return Rejected(record, "unreadable_file", f"{relative}: {detail}")


def read_file(path: Path, relative: str) -> "Iterator[Article | Rejected]":
    """The articles of one input file; an unreadable page is one rejection.

    A CSV with an unknown header raises InputError.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path, relative)
        return
    data = path.read_bytes()
    if not data.strip():
        yield _unreadable(relative, "empty file")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield _unreadable(relative, f"not UTF-8 (byte {error.start})")
        return
    yield read_plaintext(text, relative) if suffix == ".txt" else parse_page(text, relative, path.stem)


# ---------------------------------------------------------------- examples


def licence(date: str, assume_before_change: bool) -> str:
    """The licence of content whose revision date is ``date`` (ISO, "" when unknown)."""
    known = len(date) == 10 and date[4] == "-" and date[7] == "-" and date.replace("-", "").isdigit()
    before = date < LICENCE_CHANGE if known else assume_before_change
    return LICENCE_BEFORE if before else LICENCE_AFTER


def to_example(article: Article, config: WikiHowConfig) -> Example:
    """One article as a candidate with its measurements and provenance on ``meta``."""
    core = core_title(article.title) or core_title(title_from_page_name(article.page_name))
    page = article.page_name or page_name_from_title(core)
    response = render(article, config.pruned_sections)
    category = article.category or UNCATEGORIZED
    steps = article.step_count(config.pruned_sections)
    meta = {
        META_LICENSE: licence(article.date, config.assume_published_before_2025_change),
        META_NONCOMMERCIAL: True,
        META_TERMS: TERMS,
        META_URL: page_url(page) if page else "",
        META_QUOTA: QUOTA,
        META_GROUP: category,
        META_QUALITY: float(steps),
        "title": core,
        "page": page,
        "file": article.file,
        "place": article.place,
        "format": article.layout,
        "steps": steps,
        "response_chars": len(response),
    }
    if article.date:
        meta["revision_date"] = article.date
    if article.views is not None:
        meta["views"] = article.views
    if article.helpful_percent is not None:
        meta["helpful_percent"] = article.helpful_percent
    if article.not_article:
        meta["not_article"] = article.not_article
    prompt = howto_prompt(core, lowercase=config.lowercase_prompt)
    return Example(
        id=make_id(SOURCE, page or f"{article.file}:{article.place}"),
        source=SOURCE,
        domain=category,
        messages=({"role": "user", "content": prompt}, {"role": "assistant", "content": response}),
        meta=meta,
    )


# ---------------------------------------------------------------- work units


def units(root: Path, config: WikiHowConfig, seed: int = 0, tables: "TableCache | None" = None) -> list[Unit]:
    """The work units for the input files under ``root``, in reading order: HTML pages, then plain
    text, each kind in :data:`SHARDS` units by a hash of their path (so that a file added to a large
    folder changes one unit only), then each CSV alone. ``seed`` is unused: nothing here is random."""
    root = Path(root)
    files = input_files(root)
    groups: list[tuple[str, list[Path]]] = []
    for kind, suffixes in (("html", (".html", ".htm")), ("txt", (".txt",))):
        shards: list[list[Path]] = [[] for _ in range(SHARDS)]
        for path in files:
            if path.suffix.lower() in suffixes:
                shards[zlib.crc32(path.relative_to(root).as_posix().encode("utf-8")) % SHARDS].append(path)
        groups += [(f"{kind}-shard{number}", shard) for number, shard in enumerate(shards) if shard]
    groups += [(path.relative_to(root).as_posix(), [path]) for path in files if path.suffix.lower() == ".csv"]
    return [Unit(partial(files_outcomes, members, root, label, config, tables),
                 size=sum(p.stat().st_size for p in members))
            for label, members in groups]


def files_outcomes(
    files: list[Path], root: Path, label: str, config: WikiHowConfig, tables: "TableCache | None" = None
) -> Iterator[Outcome]:
    """Every article of ``files`` (one unit), kept or rejected by :data:`.rules.RULES`."""
    # the settings that change the rendered articles (the table's rows), not the rules
    settings = {"pruned_sections": list(config.pruned_sections), "lowercase_prompt": config.lowercase_prompt,
                "assume_published_before_2025_change": config.assume_published_before_2025_change}
    key = input_key(SOURCE, VERSION, settings, files) if tables is not None else ""
    yield from table_outcomes(tables, SOURCE, root / label, key, lambda: measure_files(files, root, config),
                              lambda rows: decide_rows(rows, config))


def measure_files(files: list[Path], root: Path, config: WikiHowConfig) -> Iterator[Row]:
    """The rows of ``files``: each article with its measurements (:func:`.rules.measure`)."""
    for path in files:
        for article in read_file(path, path.relative_to(root).as_posix()):
            if type(article) is Rejected:
                yield Row(article.record, drop=Drop(article.rule, article.detail), malformed=article.malformed)
                continue
            example = to_example(article, config)
            yield Row(example, measure(example))


def decide_rows(rows: Iterable[Row], config: WikiHowConfig) -> Iterator[Outcome]:
    """Each row decided by :data:`.rules.RULES`; the language, measured last, is added to the row."""
    for row in rows:
        if row.drop is not None:
            yield row.rejected()
            continue
        example = row.record
        assert isinstance(example, Example)
        drop = first_failure(row.measured, RULES, config, {"language": lambda: measure_language(example.response)})
        if "language" in row.measured:
            example = example.with_meta(language=row.measured["language"])
        yield example if drop is None else Rejected.by(drop, example)


def drop_duplicates(outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
    """``duplicate_article``: of the kept articles with one page (one id), the first in reading
    order stays (HTML, then plain text, then CSV, each by path, then place in the file);
    the others are rejected. Drops pass at once; kept articles follow at the end, in the
    order they came."""
    kept: list[Example] = []
    for outcome in outcomes:
        if type(outcome) is Example:
            kept.append(outcome)
        else:
            yield outcome
    first: dict[str, Example] = {}
    for example in kept:
        if example.id not in first or _reading_key(example) < _reading_key(first[example.id]):
            first[example.id] = example
    for example in kept:
        winner = first[example.id]
        if example is winner:
            yield example
        else:
            yield Rejected(example, "duplicate_article",
                           f"same page as {winner.meta['file']} {winner.meta['place']}".strip())


def _reading_key(example: Example) -> tuple:
    file, place = str(example.meta["file"]), str(example.meta.get("place", ""))
    words, _, number = place.rpartition(" ")
    where = (words, int(number)) if number.isdigit() else (place, -1)  # "row 3" before "row 12"
    return (_SUFFIX_ORDER.get(Path(file).suffix.lower(), 3), file, where)


def extract(
    root: Path, config: WikiHowConfig, rejects: Rejects, *, seed: int = 0, tables: "TableCache | None" = None
) -> Iterator[Example]:
    """Yield the wikiHow candidates under ``root`` that pass every rule; drop the rest."""
    yield from run_units(units(root, config, seed, tables), rejects, finish=drop_duplicates)
