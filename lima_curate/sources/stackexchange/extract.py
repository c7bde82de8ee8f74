"""Stack Exchange: top answers to top questions, from the official data dump.

One work unit per site (:mod:`.dump`): one streaming pass over Posts.xml (:mod:`.scan`) makes the
site's measurements table (:mod:`.table`), which the rules (:mod:`.rules`) then decide. With a table
cache, the next build of the same dump decides from the saved table without reading the dump (while
``min_answer_score`` is at or above the table's floor).

Output order: sites by name; inside a site, batch by batch of ranked questions, the drops decided on
whole columns, then the other candidates in rank order. The same for any number of worker
processes, and whether the table was measured now or read from the cache.
"""

from __future__ import annotations

import contextlib
import logging
from functools import cache, partial
from pathlib import Path
from typing import Any, Iterator

from lima_curate.archive_stream import limit_bytes
from lima_curate.config import StackExchangeConfig
from lima_curate.executor import Helpers, Unit
from lima_curate.records import Example
from lima_curate.rejects import Rejects
from lima_curate.sources.outcome import Outcome, run_units
from lima_curate.sources.stackexchange import sites as site_table
from lima_curate.sources.stackexchange import table as site_rows
from lima_curate.sources.stackexchange.ahead import AnswersAhead
from lima_curate.sources.stackexchange.dump import SiteDump, find_sites, is_empty, iter_rows, open_site
from lima_curate.sources.stackexchange.scan import Spill, scan_posts
from lima_curate.sources.table import TableCache, input_key

SOURCE = site_rows.SOURCE
MAX_HELPERS_PER_SITE = 3  # more would wait on the scan that feeds them
FLOOR = "min_answer_score"  # the table's metadata key for its measuring floor

log = logging.getLogger(__name__)


def units(root: Path, config: StackExchangeConfig, seed: int = 0, tables: "TableCache | None" = None) -> list[Unit]:
    """One work unit per site to read under ``root`` (see :func:`site_outcomes`)."""
    root = Path(root)
    sites = site_table.select_sites(find_sites(root), config, root)
    if not sites:
        log.warning("%s: no Stack Exchange site dumps found (expected <site>/Posts.xml or <site>.7z)", root)
    return [
        Unit(partial(site_outcomes, site, config, seed, tables), size=site.size, helpers=MAX_HELPERS_PER_SITE)
        for site in sites
    ]


def extract(
    root: Path, config: StackExchangeConfig, rejects: Rejects, *, seed: int = 0, tables: "TableCache | None" = None
) -> Iterator[Example]:
    """Yield the Stack Exchange candidates under ``root`` that pass every rule (``config.workers``
    processes); drops go to ``rejects``. ``tables``: keep the sites' measurements tables there."""
    yield from run_units(units(root, config, seed, tables), rejects, workers=config.workers)


# ---------------------------------------------------------------- one site


def site_outcomes(
    site: SiteDump, config: StackExchangeConfig, seed: int = 0, tables: "TableCache | None" = None,
    *, helpers: "Helpers | None" = None,
) -> Iterator[Outcome]:
    """One site's outcomes, in the order of the module docstring. ``helpers`` measure answers
    while Posts.xml is read (:mod:`.ahead`); the outcomes do not depend on them."""
    decider = site_rows.Site(site.name, site_table.site_domain(site.name, config), config, seed)
    path = key = None
    if tables is not None:
        path, key = tables.path(SOURCE, site.location), input_key(SOURCE, site_rows.VERSION, {}, site.files)
        cached = tables.open(path, key)
        floor = None if cached is None else (cached.schema_arrow.metadata or {}).get(FLOOR.encode("utf-8"))
        if floor is not None and floor.lstrip(b"-").isdigit() and int(floor) <= config.min_answer_score:
            log.info("%s: deciding from the measurements table %s", site.name, path)
            yield from _decide_cached(cached, decider, tables, path, key, floor.decode("ascii"))
            return
        if cached is not None:  # measured above a lower floor than this config needs
            cached.close()
    yield from _measure_and_decide(site, decider, helpers, tables, path, key)


def _measure_and_decide(
    site: SiteDump, decider: site_rows.Site, helpers: "Helpers | None", tables: "TableCache | None",
    path: "Path | None", key: "str | None",
) -> Iterator[Outcome]:
    config = decider.config
    with open_site(site, limit_bytes(config.max_archive_member_gib)) as files:
        if is_empty(files.posts):
            log.warning("%s: empty dump, no candidates", files.posts_label)
            return
        with Spill() as spill:
            ahead = AnswersAhead(helpers, config, spill) if helpers is not None else None
            scan = scan_posts(files.posts, files.posts_label, spill, config.min_answer_score,
                              ahead.hint if ahead is not None else None)
            if not scan.questions and not scan.answers:
                log.warning("%s: empty dump (no questions or answers), no candidates", files.posts_label)
                return
            summary = scan.summary()
            ranking = scan.ranking()
            log.info("%s: %s, %s duplicate questions", site.name, summary, ranking.duplicates)
            names: dict[int, str] = {}
            if files.users is not None:
                owners = ranking.owners()
                if owners:
                    names = read_user_names(files.users, files.users_label, owners)
            if ahead is not None:
                ahead.finish()
            writing = (tables.writing(path, site_rows.schema(), key, {FLOOR: str(config.min_answer_score)})
                       if tables is not None else contextlib.nullcontext())
            with writing as writer:
                for batch in site_rows.build_batches(ranking, scan, spill, names, site.name, config.min_answer_score):
                    decided = site_rows.decide_batch(batch, decider, ahead)
                    if writer is not None:
                        writer.write_batch(site_rows.with_taken(batch, decided.taken))
                    yield from decided.outcomes


def _decide_cached(
    parquet: Any, decider: site_rows.Site, tables: TableCache, path: Path, key: str, floor: str
) -> Iterator[Outcome]:
    """Decide from a saved table (``parquet``: its open ParquetFile; one row group per
    batch), reading the HTML columns of a batch only when a measurement needs them. If
    deciding takes new measurements, the table is saved again from the first batch that
    took some: the batches before it copied as stored."""
    import pyarrow as pa

    schema = parquet.schema_arrow
    names = [name for name in schema.names if name not in site_rows.HTML]
    with contextlib.ExitStack() as stack:
        saving, writer = False, None  # writer: None until saving, or when the disk refused the file
        for number in range(parquet.num_row_groups):
            batch = _read_group(parquet, number, names)
            html = cache(partial(_read_group, parquet, number, list(site_rows.HTML)))
            decided = site_rows.decide_batch(batch, decider, html=html)
            if decided.taken and not saving:
                log.info("%s: saving the new measurements, from batch %d on", decider.name, number)
                saving = True
                writer = stack.enter_context(tables.writing(path, schema, key, {FLOOR: floor}))
                for earlier in range(number if writer is not None else 0):
                    writer.write_batch(_read_group(parquet, earlier))
            if writer is not None:
                whole = [(html() if name in site_rows.HTML else batch).column(name) for name in schema.names]
                writer.write_batch(site_rows.with_taken(pa.RecordBatch.from_arrays(whole, schema=schema),
                                                        decided.taken))
            yield from decided.outcomes


def _read_group(parquet: Any, number: int, columns: "list[str] | None" = None) -> Any:
    """Row group ``number`` of a saved table (only ``columns``, when given) as one record batch."""
    table = parquet.read_row_group(number, columns=columns, use_threads=False)
    batches = table.to_batches()
    return batches[0] if len(batches) == 1 else table.combine_chunks().to_batches()[0]


def read_user_names(path: Path, label: str, wanted: set[int]) -> dict[int, str]:
    """Display names of the users in ``wanted``, streamed from Users.xml."""
    if is_empty(path):
        return {}
    names: dict[int, str] = {}
    for row in iter_rows(path, label):
        try:
            user_id = int(row.get("Id"))
        except (TypeError, ValueError):
            continue
        if user_id in wanted:
            name = row.get("DisplayName")
            if name:
                names[user_id] = name
    return names
