"""``lima-curate author check``: lint a folder of hand-written examples.

Every finding has a severity, a code, a file and a line. Codes:

errors (the build would refuse the file, or the split would be wrong)
    ``encoding`` not UTF-8 · ``front-matter`` missing, unclosed or not YAML ·
    ``bad-record`` a JSONL/CSV line that cannot be read · ``unknown-field`` ·
    ``missing-field`` (id, group, split) · ``bad-field`` (a value of the wrong kind) ·
    ``missing-section`` no prompt, or a train/dev prompt without a response ·
    ``section-order`` text before the first section, or turns not alternating ·
    ``empty-section`` · ``test-response`` a test item with more than one prompt ·
    ``duplicate-id`` · ``response-length`` outside ``authored.min/max_response_chars`` ·
    ``group-split`` Group B writes test only, Group A train and dev ·
    ``group-leak`` a Group B prompt close to a Group A prompt
    (cosine >= ``select.decontaminate_threshold``).
warnings (worth a look; they do not fail the check)
    ``near-duplicate`` two prompts of the same group (cosine >=
    ``select.near_duplicate_threshold``) · ``mined-overlap`` a prompt close to a mined
    item (``--mined``) · ``split-count`` a split short of (or over) its target
    ``authored.<split>_target`` · ``style-*`` the voice rules below.
info
    ``group-count`` examples per group and split · ``safety-count`` train items tagged
    ``safety`` against the paper's 13 of 200 · ``ignored-file`` a file the loader skips.

The voice rules (LIMA §2.2: one consistent assistant voice that answers the question) apply
to every response: ``style-ai-disclaimer`` (the assistant talks about being an AI),
``style-filler-opening`` ("Sure!", "Great question!"), ``style-filler-closing`` ("I hope this
helps!") and ``style-untagged-refusal`` (a refusal in an item not tagged ``safety``: refusals
are counted, the paper has 13).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from lima_curate.authoring.findings import ERROR, Finding, error, info, warning
from lima_curate.authoring.format import example_files, read_file
from lima_curate.authoring.items import GROUP_SPLITS, SAFETY_TAG, SPLITS, AuthoredItem, Fields, validate

if TYPE_CHECKING:
    from lima_curate.authoring.similarity import Similarity
    from lima_curate.config import AuthoredConfig, PipelineConfig, SelectConfig
    from lima_curate.records import Example

PAPER_SAFETY = 13  # train prompts that are safety-related in the paper ...
PAPER_AUTHORED_TRAIN = 200  # ... out of its 200 authored train examples

_Q = r"['’]"
AI_DISCLAIMER_RE = re.compile(
    rf"\b(?:as an? (?:ai|artificial intelligence)\b"
    rf"|i(?:{_Q}m| am) (?:just |only |merely )?an? (?:ai|language model|chatbot|bot)\b"
    rf"|as a (?:large )?language model\b"
    rf"|my (?:knowledge|training) cut-?off\b"
    rf"|as of my (?:last|latest) (?:update|training))",
    re.IGNORECASE,
)
FILLER_OPENING_RE = re.compile(
    r"^(?:sure|certainly|of course|absolutely|okay|ok"
    r"|(?:what an? )?(?:great|good|excellent|wonderful|interesting) question)\s*[!.,:]",
    re.IGNORECASE,
)
FILLER_CLOSING_RE = re.compile(
    r"(?:i hope (?:this|that|it) helps|hope this helps|let me know if you (?:have|need)"
    r"|feel free to (?:ask|reach out)|happy to help)[^.!?\n]*[.!?]*\s*$",  # in the last sentence
    re.IGNORECASE,
)
REFUSAL_RE = re.compile(
    rf"\bi(?:{_Q}m| am)? ?(?:can(?:no|{_Q})t|won{_Q}t|will not|not able to|unable to|am not able to|am unable to)"
    r"\s+(?:help(?!\s+but\b)|assist|provide|give|write|create|share|produce|do that|go along)"
    r"|\bi (?:must|have to|need to) decline\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StyleRule:
    code: str
    pattern: "re.Pattern[str]"
    message: str
    scope: str  # "all": the whole response, "start": its opening, "end": its last paragraph


STYLE_RULES = (
    StyleRule("style-ai-disclaimer", AI_DISCLAIMER_RE,
              "the assistant talks about being an AI ({match!r}); answer in the uniform voice", "all"),
    StyleRule("style-filler-opening", FILLER_OPENING_RE,
              "the response opens with filler ({match!r}); start with the substance", "start"),
    StyleRule("style-filler-closing", FILLER_CLOSING_RE,
              "the response closes with filler ({match!r}); end when the answer ends", "end"),
)
UNTAGGED_REFUSAL = "style-untagged-refusal"


@dataclass
class Record:
    """An item that was read, with its checked fields."""

    item: AuthoredItem
    fields: Fields


def check_folder(
    folder: Path,
    config: "PipelineConfig | None" = None,
    *,
    mined: Iterable["Example"] = (),
    similarity: "Similarity | None" = None,
) -> list[Finding]:
    """Every finding for ``folder``, sorted by file and line.

    ``similarity`` defaults to the pipeline's embeddings (see
    :mod:`lima_curate.authoring.similarity`); ``mined`` are items the prompts must not
    repeat (e.g. a build's train.jsonl).
    """
    from lima_curate.config import PipelineConfig

    config = config or PipelineConfig()
    folder = Path(folder)
    findings: list[Finding] = []
    records: list[Record] = []
    files, ignored = example_files(folder)
    for path in ignored:
        findings.append(info("ignored-file", path.relative_to(folder).as_posix(), None,
                             "not an example file (.md, .jsonl or .csv); skipped"))
    for path in files:
        items, problems = read_file(path, folder)
        findings.extend(problems)
        for item in items:
            fields, problems = validate(item)
            findings.extend(problems)
            records.append(Record(item, fields))
    findings.extend(check_ids(records))
    findings.extend(check_lengths(records, config.authored))
    findings.extend(check_style(records))
    findings.extend(check_counts(records, config.authored))
    mined = list(mined)
    if similarity is None and (records or mined):
        from lima_curate.authoring.similarity import default_similarity

        similarity = default_similarity(config.select.embedding)[0]
    if similarity is not None:
        findings.extend(check_similarity(records, mined, similarity, config.select))
    ignore = set(config.authored.ignore)
    return sorted((f for f in findings if f.code not in ignore), key=Finding.sort_key)


def check_ids(records: Sequence[Record]) -> list[Finding]:
    """Each id once in the whole folder."""
    first: dict[str, Record] = {}
    findings = []
    for record in records:
        ident = record.fields.id
        if ident is None:
            continue
        if ident in first:
            other = first[ident].item
            findings.append(error("duplicate-id", record.item.file, record.item.line_of("id"),
                                  f"id {ident!r} is also used at {other.file}:{other.line_of('id')}"))
        else:
            first[ident] = record
    return findings


def check_lengths(records: Sequence[Record], config: "AuthoredConfig") -> list[Finding]:
    """Every response within ``[min_response_chars, max_response_chars]``."""
    findings = []
    for record in records:
        for turn in record.item.turns:
            size = len(turn.content)
            if turn.role != "assistant" or size == 0:
                continue
            if size < config.min_response_chars:
                limit = f"under authored.min_response_chars ({config.min_response_chars})"
            elif size > config.max_response_chars:
                limit = f"over authored.max_response_chars ({config.max_response_chars})"
            else:
                continue
            findings.append(error("response-length", record.item.file, turn.line,
                                  f"response is {size} characters, {limit}"))
    return findings


def check_style(records: Sequence[Record]) -> list[Finding]:
    """The voice rules of the module docstring, on every response."""
    findings = []
    for record in records:
        for turn in record.item.turns:
            if turn.role != "assistant" or not turn.content:
                continue
            findings.extend(style_findings(turn.content, record.fields.tags, record.item.file, turn.line))
    return findings


def final_sentence(paragraph: str) -> str:
    """The end of ``paragraph`` after its last ".", "!", "?" or newline that more text follows.

    FILLER_CLOSING_RE ends in ``[^.!?\\n]*[.!?]*\\s*$``, so it can only match there; searching
    only there finds the same match, in linear time however often a phrase repeats.
    """
    body = paragraph.rstrip().rstrip(".!?")
    return paragraph[max(body.rfind(mark) for mark in ".!?\n") + 1:]


def style_findings(response: str, tags: Sequence[str], file: str = "", line: "int | None" = None) -> list[Finding]:
    """The voice-rule findings for one response."""
    findings = []
    text = response.strip()
    scopes = {"all": text, "start": text, "end": final_sentence(text.split("\n\n")[-1])}
    for rule in STYLE_RULES:
        match = rule.pattern.search(scopes[rule.scope])
        if match:
            findings.append(warning(rule.code, file, line, rule.message.format(match=match.group(0))))
    if SAFETY_TAG not in tags:
        match = REFUSAL_RE.search(text)
        if match:
            findings.append(warning(UNTAGGED_REFUSAL, file, line,
                                    f"the response declines ({match.group(0)!r}) but the item is not tagged "
                                    f"{SAFETY_TAG}; tag refusals and push-backs so they are counted"))
    return findings


def check_counts(records: Sequence[Record], config: "AuthoredConfig") -> list[Finding]:
    """Split sizes against the recipe's targets; group and safety counts for information."""
    counts = Counter((r.fields.group, r.fields.split) for r in records if r.fields.group and r.fields.split)
    per_split = Counter(r.fields.split for r in records if r.fields.group and r.fields.split)
    findings = []
    targets = {"train": config.train_target, "dev": config.dev_target, "test": config.test_target}
    for split in SPLITS:
        have, want = per_split[split], targets[split]
        if have != want:
            gap = f"{want - have} short" if have < want else f"{have - want} over"
            findings.append(warning("split-count", "", None, f"{split} has {have} examples, the recipe wants "
                                    f"{want} (authored.{split}_target): {gap}"))
    parts = []
    for group, splits in GROUP_SPLITS.items():
        detail = ", ".join(f"{split} {counts[(group, split)]}" for split in splits)
        parts.append(f"Group {group}: {sum(counts[(group, s)] for s in splits)} ({detail})")
    findings.append(info("group-count", "", None, "; ".join(parts)))
    train = [r for r in records if r.fields.split == "train"]
    safety = sum(1 for r in train if SAFETY_TAG in r.fields.tags)
    expected = round(PAPER_SAFETY * config.train_target / PAPER_AUTHORED_TRAIN)
    findings.append(info("safety-count", "", None,
                         f"{safety} of {len(train)} train examples are tagged {SAFETY_TAG}; the paper has "
                         f"{PAPER_SAFETY} of {PAPER_AUTHORED_TRAIN}, about {expected} for a target of "
                         f"{config.train_target}"))
    return findings


def check_similarity(
    records: Sequence[Record], mined: Sequence["Example"], similarity: "Similarity", config: "SelectConfig"
) -> list[Finding]:
    """Near duplicates within a group, Group B prompts close to Group A, and mined overlap."""
    usable = [r for r in records if r.item.prompt.strip()]
    prompts = [r.item.prompt for r in usable]
    findings: list[Finding] = []
    if len(usable) > 1:
        matrix = similarity(prompts, prompts)
        group_a = [i for i, record in enumerate(usable) if record.fields.group == "A"]
        for j, later in enumerate(usable):
            same = [i for i in range(j) if usable[i].fields.group == later.fields.group]
            best = _best(matrix, j, same, config.near_duplicate_threshold)
            if best is not None:
                findings.append(warning("near-duplicate", later.item.file, later.item.prompt_line,
                                        f"prompt is a near duplicate of {_place(usable[best])} "
                                        f"(cosine {float(matrix[best, j]):.2f})"))
            best = _best(matrix, j, group_a, config.decontaminate_threshold) if later.fields.group == "B" else None
            if best is not None:
                findings.append(error("group-leak", later.item.file, later.item.prompt_line,
                                      f"Group B prompt is close to the Group A prompt at {_place(usable[best])} "
                                      f"(cosine {float(matrix[best, j]):.2f}); "
                                      "test prompts must not resemble training prompts"))
    mined = [m for m in mined if m.prompt.strip()]
    if usable and mined:
        matrix = similarity(prompts, [m.prompt for m in mined])
        for i, record in enumerate(usable):
            j = int(matrix[i].argmax())
            score = float(matrix[i, j])
            test = record.fields.split == "test"
            threshold = config.decontaminate_threshold if test else config.near_duplicate_threshold
            if score >= threshold:
                what = "a test prompt that the mined data answers" if test else "repeats a mined item"
                findings.append(warning("mined-overlap", record.item.file, record.item.prompt_line,
                                        f"prompt is close to mined item {mined[j].id} (cosine {score:.2f}): {what}"))
    return findings


def _place(record: Record) -> str:
    return f"{record.item.file}:{record.item.prompt_line}"


def _best(matrix: "object", column: int, rows: Sequence[int], threshold: float) -> "int | None":
    """The row among ``rows`` most similar to ``column``, if it reaches ``threshold``."""
    scored = [(float(matrix[i, column]), -i) for i in rows]  # type: ignore[index]
    if not scored:
        return None
    score, negative_row = max(scored)
    return -negative_row if score >= threshold else None


def summary(findings: Sequence[Finding]) -> str:
    """``N errors, M warnings, K info``."""
    counts = Counter(f.severity for f in findings)
    errors, warnings = counts[ERROR], counts["warning"]
    return (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
            f"{counts['info']} info")
