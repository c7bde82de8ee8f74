"""Stack Exchange: top answers to top questions, from the official data dump.

Per site (``root/<site>/Posts.xml`` or ``root/<site>.7z``; see :mod:`.se_dump`):

1. **One streaming pass over Posts.xml** (:mod:`.se_scan`): memory keeps only integers
   per question and answer, in typed arrays; texts go to a spill file on disk.
2. **Questions ranked by score** (ties: lower id first). Each gets its top answer: the
   highest score; on a tie the accepted answer, then the lower id. ``no_answer`` and
   ``answer_score_below_min`` decide on these integers, before any HTML is cleaned.
3. **Users.xml** (when present) is streamed for the display names of the chosen
   answers' owners only.
4. **Measure, then decide**: answers are cleaned and measured (:mod:`.se_answers`, in
   helper processes during the scan when cores are spare), questions are cleaned for
   the candidates still in, and the rules of :mod:`.se_rules` decide (their order and
   exact tests are documented there). The stage name in rejects is ``extract``.

The prompt is the title alone, or the title and the question body (title, blank line,
body text), chosen by a coin seeded per question (``random.Random(f"{seed}:{site}:{id}")``)
with probability ``title_prompt_probability`` for the title; the choice does not
depend on the order or the set of questions read.

Every kept candidate has ``domain`` ``stem``/``other`` (from :mod:`.se_sites`), meta
``quota`` ``stackexchange_stem``/``stackexchange_other``, ``group`` = the site (the
selection stage samples sites inside a quota with temperature τ, 3 in the LIMA
recipe, over these groups), ``quality`` = the answer score, and provenance: ``site``,
``question_id``, ``answer_id``, ``question_score``, ``answer_score``, ``url``
(``https://<site>/a/<answer id>``), ``question_url``, ``author`` and ``author_url`` (from
Users.xml; without it, the post's ``OwnerDisplayName`` when present), ``creation_date``
(of the answer), ``license`` (the answer's ``ContentLicense``, else by date: CC BY-SA 2.5
before 2011-04-08, 3.0 before 2018-05-02, 4.0 after), ``noncommercial`` False, ``terms``
``stackexchange``, ``prompt_kind`` ``title``/``body``, ``tags``, ``split`` ``train``, and
the measurements the rules compared (``answer_chars``, ``first_person``, ``refers_to``,
``not_self_contained``, ``language``).

Output order: sites in sorted name order, inside a site by question rank. With
``workers`` > 1 and a dump of at least ``PARALLEL_MIN_BYTES``, sites are extracted in
parallel processes (spawned: a script calling :func:`extract` needs the usual
``if __name__ == "__main__":`` guard); each writes its kept candidates and rejects to
temporary files, which the parent replays in site order. Spare processes (up to
``MAX_HELPERS_PER_SITE``) measure answers for a site (one site and two workers: one
helper). The output and the rejects
are the same for every number of workers. Per-site meta sites (``meta.*``) are skipped
unless ``include_meta_sites`` is set or the site is named in ``sites``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import random
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from lima_curate.archive_stream import limit_bytes
from lima_curate.config import ConfigError, StackExchangeConfig
from lima_curate.errors import InputError
from lima_curate.records import (
    META_GROUP,
    META_LICENSE,
    META_NONCOMMERCIAL,
    META_QUALITY,
    META_QUOTA,
    META_SPLIT,
    META_TERMS,
    META_URL,
    Example,
    dumps,
    make_id,
)
from lima_curate.rejects import Rejects
from lima_curate.rules import Rule
from lima_curate.sources import se_rules
from lima_curate.sources.se_answers import AnswerMeasurer
from lima_curate.sources.se_dump import SiteDump, find_sites, is_empty, iter_rows, open_site
from lima_curate.sources.se_scan import Ranking, Spill, scan_posts
from lima_curate.sources.se_sites import check_config, is_meta_site, short_name, site_domain
from lima_curate.text.html import clean_html

SOURCE = "stackexchange"
STAGE = "extract"
TERMS = "stackexchange"
LICENSE_DATES = (("2011-04-08", "CC BY-SA 2.5"), ("2018-05-02", "CC BY-SA 3.0"))
LATEST_LICENSE = "CC BY-SA 4.0"
PARALLEL_MIN_BYTES = 32 * 2**20  # smaller dumps are extracted in one process
MAX_HELPERS_PER_SITE = 3  # more would wait on the scan that feeds them

log = logging.getLogger(__name__)
Note = Callable[[int, str], None]


def extract(
    root: Path, config: StackExchangeConfig, rejects: Rejects, *, seed: int = 0
) -> Iterator[Example]:
    """Yield the Stack Exchange candidates under ``root`` that pass every rule."""
    _check(config)
    sites = select_sites(find_sites(Path(root)), config, Path(root))
    if not sites:
        log.warning("%s: no Stack Exchange site dumps found (expected <site>/Posts.xml or <site>.7z)", root)
        return
    processes = config.workers or os.cpu_count() or 1
    if sum(site.size for site in sites) < PARALLEL_MIN_BYTES:
        processes = 1  # starting processes would cost more than it saves
    parallel_sites = min(processes, len(sites))
    # spare processes measure answers for each site; a few keep up with one scan
    helpers = min(processes // parallel_sites - 1, MAX_HELPERS_PER_SITE)
    if parallel_sites <= 1:
        for site in sites:
            yield from extract_site(site, config, rejects, seed=seed, helpers=helpers)
    else:
        yield from _extract_parallel(sites, config, rejects, seed, parallel_sites, helpers)


def _check(config: StackExchangeConfig) -> None:
    where = "sources.stackexchange"
    check_config(config)
    if not 0.0 <= config.title_prompt_probability <= 1.0:
        raise ConfigError(f"{where}.title_prompt_probability: expected 0..1, got {config.title_prompt_probability}")
    if config.min_answer_chars > config.max_answer_chars:
        raise ConfigError(f"{where}: min_answer_chars is above max_answer_chars")
    if config.workers < 0:
        raise ConfigError(f"{where}.workers: expected 0 or more, got {config.workers}")


def select_sites(sites: list[SiteDump], config: StackExchangeConfig, root: Path) -> list[SiteDump]:
    """The sites to read: those named in ``config.sites`` (all when empty), meta sites aside."""
    if config.sites:
        by_name = {}
        for site in sites:
            by_name[site.name.lower()] = site
            by_name.setdefault(short_name(site.name), site)
        chosen = []
        for name in config.sites:
            site = by_name.get(name.lower())
            if site is None:
                known = ", ".join(s.name for s in sites) or "none"
                raise InputError(root, f"site {name!r} not found (found: {known})")
            chosen.append(site)
        return sorted(set(chosen), key=lambda s: s.name)
    kept = [s for s in sites if config.include_meta_sites or not is_meta_site(s.name)]
    for site in sites:
        if site not in kept:
            log.info("%s: skipping meta site %s", root, site.name)
    return kept


# ---------------------------------------------------------------- one site


def extract_site(
    site: SiteDump,
    config: StackExchangeConfig,
    rejects: Rejects,
    *,
    seed: int = 0,
    helpers: int = 0,
    note: "Note | None" = None,
) -> Iterator[Example]:
    """Yield one site's candidates that pass every rule, best-ranked question first.

    ``helpers`` extra processes measure answers while Posts.xml is read (see
    :mod:`.se_answers`); the output does not depend on it.
    """
    note = note or log.log
    with open_site(site, limit_bytes(config.max_archive_member_gib)) as files:
        if is_empty(files.posts):
            note(logging.WARNING, f"{files.posts_label}: empty dump, no candidates")
            return
        with Spill() as spill:
            measurer = AnswerMeasurer(config, seed, spill, helpers)
            try:
                hook = measurer.hint if measurer.ahead else None
                scan = scan_posts(files.posts, files.posts_label, spill, config.min_answer_score, hook)
                if not scan.questions and not scan.answers:
                    note(logging.WARNING, f"{files.posts_label}: empty dump (no questions or answers), no candidates")
                    return
                ranking = scan.ranking()
                note(logging.INFO, f"{site.name}: {scan.summary()}, {ranking.duplicates} duplicate questions")
                names: dict[int, str] = {}
                if files.users is not None:
                    owners = ranking.owners()
                    if owners:
                        names = read_user_names(files.users, files.users_label, owners)
                builder = _Builder(site.name, site_domain(site.name, config), config, seed, names)
                candidates = builder.pair(ranking, spill, rejects)
                measurer.finish()
                yield from builder.decide(candidates, ranking, spill, measurer, rejects)
            finally:
                measurer.close()


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


def license_for(content_license: str, creation_date: str) -> str:
    """The post's licence: its ContentLicense, else the one in force on its date."""
    if content_license:
        return content_license
    for before, name in LICENSE_DATES:
        if creation_date[:10] < before:
            return name
    return LATEST_LICENSE


def parse_tags(tags: str) -> list[str]:
    """``<a><b>`` (older dumps) or ``|a|b|`` (newer) -> ``["a", "b"]``."""
    if tags.startswith("<"):
        return [t for t in tags[1:-1].split("><") if t] if tags.endswith(">") else []
    return [t for t in tags.split("|") if t]


def prompt_is_title(seed: int, site: str, question_id: int, probability: float) -> bool:
    """The per-question coin: True when the prompt is the title alone."""
    return random.Random(f"{seed}:{site}:{question_id}").random() < probability


class _Builder:
    """Turns ranked question/answer pairs into decided candidates for one site.

    Each step measures, then its rules decide, so the costly steps run only for
    candidates that are still in. Drops decided on the pairing alone come first (in
    rank order), then the drops and keeps of the candidates (in rank order). A
    candidate dropped before its question is cleaned carries the title as its prompt.
    """

    def __init__(
        self, site: str, domain: str, config: StackExchangeConfig, seed: int, names: dict[int, str]
    ) -> None:
        self.site, self.domain, self.config, self.seed, self.names = site, domain, config, seed, names
        self.pairing_rules = se_rules.pairing_rules(config)
        self.answer_rules = se_rules.answer_rules(config)
        self.question_rules = se_rules.question_rules()
        self.language_rules = se_rules.language_rules()

    def pair(self, ranking: Ranking, spill: Spill, rejects: Rejects) -> list[int]:
        """Apply the pairing rules; return the rank positions of the questions still in."""
        candidates: list[int] = []
        for position, (question_id, score, offset, answer_id, answer_score) in enumerate(ranking.rows()):
            title = spill.read(offset)[0]
            stub = self._stub(question_id, score, title, answer_id if answer_id >= 0 else None, answer_score)
            if not _dropped(stub, self.pairing_rules, rejects):
                candidates.append(position)
        return candidates

    def decide(
        self, candidates: list[int], ranking: Ranking, spill: Spill, measurer: AnswerMeasurer, rejects: Rejects
    ) -> Iterator[Example]:
        for position in candidates:
            question_id = int(ranking.question_id[position])
            answer_id = int(ranking.answer_id[position])
            question = spill.read(int(ranking.question_offset[position]))
            title = question[0]
            example = self._stub(
                question_id, int(ranking.question_score[position]), title, answer_id, int(ranking.answer_score[position])
            )
            raw = spill.read(ranking.answers[answer_id][0])
            text, measures = measurer.measured(answer_id, raw[0])
            language = measures.pop("language", None)  # measured ahead or not: added at the same step
            example = self._with_answer(example, raw, text, measures)
            if _dropped(example, self.answer_rules, rejects):
                continue
            example = self._with_question(example, question, int(ranking.question_owner[position]))
            if _dropped(example, self.question_rules, rejects):
                continue
            if language is None:
                language = se_rules.measure_language(example.response, seed=self.seed)["language"]
            example = example.with_meta(language=language)
            if _dropped(example, self.language_rules, rejects):
                continue
            rejects.keep(example, stage=STAGE)
            yield example

    def _stub(
        self, question_id: int, question_score: int, title: str, answer_id: "int | None", answer_score: "int | None"
    ) -> Example:
        """A candidate with provenance only, for the decisions taken before cleaning HTML."""
        key = (self.site, answer_id) if answer_id is not None else (self.site, "question", question_id)
        meta = {
            "site": self.site,
            "question_id": question_id,
            "question_score": question_score,
            "question_url": f"https://{self.site}/q/{question_id}",
            "answer_id": answer_id,
            "answer_score": answer_score if answer_id is not None else None,
            META_GROUP: self.site,
        }
        if answer_id is not None:
            meta[META_URL] = f"https://{self.site}/a/{answer_id}"
        return Example(
            id=make_id(SOURCE, *key),
            source=SOURCE,
            domain=self.domain,
            messages=({"role": "user", "content": title.strip()},),
            meta=meta,
        )

    def _with_answer(self, stub: Example, raw: tuple, text: str, measures: dict[str, Any]) -> Example:
        """Add the clean answer, its measurements and the provenance of the answer."""
        _, created, content_license, owner, owner_name = raw
        meta: dict[str, Any] = {
            META_QUOTA: f"{SOURCE}_{self.domain}",
            META_QUALITY: float(stub.meta["answer_score"]),
            META_LICENSE: license_for(content_license, created),
            META_NONCOMMERCIAL: False,
            META_TERMS: TERMS,
            "creation_date": created,
            **measures,
        }
        author = self.names.get(owner) or owner_name
        if author:
            meta["author"] = author
            if owner and owner in self.names:
                meta["author_url"] = f"https://{self.site}/users/{owner}"
        messages = (stub.messages[0], {"role": "assistant", "content": text})
        return stub.with_messages(messages).with_meta(**meta)

    def _with_question(self, example: Example, question: tuple, owner: int) -> Example:
        """Add the prompt (title or title and body, by the coin), the question's measurements
        and its author."""
        title, question_html, tags, _, _, owner_name = question
        title = title.strip()
        body = clean_html(question_html)
        title_only = prompt_is_title(
            self.seed, self.site, example.meta["question_id"], self.config.title_prompt_probability
        )
        kind = "title" if title_only else "body"
        prompt = title if title_only or not body.text else f"{title}\n\n{body.text}"
        messages = ({"role": "user", "content": prompt}, example.messages[1])
        authorship: dict[str, str] = {}
        author = self.names.get(owner) or owner_name
        if author:
            authorship["question_author"] = author
            if owner and owner in self.names:
                authorship["question_author_url"] = f"https://{self.site}/users/{owner}"
        return example.with_messages(messages).with_meta(
            **authorship,
            prompt_kind=kind,
            tags=parse_tags(tags),
            not_self_contained=se_rules.not_self_contained(title, body, kind),
        )


def _dropped(example: Example, rules: "tuple[Rule, ...]", rejects: Rejects) -> bool:
    """Send ``example`` to ``rejects`` under the first rule it fails; True when it did."""
    for rule in rules:
        detail = rule(example)
        if detail is not None:
            rejects.drop(example, stage=STAGE, rule=rule.name, detail=detail)
            return True
    return False


# ---------------------------------------------------------------- many sites in parallel


@dataclass(frozen=True)
class _SiteOutcome:
    kept_path: str
    rejects_path: str
    kept: dict
    notes: list
    error: "tuple[str, str, str | None] | None" = None


def _site_worker(site: SiteDump, config: StackExchangeConfig, seed: int, helpers: int, folder: str) -> _SiteOutcome:
    """Extract one site in a worker process into files under ``folder``."""
    notes: list[tuple[int, str]] = []
    kept_path = os.path.join(folder, "kept.jsonl")
    rejects = Rejects(Path(folder) / "rejects.jsonl")
    try:
        with open(kept_path, "w", encoding="utf-8", newline="\n") as handle:
            examples = extract_site(
                site, config, rejects, seed=seed, helpers=helpers, note=lambda level, msg: notes.append((level, msg))
            )
            for example in examples:
                handle.write(dumps(example.to_dict()))
                handle.write("\n")
    except InputError as error:  # InputError does not pickle; send its parts
        return _SiteOutcome(kept_path, str(rejects.path), {}, notes, (error.path, error.message, error.place))
    finally:
        rejects.close()
    return _SiteOutcome(kept_path, str(rejects.path), dict(rejects.kept), notes)


def _extract_parallel(
    sites: list[SiteDump], config: StackExchangeConfig, rejects: Rejects, seed: int, workers: int, helpers: int
) -> Iterator[Example]:
    tmp = tempfile.mkdtemp(prefix="lima-se-sites-")
    # spawn, not fork: the parent may hold threads (tokenizers, torch) that fork would copy mid-state
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures: list[Future] = []
        for number, site in enumerate(sites):
            folder = os.path.join(tmp, f"{number:05d}")
            os.makedirs(folder)
            futures.append(pool.submit(_site_worker, site, config, seed, helpers, folder))
        for future in futures:
            outcome: _SiteOutcome = future.result()
            for level, message in outcome.notes:
                log.log(level, message)
            if outcome.error is not None:
                raise InputError(*outcome.error)
            _replay_rejects(Path(outcome.rejects_path), rejects)
            rejects.kept.update(outcome.kept)
            with open(outcome.kept_path, encoding="utf-8") as handle:
                for line in handle:
                    yield Example.from_dict(json.loads(line))
            os.unlink(outcome.kept_path)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _replay_rejects(path: Path, rejects: Rejects) -> None:
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rejects.drop(row["record"], stage=row["stage"], rule=row["rule"], detail=row["detail"], source=row["source"])
