"""wikiHow articles -> prompt/response candidates (LIMA §2.1: title as prompt, body as response).

Inputs, anywhere under ``root`` (``raw/wikihow``; hidden files and other extensions
are ignored):

``*.html`` / ``*.htm``
    Saved wikiHow article pages (MediaWiki HTML), see :mod:`wikihow_html`.
``*.txt``
    Plain-text articles, ``TITLE:``/``SECTION:``/``STEP n.`` lines, see
    :mod:`wikihow_formats`. A ``.txt`` without a ``TITLE:`` line (a title list, say)
    is dropped as ``not_an_article``.
``*.csv``
    Told apart by the header (see :mod:`wikihow_formats`): step rows
    ``title,heading,paragraph``; the summarisation layouts ``headline,title,text``
    (``wikihowAll.csv``) and ``overview,headline,text,sectionLabel,title``
    (``wikihowSep.csv``); ``title,result`` (wikihow_lists); optional extra columns
    ``category``, ``url``, ``date``. A community Q&A file (``Question,Answer,...``) is
    skipped as one ``not_an_article`` drop. Any other header is an InputError.

Each article becomes one :class:`~lima_curate.records.Example`:

* prompt: the title as a question, ``How to cook pasta?`` (``How to `` + the title
  without "How to"/"N Ways to", subtitles, "(with Pictures)" or " - wikiHow";
  plain capitalised words lower-cased unless ``lowercase_prompt`` is off);
* response: intro, ``## method`` headings and renumbered steps with their sub-items;
  links keep their text; images, videos, ads, polls, reference markers and scripts
  go; sections named in ``pruned_sections`` go; a sentence starting "This article" or
  "This wikiHow" starts "The following answer" instead (as in the paper);
* ``id``: ``make_id("wikihow", page name)``, the page name being the URL name
  (``Cook-Pasta``) or made from the title, so the same article read from two inputs
  has one id and the second copy is dropped as ``duplicate_article`` (inputs are read
  HTML first, then plain text, then CSV, each in path order);
* ``domain`` and meta ``group``: the top-level wikiHow category (first breadcrumb
  after "Categories", or the ``category`` column), ``uncategorized`` when unknown.
  The paper samples a category first and then an article in it: the selection
  stage does that from ``group`` when the ``wikihow`` quota has ``temperature: .inf``
  (uniform over groups);
* meta ``quality``: the number of steps kept (articles that break the task into more
  steps rank higher; every input format has it, so all formats share one scale);
  ``views`` and ``helpful_percent`` are kept as provenance when a page shows them;
* licence: wikiHow text is CC BY-NC-SA 3.0 up to its terms change of 2025-03-24;
  content from that day on is recorded as ``wikiHow terms (post 2025-03-24)``. The
  date is the revision date the input gives (HTML: JSON-LD ``dateModified``,
  ``wgRevisionTimestamp`` or the "Last Updated" byline; CSV: a ``date`` column);
  without one, ``assume_published_before_2025_change`` decides (default: before).
  ``noncommercial`` is always True, ``terms`` is ``wikihow``, ``quota`` ``wikihow``.

Rules (stage ``extract``), the first that fails names the drop: ``unreadable_file``
(empty or not UTF-8 page), ``not_an_article``, ``empty_title``,
``response_too_short``/``response_too_long`` (cleaned response, config bounds),
``not_english`` (language of the response), ``duplicate_article``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from lima_curate.config import WikiHowConfig
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
from lima_curate.rules import Rule, length_rules
from lima_curate.sources.wikihow.article import UNCATEGORIZED, Article, render
from lima_curate.sources.wikihow.formats import read_csv, read_plaintext
from lima_curate.sources.wikihow.pages import parse_page
from lima_curate.sources.wikihow.titles import (
    core_title,
    howto_prompt,
    page_name_from_title,
    page_url,
    title_from_page_name,
)
from lima_curate.text.lang import detect_language

SOURCE = "wikihow"
STAGE = "extract"
QUOTA = "wikihow"
TERMS = "wikihow"
LICENCE_CHANGE = "2025-03-24"  # wikiHow's terms change; earlier content is CC BY-NC-SA 3.0
LICENCE_BEFORE = "CC BY-NC-SA 3.0"
LICENCE_AFTER = "wikiHow terms (post 2025-03-24)"
_SUFFIX_ORDER = {".html": 0, ".htm": 0, ".txt": 1, ".csv": 2}


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


def _unreadable(rejects: Rejects, relative: str, detail: str) -> None:
    record = {"id": make_id(SOURCE, "file", relative), "source": SOURCE, "meta": {"file": relative}}
    rejects.drop(record, stage=STAGE, rule="unreadable_file", detail=f"{relative}: {detail}")


def _text(path: Path, relative: str, rejects: Rejects) -> "str | None":
    """A page's text, or None after recording why it cannot be read."""
    data = path.read_bytes()
    if not data.strip():
        _unreadable(rejects, relative, "empty file")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _unreadable(rejects, relative, f"not UTF-8 (byte {error.start})")
        return None


def read_articles(root: Path, rejects: Rejects) -> Iterator[Article]:
    """Every article of every input under ``root``, in a fixed order.

    Unreadable pages go to ``rejects``; a CSV with an unknown header raises InputError.
    """
    for path in input_files(root):
        relative = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        if suffix == ".csv":
            yield from read_csv(path, relative)
            continue
        text = _text(path, relative, rejects)
        if text is None:
            continue
        if suffix == ".txt":
            yield read_plaintext(text, relative)
        else:
            yield parse_page(text, relative, path.stem)


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


# ---------------------------------------------------------------- rules


def rules(config: WikiHowConfig) -> tuple[Rule, ...]:
    """The cheap rules, in order; ``not_english`` runs after them (it measures)."""

    def not_an_article(ex: Example) -> "str | None":
        if ex.meta.get("not_article"):
            return str(ex.meta["not_article"])
        return None if ex.meta.get("steps") else "no steps left after pruning sections"

    return (
        Rule("not_an_article", not_an_article, "Input item with no steps (category page, Q&A, ingredient list)."),
        Rule("empty_title", lambda ex: None if ex.prompt else "no title", "No usable title for the prompt."),
        *length_rules("response_chars", config.min_response_chars, config.max_response_chars,
                      too_short="response_too_short", too_long="response_too_long", what="Cleaned article body"),
    )


NOT_ENGLISH = Rule(
    "not_english",
    lambda ex: None if ex.meta.get("language") == "en" else f"language {ex.meta.get('language')}",
    "Response not detected as English.",
)


def _first_failure(example: Example, checks: "tuple[Rule, ...]") -> "tuple[str, str] | None":
    for rule in checks:
        detail = rule(example)
        if detail is not None:
            return rule.name, detail
    return None


def extract(root: Path, config: WikiHowConfig, rejects: Rejects, *, seed: int = 0) -> Iterator[Example]:
    """Yield the wikiHow candidates under ``root`` that pass every rule; drop the rest.

    ``seed`` is unused: nothing here is random (language detection is seeded with 0
    so that a text gets the same answer whatever the build's seed).
    """
    root = Path(root)
    checks = rules(config)
    seen: dict[str, str] = {}
    for article in read_articles(root, rejects):
        example = to_example(article, config)
        failed = _first_failure(example, checks)
        if failed is None:
            example = example.with_meta(language=detect_language(example.response))
            failed = _first_failure(example, (NOT_ENGLISH,))
        if failed is None and example.id in seen:
            failed = ("duplicate_article", f"same page as {seen[example.id]}")
        if failed is not None:
            rejects.drop(example, stage=STAGE, rule=failed[0], detail=failed[1])
            continue
        seen[example.id] = f"{article.file} {article.place}".strip()
        rejects.keep(example, stage=STAGE)
        yield example
