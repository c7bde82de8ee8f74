"""Fidelity to the released LIMA set: the measurements behind issue 10, and the build's rules.

Reads ../shared/realdata (the LIMA train and test sets, the four Stack Exchange dumps,
the WritingPrompts CSV) and, when present, a real build of today's code
(``--build``, default /work/baseline/lima: train.jsonl, candidates.jsonl). Prints the
figures; exits 0 with a message when the real data is absent.

LIMA train order (inferred; +-5 items per block): 0-399 Stack Exchange, 400-599
hand-written, 600-799 wikiHow, 800-849 Super-NaturalInstructions, 850-999
r/WritingPrompts, 1000-1028 multi-turn.

Sections (``--section``, repeatable; default all but ``decontam``, which loads the
embedding model and takes a few minutes on two cores):

``blocks``     block sizes, lengths and languages of the LIMA blocks
``calibrate``  the build's rules on the LIMA blocks (``lima-curate calibrate``), the LIMA recipe
               and the defaults (Stack Exchange's language rule on); first-person false hits
``matched``    LIMA items found in the dumps; raw HTML vs cleaned length windows
``lengths``    wikiHow vs a 4,096 cap, WritingPrompts vs windows, and the real build
``wording``    each measurement: LIMA blocks, dump base rate, real build hits
``real``       the extractors with the LIMA recipe on the real inputs (Stack Exchange dumps,
               the WritingPrompts CSV): what they keep, and whether it carries the under-strict
               patterns of issue 10
``build``      the targets on a real build (``--build``): WritingPrompts length against LIMA's,
               no Stack Exchange or WritingPrompts item with an under-strict pattern
``decontam``   planted LIMA test prompts: which tests catch them; false positives
``timing``     cost per answer of each measurement and of language identification

    python benchmarks/bench_fidelity.py
    python benchmarks/bench_fidelity.py --section decontam
    lima-curate build pipelines/lima.yaml --raw ../shared/realdata --out /tmp/real \
        --eval ../shared/realdata/lima/lima_test_set.jsonl
    python benchmarks/bench_fidelity.py --section build --build /tmp/real/lima
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REALDATA = REPO.parent / "shared" / "realdata"
LIMA_TRAIN = REALDATA / "lima" / "lima_train_alpaca_format.json"
LIMA_TEST = REALDATA / "lima" / "lima_test_set.jsonl"
SE_ROOT = REALDATA / "stackexchange"
WP_CSV = REALDATA / "reddit" / "writingprompts" / "writing_prompts_train_subset_500.csv"
DEFAULT_BUILD = Path("/work/baseline/lima")

BLOCKS = {
    "stackexchange": (0, 400),
    "hand-written": (400, 600),
    "wikihow": (600, 800),
    "sni": (800, 850),
    "writingprompts": (850, 1000),
    "multi-turn": (1000, 1029),
}
MINED = ("stackexchange", "wikihow", "writingprompts")
SECTIONS = ("blocks", "calibrate", "matched", "lengths", "wording", "real", "build", "decontam", "timing")
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "decontam")
DUMP_MIN_SCORE = 3  # dump base rates: top answers with at least this score


# ---------------------------------------------------------------- data


class Data:
    """Everything the sections read, loaded once, lazily."""

    def __init__(self, build: Path) -> None:
        self.build = build
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def lima(self) -> list[dict]:
        return self._once("lima", lambda: json.loads(LIMA_TRAIN.read_text(encoding="utf-8")))

    def block(self, name: str) -> list[tuple[int, dict]]:
        start, stop = BLOCKS[name]
        return [(i, self.lima[i]) for i in range(start, stop)]

    @property
    def test_prompts(self) -> list[str]:
        return self._once("test", lambda: [json.loads(line)["conversations"] for line in LIMA_TEST.open(encoding="utf-8")])

    @property
    def dump(self) -> list[dict]:
        """Per question with an answer, in every real site: title, clean body, top answer (HTML and text)."""
        return self._once("dump", _read_dumps)

    @property
    def dump_pool(self) -> list[dict]:
        return [q for q in self.dump if q["answer_score"] >= DUMP_MIN_SCORE]

    def build_rows(self, name: str) -> list[dict]:
        path = self.build / f"{name}.jsonl"
        if not path.is_file():
            return []
        return self._once(f"build:{name}", lambda: [json.loads(line) for line in path.open(encoding="utf-8")])


def _read_dumps() -> list[dict]:
    from lima_curate.sources.stackexchange.dump import iter_rows
    from lima_curate.text.html import clean_html

    out = []
    for site in sorted(p for p in SE_ROOT.iterdir() if (p / "Posts.xml").is_file()):
        questions, answers = {}, collections.defaultdict(list)
        for row in iter_rows(site / "Posts.xml", site.name):
            post = dict(row.attrib)
            if post.get("PostTypeId") == "1":
                questions[post["Id"]] = post
            elif post.get("PostTypeId") == "2":
                answers[post.get("ParentId")].append(post)
        for qid, question in questions.items():
            found = answers.get(qid)
            if not found:
                continue
            accepted = question.get("AcceptedAnswerId")
            ranked = sorted(found, key=lambda a: (-int(a["Score"]), a["Id"] != accepted, int(a["Id"])))
            top = ranked[0]
            out.append({
                "site": site.name, "question_id": int(qid), "question_score": int(question.get("Score", 0)),
                "title": question.get("Title", ""), "body": clean_html(question.get("Body", "")).text,
                "answer_id": int(top["Id"]), "answer_score": int(top["Score"]), "accepted": top["Id"] == accepted,
                "answer_html": top["Body"], "answer_text": clean_html(top["Body"]).text,
                "answers": [(int(a["Id"]), int(a["Score"]), a["Body"]) for a in ranked],
            })
    return out


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else f"{part}/0"


def head(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(0, 72 - len(title)))


def excerpt(text: str, start: int = 0, width: int = 90) -> str:
    piece = text[max(0, start - width // 2) : start + width // 2]
    return repr(" ".join(piece.split()))


# ---------------------------------------------------------------- sections


def section_blocks(data: Data) -> None:
    from lima_curate.text.lang import detect_language

    head("LIMA blocks: sizes, response lengths (characters), languages of the responses")
    for name in BLOCKS:
        items = data.block(name)
        lengths = [len(item["output"]) for _, item in items]
        languages = collections.Counter(detect_language(item["output"]) for _, item in items)
        other = {k: v for k, v in languages.items() if k != "en"}
        print(f"{name:15s} n={len(items):4d} mean={statistics.mean(lengths):6.0f} median={statistics.median(lengths):6.0f} "
              f"min={min(lengths):5d} max={max(lengths):6d}  <1200: {sum(n < 1200 for n in lengths):3d}  "
              f">4096: {sum(n > 4096 for n in lengths):3d}  not 'en': {sum(other.values())} {dict(other)}")
    print("not 'en' per block: detect_language on the whole response (code fences ignored)")


def section_calibrate(data: Data) -> None:
    from lima_curate.calibrate.references import read_reference
    from lima_curate.calibrate.report import calibrate, format_report
    from lima_curate.calibrate.sources import SOURCES
    from lima_curate.config import PipelineConfig, load_pipeline

    head("The build's rules on the LIMA blocks (lima-curate calibrate; targets: SE <= 5% of 0-399, "
         "wikiHow <= 5% of 600-799, WP <= 10% of 850-999)")
    recipes = {"LIMA recipe (pipelines/lima.yaml)": load_pipeline(REPO / "pipelines" / "lima.yaml"),
               "defaults (Stack Exchange english_only: true)": PipelineConfig()}
    for name in MINED:
        start, stop = BLOCKS[name]
        items = read_reference(LIMA_TRAIN, slice(start, stop))
        for label, config in recipes.items():
            report = calibrate(items, SOURCES[name](config))
            dropped = report.items - report.kept
            print(f"{name} [{label}]: dropped {pct(dropped, report.items)}; not English {report.not_english_items} "
                  f"{report.languages}; {json.dumps({k: v for k, v in report.as_json()['dropped'].items() if v})}")
            if label.startswith("LIMA"):
                print(format_report(report))
    _first_person_false_hits(data)


def _first_person_false_hits(data: Data) -> None:
    """Today's FIRST_PERSON on "I"/"my" as written, and which of those hits are not the pronoun."""
    import re

    from lima_curate.text import wording
    from lima_curate.text.html import prose_only

    literal = re.compile(r"\bI\b(?!['’])|\b[Mm]y\b")
    raw, pronoun = [], []
    for i, item in data.block("stackexchange"):
        prose = prose_only(item["output"])
        found = [m for m in literal.finditer(prose)]
        if found:
            raw.append(i)
            if wording.first_person(prose):
                pronoun.append(i)
            else:
                m = found[0]
                print(f"  not the pronoun, item {i}: {excerpt(prose, m.start())}")
    print(f"'I' (not I'm/I'll...) or 'my' as a word in the prose: {len(raw)} items; pronoun in {len(pronoun)}; "
          f"false hits (I.e., Ctrl+Shift+I, %I, I/O, I-407, quoted): {len(raw) - len(pronoun)}")


def section_matched(data: Data) -> None:
    from lima_curate.select.ngrams import NGramIndex
    from lima_curate.text.html import clean_html

    head("LIMA items found in the real Stack Exchange dumps (8-gram overlap of the answer)")
    index = NGramIndex([item["output"] for _, item in data.block("stackexchange")], n=8, min_coverage=0.5)
    for question in data.dump:
        for answer_id, score, html in question["answers"]:
            text = clean_html(html).text
            hit = index.best(text)
            if hit is None:
                continue
            item = data.lima[hit.prompt]
            prompt = " ".join(item["instruction"].split())
            kind = ("title" if prompt == " ".join(question["title"].split())
                    else "body" if prompt == " ".join(question["body"].split())
                    else "title + body" if prompt.startswith(" ".join(question["title"].split())) else "other")
            rank = [a for a, _, _ in question["answers"]].index(answer_id) + 1
            print(f"LIMA {hit.prompt}: {question['site']} question {question['question_id']} answer {answer_id}: "
                  f"score {score}, rank {rank} of {len(question['answers'])}, accepted {answer_id == question['answer_id'] and question['accepted']}, "
                  f"HTML {len(html)} chars, cleaned {len(text)}, LIMA text {len(item['output'])}; prompt = {kind}")
            for other_id, other_score, other_html in question["answers"]:
                if other_id != answer_id:
                    print(f"    other answer {other_id}: score {other_score}, HTML {len(other_html)}, cleaned {len(clean_html(other_html).text)}")

    head("Length window on raw HTML vs cleaned text (top answers in the dumps)")
    for floor in (0, 3, 10):
        pool = [q for q in data.dump if q["answer_score"] >= floor]
        html_in = [q for q in pool if 1200 <= len(q["answer_html"]) <= 4096]
        text_in = [q for q in pool if 1200 <= len(q["answer_text"]) <= 4096]
        short_clean = sum(len(q["answer_text"]) < 1200 for q in html_in)
        ratio = statistics.median(len(q["answer_html"]) / max(1, len(q["answer_text"])) for q in pool)
        print(f"score >= {floor:2d}: {len(pool)} answers; HTML window keeps {len(html_in)}, of which cleaned < 1200: "
              f"{pct(short_clean, len(html_in))}; cleaned window keeps {len(text_in)}; median HTML/cleaned {ratio:.2f}")
    lengths = [len(item["output"]) for _, item in data.block("stackexchange")]
    print(f"LIMA SE responses: < 1200 chars {pct(sum(n < 1200 for n in lengths), 400)}, > 4096 {pct(sum(n > 4096 for n in lengths), 400)}")


def section_lengths(data: Data) -> None:
    head("wikiHow: LIMA's articles vs today's 4,096 cap")
    wikihow = [len(item["output"]) for _, item in data.block("wikihow")]
    print(f"LIMA wikiHow: mean {statistics.mean(wikihow):.0f} chars, > 4096: {pct(sum(n > 4096 for n in wikihow), 200)}, "
          f"< 1200: {sum(n < 1200 for n in wikihow)}, < 1000: {sum(n < 1000 for n in wikihow)}, min {min(wikihow)}")
    head("r/WritingPrompts: LIMA's stories vs today's window and the real build")
    lima = sorted(len(item["output"]) for _, item in data.block("writingprompts"))
    quantiles = {p: lima[min(len(lima) - 1, int(p / 100 * len(lima)))] for p in (5, 10, 25, 50, 75, 90, 95)}
    print(f"LIMA stories: mean {statistics.mean(lima):.0f}, percentiles {quantiles}, < 1200: {pct(sum(n < 1200 for n in lima), 150)}")
    train = [r for r in data.build_rows("train") if r["source"] == "writingprompts"]
    if train:
        built = [len(r["messages"][-1]["content"]) for r in train]
        print(f"real build train stories: {len(built)}, mean {statistics.mean(built):.0f} = "
              f"{statistics.mean(built) / statistics.mean(lima):.2f}x LIMA's; under 2,000 chars: {sum(n < 2000 for n in built)}")
    stories = _dataset_stories()
    print(f"WritingPrompts CSV rows eligible by tag, not a part: {len(stories)}")
    print("window (min-max)  LIMA dropped  eligible rows  mean all  x LIMA   mean 150 longest  x LIMA")
    mean_lima = statistics.mean(lima)
    for low, high in ((1200, 4096), (0, 4096), (150, 2000), (150, 2100), (200, 2000), (300, 2000), (150, 2500)):
        kept = sorted(n for n in stories if low <= n <= high)
        dropped = sum(not low <= n <= high for n in lima)
        top = kept[-150:]
        print(f"{low:5d}-{high:<5d}      {dropped:4d}          {len(kept):4d}        {statistics.mean(kept):6.0f}  "
              f"{statistics.mean(kept) / mean_lima:5.2f}   {statistics.mean(top):8.0f}        {statistics.mean(top) / mean_lima:5.2f}")


def _dataset_stories() -> list[int]:
    """Lengths of the WritingPrompts CSV stories as the extractor cleans them, eligible by tag."""
    from lima_curate.sources.reddit import writingprompts as wp
    from lima_curate.text.scrub import scrub

    out = []
    for _, prompt, story in wp.iter_dataset_csv(WP_CSV):
        tags, text = wp.split_tags(wp.detokenize(prompt))
        cleaned, part = wp.clean_story(scrub(wp.detokenize(story)))
        if wp.tag_problem(tags) is None and part is None and text:
            out.append(len(cleaned))
    return out


def _build_texts(data: Data, source: str) -> list[tuple[str, str, str, bool]]:
    """(id, prompt, response, in train) of the real build's candidates of ``source``."""
    train = {r["id"] for r in data.build_rows("train")}
    return [(r["id"], r["messages"][0]["content"], r["messages"][-1]["content"], r["id"] in train)
            for r in data.build_rows("candidates") if r["source"] == source and len(r["messages"]) > 1]


def section_wording(data: Data) -> None:
    from lima_curate.text import leftovers, story_notes, wording
    from lima_curate.text.html import prose_only

    prose_measures: list[tuple[str, Callable, tuple[str, ...]]] = [
        ("first_person ('I', 'my')", wording.first_person, ("stackexchange",)),
        ("first_person_extended ('me', 'myself', 'mine')", wording.first_person_extended, ("stackexchange",)),
        ("site_references", wording.site_references, ("stackexchange",)),
        ("question_references (never a drop)", wording.question_references, ("stackexchange",)),
        ("thread_talk", wording.thread_talk, ("stackexchange",)),
        ("removed_image_references", leftovers.removed_image_references, ("stackexchange", "wikihow")),
    ]
    text_measures: list[tuple[str, Callable, tuple[str, ...]]] = [
        ("bare_link_lines", leftovers.bare_link_lines, ("stackexchange", "wikihow")),
        ("entity_residue", leftovers.entity_residue, ("stackexchange", "wikihow", "writingprompts")),
        ("author_notes", story_notes.author_notes, ("writingprompts",)),
    ]
    for name, measure, sources in prose_measures + text_measures:
        on_prose = (name, measure, sources) in prose_measures
        head(f"{name}")
        prepare = prose_only if on_prose else (lambda text: text)
        for block in (*MINED, "hand-written"):
            items = data.block(block)
            found = [(i, measure(prepare(item["output"]))) for i, item in items]
            found = [(i, hits) for i, hits in found if hits]
            kinds = collections.Counter(k for _, hits in found for k in dict.fromkeys(h.kind for h in hits))
            shown = ", ".join(f"{i}:{hits[0].phrase!r}" for i, hits in found[:8])
            print(f"  LIMA {block:15s} {pct(len(found), len(items))} {dict(kinds) if len(kinds) > 1 else ''} {shown}")
        pool = data.dump_pool
        found = [(q, measure(prepare(q["answer_text"]))) for q in pool]
        found = [(q, hits) for q, hits in found if hits]
        kinds = collections.Counter(k for _, hits in found for k in dict.fromkeys(h.kind for h in hits))
        print(f"  dump top answers (score >= {DUMP_MIN_SCORE}): {pct(len(found), len(pool))} {dict(kinds) if len(kinds) > 1 else ''}")
        if "kind" in name or len(kinds) > 1:
            lima_kinds = collections.Counter(
                k for _, item in data.block("stackexchange")
                for k in dict.fromkeys(h.kind for h in measure(prepare(item["output"]))))
            for kind in sorted(set(kinds) | set(lima_kinds)):
                print(f"    {kind:16s} LIMA SE {lima_kinds[kind]:3d} ({100 * lima_kinds[kind] / 400:.1f}%)  "
                      f"dump {kinds[kind]:3d} ({100 * kinds[kind] / len(pool):.1f}%)")
        for source in sources:
            rows = _build_texts(data, source)
            found = [(rid, response, intrain, measure(prepare(response))) for rid, _, response, intrain in rows]
            found = [f for f in found if f[3]]
            in_train = sum(1 for f in found if f[2])
            print(f"  real build {source} candidates: {pct(len(found), len(rows))} (in train.jsonl: {in_train})")
            for rid, response, _, hits in found[:4]:
                print(f"      {rid}: {hits[0].phrase!r} in {excerpt(prepare(response), hits[0].start)}")
    _extension_cost(data)
    _prompt_side(data)


def _extension_cost(data: Data) -> None:
    from lima_curate.text import wording
    from lima_curate.text.html import prose_only

    head("First person: what 'me'/'myself'/'mine' would add to the paper's 'I'/'my'")
    lima_only = [i for i, item in data.block("stackexchange")
                 if wording.first_person_extended(prose_only(item["output"])) and not wording.first_person(prose_only(item["output"]))]
    pool = data.dump_pool
    dump_only = sum(1 for q in pool if wording.first_person_extended(prose_only(q["answer_text"]))
                    and not wording.first_person(prose_only(q["answer_text"])))
    print(f"LIMA SE items dropped only by the extension: {len(lima_only)} {lima_only}")
    print(f"dump top answers dropped only by the extension: {pct(dump_only, len(pool))}")


def _prompt_side(data: Data) -> None:
    from lima_curate.text import leftovers, wording
    from lima_curate.text.html import prose_only

    head("Prompt side: thread talk, mentions and 'Edit:' in question bodies; removed images")
    checks = {
        "thread_talk": wording.thread_talk,
        "mention/edit_mark": lambda p: tuple(h for h in wording.site_references(p) if h.kind in ("mention", "edit_mark")),
        "removed_image": leftovers.removed_image_references,
    }
    for name, check in checks.items():
        lima = [(i, check(prose_only(item["instruction"]))) for i, item in data.block("stackexchange")]
        lima = [(i, hits) for i, hits in lima if hits]
        pool = data.dump_pool
        dump = sum(1 for q in pool if check(prose_only(q["body"])))
        rows = _build_texts(data, "stackexchange")
        build = [(rid, check(prose_only(prompt))) for rid, prompt, _, _ in rows]
        build = [(rid, hits) for rid, hits in build if hits]
        print(f"{name:18s} LIMA SE prompts {pct(len(lima), 400)} {[(i, h[0].phrase) for i, h in lima[:5]]}; "
              f"dump bodies {pct(dump, len(pool))}; real build prompts {len(build)} {[(r, h[0].phrase) for r, h in build[:3]]}")


def under_strict(prompt: str, response: str, source: str) -> list[str]:
    """The under-strict patterns of issue 10 a pair carries, by the measurements' own functions:
    for Stack Exchange thread talk, removed images, bare links and a thread-talking prompt;
    for WritingPrompts author notes, HTML entities and bare links (a story may mention
    upvotes: fiction is not thread talk)."""
    from lima_curate.sources.stackexchange.measure import thread_phrases
    from lima_curate.text import leftovers, story_notes, wording
    from lima_curate.text.html import prose_only

    prose = prose_only(response)
    if source == "stackexchange":
        found = {"thread talk": wording.thread_talk(prose), "removed image": leftovers.removed_image_references(prose),
                 "bare link": leftovers.bare_link_lines(response),
                 "prompt talks to the thread": thread_phrases(prose_only(prompt))}
    else:
        found = {"author note": story_notes.author_notes(response), "HTML entity": leftovers.entity_residue(response),
                 "bare link": leftovers.bare_link_lines(response)}
    return [name for name, hits in found.items() if hits]


def section_real(data: Data) -> None:
    """The extractors on the real inputs with the LIMA recipe."""
    from lima_curate.config import load_pipeline
    from lima_curate.rejects import Rejects
    from lima_curate.sources.reddit.extract import extract as reddit_extract
    from lima_curate.sources.stackexchange.extract import extract as se_extract

    config = load_pipeline(REPO / "pipelines" / "lima.yaml")
    head("Stack Exchange dumps through the extractor, LIMA recipe")
    rejects = Rejects()
    kept = list(se_extract(SE_ROOT, config.sources.stackexchange, rejects))
    print(f"kept {len(kept)}; drops {rejects.reasons_for('extract')}")
    carrying = [(e.id, under_strict(e.prompt, e.response, "stackexchange")) for e in kept]
    print(f"kept items carrying an under-strict pattern: {[c for c in carrying if c[1]]}")
    print(f"prompt kinds: {dict(collections.Counter(e.meta['prompt_kind'] for e in kept))}")

    head("WritingPrompts CSV (the real build's story input) through the extractor, LIMA recipe")
    rejects = Rejects()
    stories = [e for e in reddit_extract(REALDATA / "reddit", config.sources.reddit, rejects)
               if e.source == "writingprompts" and e.meta.get("dataset_file")]
    lima_mean = statistics.mean(len(item["output"]) for _, item in data.block("writingprompts"))
    lengths = [len(e.response) for e in stories]
    drops = {rule: n for rule, n in rejects.reasons_for("extract").items()}
    print(f"kept {len(stories)} stories, mean {statistics.mean(lengths):.0f} chars = "
          f"{statistics.mean(lengths) / lima_mean:.2f}x LIMA's {lima_mean:.0f}; drops {drops}")
    carrying = [(e.id, under_strict(e.prompt, e.response, "writingprompts")) for e in stories]
    print(f"kept stories carrying an under-strict pattern: {[c for c in carrying if c[1]]}")


def section_build(data: Data) -> None:
    head(f"Targets on the real build {data.build} (train.jsonl)")
    train = data.build_rows("train")
    if not train:
        print("no train.jsonl there: build one (see the module docstring)")
        return
    lima_mean = statistics.mean(len(item["output"]) for _, item in data.block("writingprompts"))
    for source in ("stackexchange", "writingprompts"):
        rows = [r for r in train if r["source"] == source]
        carrying = [(r["id"], under_strict(r["messages"][0]["content"], r["messages"][-1]["content"], source))
                    for r in rows]
        carrying = [c for c in carrying if c[1]]
        print(f"{source}: {len(rows)} items; carrying an under-strict pattern: {len(carrying)} {carrying[:5]}")
        if source == "writingprompts" and rows:
            mean = statistics.mean(len(r["messages"][-1]["content"]) for r in rows)
            print(f"  mean story {mean:.0f} chars = {mean / lima_mean:.2f}x LIMA's {lima_mean:.0f} (target 0.70-1.30)")


def section_decontam(data: Data) -> None:
    from lima_curate.select.fingerprint import normalise_text
    from lima_curate.select.neighbors import best_matches
    from lima_curate.select.ngrams import NGramIndex
    from lima_curate.select.prompt_parts import best_part_matches, prompt_parts

    head("Decontamination: LIMA test prompts planted in real Stack Exchange questions")
    tests = data.test_prompts
    hosts = [q for q in data.dump if q["body"].strip() and "\n" not in q["title"]][: len(tests)]
    plants = []  # (test number, placement, title, body)
    for number, (test, host) in enumerate(zip(tests, hosts)):
        plants.append((number, "title", test, host["body"]))
        plants.append((number, "body", host["title"], test))
        first, rest = _split_sentence(test)
        if rest:
            plants.append((number, "title + body", first, rest))
        plants.append((number, "body + greeting", host["title"], f"Hi everyone,\n\n{test}\n\nThanks in advance!"))
        plants.append((number, "body, 1 word changed", host["title"], _change_one_word(test)))
    embed = _embedder()
    started = time.perf_counter()
    test_vectors = embed(tests)
    exact = {normalise_text(t) for t in tests}
    index = NGramIndex(tests)
    # today: the prompt is the title (coin) or title, blank line, body; exact text + whole-prompt cosine
    today = {
        "today, prompt = title": [title for _, _, title, _ in plants],
        "today, prompt = title + body": [f"{title}\n\n{body}" for _, _, title, body in plants],
    }
    caught: dict[str, list[bool]] = {}
    for label, prompts in today.items():
        _, best = best_matches(embed(prompts), test_vectors)
        caught[label] = [normalise_text(p) in exact or bool(best[i] >= 0.9) for i, p in enumerate(prompts)]
    # the question's parts (title, body, both) each compared; exact, cosine, 8-gram
    parts, owners = [], []
    for row, (_, _, title, body) in enumerate(plants):
        for part in prompt_parts(f"{title}\n\n{body}", title=title, body=body):
            parts.append(part)
            owners.append(row)
    _, part_best, _ = best_part_matches(embed(parts), owners, len(plants), test_vectors)
    by_owner: dict[int, list[str]] = collections.defaultdict(list)
    for part, owner in zip(parts, owners):
        by_owner[owner].append(part)
    exact_parts = [any(normalise_text(p) in exact for p in by_owner[i]) for i in range(len(plants))]
    ngram_parts = [any(index.best(p) is not None for p in by_owner[i]) for i in range(len(plants))]
    caught["exact on parts"] = exact_parts
    caught["cosine on parts >= 0.9"] = [exact_parts[i] or bool(part_best[i] >= 0.9) for i in range(len(plants))]
    caught["8-gram on parts"] = [exact_parts[i] or ngram_parts[i] for i in range(len(plants))]
    caught["cosine or 8-gram on parts"] = [
        caught["cosine on parts >= 0.9"][i] or caught["8-gram on parts"][i] for i in range(len(plants))]
    print(f"{len(plants)} plants of {len(tests)} test prompts; embedding took {time.perf_counter() - started:.0f} s (CPU)")
    placements = ("title", "body", "title + body", "body + greeting", "body, 1 word changed")
    print(f"{'caught by':40s} " + "  ".join(f"{p:16s}" for p in placements))
    for label, flags in caught.items():
        cells = []
        for placement in placements:
            rows = [i for i, plant in enumerate(plants) if plant[1] == placement]
            cells.append(f"{sum(flags[i] for i in rows):4d}/{len(rows):<4d}        ")
        print(f"{label:40s} " + "  ".join(cells))
    missed = [i for i, flag in enumerate(caught["cosine or 8-gram on parts"]) if not flag]
    lengths = collections.Counter(
        "< 8 words" if len(tests[plants[i][0]].split()) < 8 else "8-15 words" if len(tests[plants[i][0]].split()) < 16
        else ">= 16 words" for i in missed)
    print(f"missed by cosine or 8-gram: {len(missed)}, by test prompt length: {dict(lengths)}")
    for i in missed[:6]:
        number, placement, _, _ = plants[i]
        print(f"  missed: test {number} as {placement}: cos {part_best[i]:.2f} | {' '.join(tests[number].split())[:80]!r}")
    whole = [i for i, plant in enumerate(plants) if plant[1] in ("title", "body")]
    _, best = best_matches(embed([today["today, prompt = title + body"][i] for i in whole]), test_vectors)
    ordered = sorted(float(b) for b in best)
    print(f"whole-prompt cosine of title + body prompts holding a whole test prompt as title or body: "
          f"min {ordered[0]:.2f}, median {ordered[len(ordered) // 2]:.2f}, max {ordered[-1]:.2f}; "
          f">= 0.9: {sum(b >= 0.9 for b in ordered)}/{len(ordered)}")
    _ngram_sweep(data, plants, by_owner)
    _false_positives(data, embed, test_vectors, index)


def _ngram_sweep(data: Data, plants: list, by_owner: dict) -> None:
    """Catch rate and false positives of the n-gram test for a few (n, coverage) settings."""
    from lima_curate.select.ngrams import NGramIndex

    head("N-gram test settings: planted prompts caught, false positives (dump questions, LIMA train prompts)")
    placements = ("body + greeting", "body, 1 word changed")
    others = [f"{q['title']}\n\n{q['body']}" for q in data.dump] + [item["instruction"] for item in data.lima]
    for n, coverage in ((6, 0.5), (8, 0.3), (8, 0.5), (13, 0.5)):
        index = NGramIndex(data.test_prompts, n=n, min_coverage=coverage)
        cells = []
        for placement in placements:
            rows = [i for i, plant in enumerate(plants) if plant[1] == placement]
            cells.append(f"{placement}: {sum(any(index.best(p) for p in by_owner[i]) for i in rows)}/{len(rows)}")
        false = sum(1 for text in others if index.best(text) is not None)
        print(f"n={n:2d} coverage>={coverage}: {'; '.join(cells)}; hits among {len(others)} dump questions "
              f"and LIMA train prompts: {false}")


def _embedder() -> Callable[[list], Any]:
    """Text -> unit vectors with the default model on the CPU, cached in benchmarks/work/."""
    from lima_curate.config import EmbeddingConfig
    from lima_curate.select.embed import Embedder, embed_texts

    config = EmbeddingConfig(cache_dir=str(HERE / "work" / "embeddings"), device="cpu")
    embedder = Embedder(config)
    return lambda texts: embed_texts(list(texts), config, embedder=embedder)


def _change_one_word(text: str) -> str:
    """``text`` with its middle word replaced: no longer the same text, still the same prompt."""
    words = text.split(" ")
    middle = len(words) // 2
    return " ".join([*words[:middle], "something", *words[middle + 1 :]])


def _split_sentence(text: str) -> tuple[str, str]:
    """The first sentence (or line) of ``text`` and the rest ("" when there is one sentence)."""
    import re

    match = re.search(r"(?<=[.?!])\s+(?=[A-Z\"“'])|\n+", text.strip())
    if not match:
        return text.strip(), ""
    return text.strip()[: match.start()].strip(), text.strip()[match.end():].strip()


def _false_positives(data: Data, embed: Callable, test_vectors: Any, index: Any) -> None:
    from lima_curate.select.fingerprint import normalise_text
    from lima_curate.select.prompt_parts import best_part_matches, prompt_parts

    head("Decontamination false positives against the LIMA test set (300 prompts)")
    sets = {
        "real build candidates (prompts)": [(r["messages"][0]["content"], "", "") for r in data.build_rows("candidates")],
        "dump questions (title, body, both)": [(f"{q['title']}\n\n{q['body']}", q["title"], q["body"]) for q in data.dump],
        "LIMA train prompts": [(item["instruction"], "", "") for item in data.lima],
    }
    exact = {normalise_text(t) for t in data.test_prompts}
    for name, questions in sets.items():
        parts, owners = [], []
        for row, (prompt, title, body) in enumerate(questions):
            for part in prompt_parts(prompt, title=title, body=body):
                parts.append(part)
                owners.append(row)
        where, best, _ = best_part_matches(embed(parts), owners, len(questions), test_vectors)
        cosine = [i for i in range(len(questions)) if best[i] >= 0.9]
        ngram: dict[int, Any] = {}
        for part, owner in zip(parts, owners):
            hit = index.best(part)
            if hit is not None and owner not in ngram:
                ngram[owner] = hit
        same = [i for i, (p, _, _) in enumerate(questions) if normalise_text(p) in exact]
        print(f"{name}: {len(questions)}; exact {len(same)}; cosine on parts >= 0.9: {len(cosine)}; "
              f"8-gram >= 50% on parts: {len(ngram)}")
        for i in sorted(set(cosine) | set(ngram))[:8]:
            hit = ngram.get(i)
            print(f"    {i}: cos {best[i]:.2f} n-gram {f'{hit.shared}/{hit.total}' if hit else '-'} | "
                  f"{' '.join(questions[i][0].split())[:60]!r} ~ {' '.join(data.test_prompts[int(where[i])].split())[:60]!r}")


def section_timing(data: Data) -> None:
    from lima_curate.sources.stackexchange.measure import ANSWER_KEYS, Candidate
    from lima_curate.text import leftovers, wording
    from lima_curate.text.html import clean_html, prose_only
    from lima_curate.text.lang import detect_language, is_plainly_english

    head("Cost per answer of each measurement (dump top answers, every score), best of 3")
    answers = [q["answer_html"] for q in data.dump]
    texts = [clean_html(html).text for html in answers]
    proses = [prose_only(text) for text in texts]
    samples = [prose[:400] for prose in proses]
    slow = [sample for sample in samples if not is_plainly_english(sample)]

    def per_item(run: Callable[[str], object], items: list) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for item in items:
                run(item)
            best = min(best, time.perf_counter() - start)
        return best / len(items) * 1000

    def every_answer_measurement(text: str) -> None:
        candidate = Candidate({"answer_text": text})
        for key in ANSWER_KEYS:
            candidate.get(key)

    today_name = "every answer measurement of the table (text in, language included)"
    on_text = [("clean_html (HTML in)", clean_html, answers), ("prose_only", prose_only, texts),
               (today_name, every_answer_measurement, texts)]
    columns = [(f"wording.{f.__name__}", f, proses) for f in (
        wording.first_person, wording.first_person_extended, wording.site_references, wording.question_references,
        wording.thread_talk)]
    columns += [("leftovers.removed_image_references", leftovers.removed_image_references, proses),
                ("leftovers.bare_link_lines", leftovers.bare_link_lines, texts),
                ("leftovers.entity_residue", leftovers.entity_residue, texts)]
    language = [("lang.is_plainly_english (400-char sample)", is_plainly_english, samples),
                ("lang.detect_language (400-char sample, fast path first)", detect_language, samples),
                ("lang.detect_language, samples off the fast path (langdetect)", detect_language, slow)]
    costs = {}
    for name, run, items in on_text + columns + language:
        costs[name] = per_item(run, items)
        print(f"{name:66s} {costs[name]:7.3f} ms each ({len(items)} items)")
    new_columns = sum(costs[name] for name, _, _ in columns) + costs["prose_only"]
    print(f"all wording/leftover columns: {new_columns:.3f} ms per answer (all answer measurements: {costs[today_name]:.3f} ms)")
    print(f"fast path taken by {pct(len(samples) - len(slow), len(samples))} samples")
    language_each = costs["lang.detect_language (400-char sample, fast path first)"]
    for label, count in (("25.5k questions whose top answer scores >= 10", 25_500),
                         ("260k questions with an answer", 260_000)):
        text_seconds = count * (costs["clean_html (HTML in)"] + new_columns) / 1000
        print(f"1 GiB benchmark, {label}: clean + all text columns {text_seconds:5.1f} s, "
              f"language {count * language_each / 1000:5.1f} s (one core)")


# ---------------------------------------------------------------- main

RUNNERS = {
    "blocks": section_blocks, "calibrate": section_calibrate, "matched": section_matched, "lengths": section_lengths,
    "wording": section_wording, "real": section_real, "build": section_build, "decontam": section_decontam,
    "timing": section_timing,
}


def main(argv: "Iterable[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", action="append", choices=SECTIONS, help="run only these sections (repeatable)")
    parser.add_argument("--build", type=Path, default=DEFAULT_BUILD, help="a real build's output folder")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not LIMA_TRAIN.is_file() or not SE_ROOT.is_dir():
        print(f"real data not found under {REALDATA}: nothing to measure")
        return 0
    if not (args.build / "candidates.jsonl").is_file():
        print(f"note: no real build at {args.build}; the real-build figures are left out")
    sys.path.insert(0, str(REPO))
    data = Data(args.build)
    for section in args.section or DEFAULT_SECTIONS:
        started = time.perf_counter()
        RUNNERS[section](data)
        print(f"[{section}: {time.perf_counter() - started:.1f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
