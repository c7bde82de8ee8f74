"""Stack Exchange: top answers to top questions, from the official data dump.

One work unit per site (``root/<site>/Posts.xml`` or ``root/<site>.7z``; see :mod:`.dump`),
run by :mod:`lima_curate.executor` (sites in parallel processes when there are cores to
spare; spare processes measure answers during a site's scan):

1. **One streaming pass over Posts.xml** (:mod:`.scan`): memory keeps only integers
   per question and answer, in typed arrays; texts go to a spill file on disk.
2. **Questions ranked by score** (ties: lower id first). Each gets its top answer: the
   highest score; on a tie the accepted answer, then the lower id. The rules that read
   only the ranking (``no_answer``, ``answer_score_below_min``) decide first, for every
   question, before any HTML is cleaned.
3. **Users.xml** (when present) is streamed for the display names of the chosen
   answers' owners only.
4. **Measure, then decide**: for the questions still in, :data:`.rules.RULES` decide in
   their order, each measurement (:mod:`.measure`) taken when a rule first reads it. The
   stage name in rejects is ``extract``.

The prompt is the title alone, or the title and the question body (title, blank line,
body text), chosen by a coin seeded per question (``random.Random(f"{seed}:{site}:{id}")``)
with probability ``title_prompt_probability`` for the title; the choice does not
depend on the order or the set of questions read.

Every kept candidate has ``domain`` ``stem``/``other`` (from :mod:`.sites`), meta
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
``not_self_contained``, ``language``). A dropped candidate carries what was known when it
was dropped: the title as its prompt before the question is cleaned, the answer and its
measurements once measured.

Output order: sites in sorted name order; inside a site, the drops decided on the
ranking alone (in rank order), then the other candidates, kept or dropped (in rank
order). The same for every number of worker processes.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Iterator

from lima_curate.archive_stream import limit_bytes
from lima_curate.config import StackExchangeConfig
from lima_curate.executor import Helpers, Unit
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
from lima_curate.rules import decidable_from, first_failure
from lima_curate.sources.outcome import Outcome, Rejected, run_units
from lima_curate.sources.stackexchange import sites as site_table
from lima_curate.sources.stackexchange.dump import SiteDump, find_sites, is_empty, iter_rows, open_site
from lima_curate.sources.stackexchange.measure import (
    RANKING,
    AnswersAhead,
    measure_answer,
    measure_language,
    not_self_contained,
)
from lima_curate.sources.stackexchange.rules import RULES
from lima_curate.sources.stackexchange.scan import Ranking, Spill, scan_posts
from lima_curate.text.html import CleanHtml, clean_html

SOURCE = "stackexchange"
TERMS = "stackexchange"
LICENSE_DATES = (("2011-04-08", "CC BY-SA 2.5"), ("2018-05-02", "CC BY-SA 3.0"))
LATEST_LICENSE = "CC BY-SA 4.0"
MAX_HELPERS_PER_SITE = 3  # more would wait on the scan that feeds them
RANKING_RULES = decidable_from(RULES, RANKING)

log = logging.getLogger(__name__)


def units(root: Path, config: StackExchangeConfig, seed: int = 0) -> list[Unit]:
    """One work unit per site to read under ``root`` (see :func:`site_outcomes`)."""
    root = Path(root)
    sites = site_table.select_sites(find_sites(root), config, root)
    if not sites:
        log.warning("%s: no Stack Exchange site dumps found (expected <site>/Posts.xml or <site>.7z)", root)
    return [
        Unit(partial(site_outcomes, site, config, seed), size=site.size, helpers=MAX_HELPERS_PER_SITE)
        for site in sites
    ]


def extract(
    root: Path, config: StackExchangeConfig, rejects: Rejects, *, seed: int = 0
) -> Iterator[Example]:
    """Yield the Stack Exchange candidates under ``root`` that pass every rule (``config.workers``
    processes); drops go to ``rejects``."""
    yield from run_units(units(root, config, seed), rejects, workers=config.workers)


# ---------------------------------------------------------------- one site


def site_outcomes(
    site: SiteDump, config: StackExchangeConfig, seed: int = 0, *, helpers: "Helpers | None" = None
) -> Iterator[Outcome]:
    """One site's outcomes, in the order of the module docstring. ``helpers`` measure answers
    while Posts.xml is read (:class:`.measure.AnswersAhead`); the outcomes do not depend on them."""
    with open_site(site, limit_bytes(config.max_archive_member_gib)) as files:
        if is_empty(files.posts):
            log.warning("%s: empty dump, no candidates", files.posts_label)
            return
        with Spill() as spill:
            ahead = AnswersAhead(helpers, config, seed, spill) if helpers is not None else None
            scan = scan_posts(files.posts, files.posts_label, spill, config.min_answer_score,
                              ahead.hint if ahead is not None else None)
            if not scan.questions and not scan.answers:
                log.warning("%s: empty dump (no questions or answers), no candidates", files.posts_label)
                return
            ranking = scan.ranking()
            log.info("%s: %s, %s duplicate questions", site.name, scan.summary(), ranking.duplicates)
            names: dict[int, str] = {}
            if files.users is not None:
                owners = ranking.owners()
                if owners:
                    names = read_user_names(files.users, files.users_label, owners)
            candidates = _SiteCandidates(site.name, site_table.site_domain(site.name, config), config, seed, names, spill)
            remaining: list[int] = []
            for position, row in enumerate(ranking.rows()):
                question_id, question_score, question_offset, answer_id, answer_score = row
                answer = answer_id if answer_id >= 0 else None
                drop = first_failure({"answer_id": answer, "answer_score": answer_score}, RANKING_RULES, config)
                if drop is None:
                    remaining.append(position)
                    continue
                title = spill.read(question_offset)[0]
                yield Rejected.by(drop, candidates.stub(question_id, question_score, title, answer, answer_score))
            if ahead is not None:
                ahead.finish()
            for position in remaining:
                yield candidates.decide(ranking, position, ahead)


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


@dataclass
class _Question:
    """A question as the prompt uses it; its body is cleaned when first asked for."""

    title: str
    html: str
    kind: str  # "title" (the prompt is the title alone) or "body"

    @cached_property
    def body(self) -> CleanHtml:
        return clean_html(self.html)

    @property
    def prompt(self) -> str:
        return self.title if self.kind == "title" or not self.body.text else f"{self.title}\n\n{self.body.text}"

    def measure(self) -> dict[str, str]:
        return {"not_self_contained": not_self_contained(self.title, self.body, self.kind)}


class _SiteCandidates:
    """Builds one site's candidates from the ranking and decides them with :data:`.rules.RULES`."""

    def __init__(
        self, site: str, domain: str, config: StackExchangeConfig, seed: int, names: dict[int, str], spill: Spill
    ) -> None:
        self.site, self.domain, self.config, self.seed, self.names, self.spill = site, domain, config, seed, names, spill

    def decide(self, ranking: Ranking, position: int, ahead: "AnswersAhead | None") -> Outcome:
        """The candidate at ``position`` (its pairing already kept), measured and decided."""
        question_id = int(ranking.question_id[position])
        answer_id, answer_score = int(ranking.answer_id[position]), int(ranking.answer_score[position])
        title, question_html, tags, _, _, question_owner_name = self.spill.read(int(ranking.question_offset[position]))
        example = self.stub(question_id, int(ranking.question_score[position]), title, answer_id, answer_score)
        answer = self.spill.read(ranking.answers[answer_id][0])
        text, measured = (ahead.measured(answer_id) if ahead is not None else None) or measure_answer(
            answer[0], self.config, self.seed
        )
        language = measured.pop("language", None)  # measured ahead or not: taken at the same rule
        example = self._with_answer(example, answer, text, measured)
        kind = "title" if prompt_is_title(self.seed, self.site, question_id, self.config.title_prompt_probability) else "body"
        question = _Question(title.strip(), question_html, kind)
        measurements = {"answer_id": answer_id, "answer_score": answer_score, **measured}
        measure = {
            "not_self_contained": question.measure,
            "language": lambda: {"language": language} if language is not None else measure_language(text, self.seed),
        }
        drop = first_failure(measurements, RULES, self.config, measure)
        if "not_self_contained" in measurements:
            owner = int(ranking.question_owner[position])
            example = self._with_question(example, question, tags, owner, question_owner_name,
                                          measurements["not_self_contained"])
        if "language" in measurements:
            example = example.with_meta(language=measurements["language"])
        return example if drop is None else Rejected.by(drop, example)

    def stub(
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

    def _with_answer(self, stub: Example, answer: tuple, text: str, measured: dict[str, Any]) -> Example:
        """Add the clean answer, its measurements and the provenance of the answer."""
        _, created, content_license, owner, owner_name = answer
        meta: dict[str, Any] = {
            META_QUOTA: f"{SOURCE}_{self.domain}",
            META_QUALITY: float(stub.meta["answer_score"]),
            META_LICENSE: license_for(content_license, created),
            META_NONCOMMERCIAL: False,
            META_TERMS: TERMS,
            "creation_date": created,
            **measured,
        }
        author = self.names.get(owner) or owner_name
        if author:
            meta["author"] = author
            if owner and owner in self.names:
                meta["author_url"] = f"https://{self.site}/users/{owner}"
        messages = (stub.messages[0], {"role": "assistant", "content": text})
        return stub.with_messages(messages).with_meta(**meta)

    def _with_question(
        self, example: Example, question: _Question, tags: str, owner: int, owner_name: str, not_contained: str
    ) -> Example:
        """Add the prompt (title or title and body, by the coin), the question's measurement
        and its author."""
        messages = ({"role": "user", "content": question.prompt}, example.messages[1])
        authorship: dict[str, str] = {}
        author = self.names.get(owner) or owner_name
        if author:
            authorship["question_author"] = author
            if owner and owner in self.names:
                authorship["question_author_url"] = f"https://{self.site}/users/{owner}"
        return example.with_messages(messages).with_meta(
            **authorship,
            prompt_kind=question.kind,
            tags=parse_tags(tags),
            not_self_contained=not_contained,
        )
