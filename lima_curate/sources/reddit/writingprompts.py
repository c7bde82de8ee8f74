"""r/WritingPrompts: prompt tags, story clean-up, and the WritingPrompts dataset files.

A prompt is a title without its leading tags (``[WP]``, ``(WP)``, ``[WP/EU]`` …), eligible only
when every tag is a self-contained writing prompt (:data:`ELIGIBLE_TAGS`). Notes at a story's
start or end are stripped; a part of a series is dropped; notes in the middle are left alone, as
inside fiction "Update:" or "Thanks" may be the story itself. The dataset (Fan et al., 2018) is
tokenised (``do n't``, ``<newline>``): :func:`detokenize` undoes that.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterator

from lima_curate.csv_input import dict_reader
from lima_curate.errors import InputError

# ---------------------------------------------------------------- tags

#: Tags whose titles are self-contained writing prompts.
ELIGIBLE_TAGS: dict[str, str] = {
    "WP": "writing prompt",
    "SP": "simple prompt",
    "EU": "established universe (fan fiction of a named work)",
    "CW": "constrained writing",
    "TT": "theme thursday",
    "RF": "reality fiction",
    "FF": "fast fiction (word-limited)",
}

#: Tags whose titles are not usable prompts, with why.
INELIGIBLE_TAGS: dict[str, str] = {
    "IP": "image prompt: the prompt is a picture the title only links to",
    "MP": "media prompt: the prompt is a song or video the title only links to",
    "PI": "prompt inspired: the author's own story in the post, comments are critiques",
    "OT": "off topic",
    "PM": "prompt me: a request for prompts",
    "CC": "a request for constructive criticism",
    "META": "a post about the subreddit",
    "MOD": "a moderator post",
    "MODPOST": "a moderator post",
    "NANO": "NaNoWriMo discussion",
}

NSFW_TAGS = frozenset({"NSFW", "NSFL"})

_LEADING_TAG = re.compile(r"\s*[\[(]\s*([A-Za-z]{2,8}(?:\s*/\s*[A-Za-z]{2,8})*)\s*[\])]\s*[:\-–—]?\s*")  # matched at a position


def split_tags(title: str) -> tuple[tuple[str, ...], str]:
    """``"[ WP ] [NSFW] A dragon …"`` -> ``(("WP", "NSFW"), "A dragon …")``; tags upper-cased,
    ``[WP/EU]`` split into its parts."""
    tags: list[str] = []
    position = 0
    while (match := _LEADING_TAG.match(title, position)) is not None:
        tags.extend(part.strip().upper() for part in match.group(1).split("/"))
        position = match.end()  # no slicing per tag: linear in the number of tags
    return tuple(tags), title[position:].strip()


def tag_problem(tags: tuple[str, ...]) -> "str | None":
    """None when the tags make an eligible prompt, else why not."""
    prompt_tags = [tag for tag in tags if tag not in NSFW_TAGS]
    if not prompt_tags:
        return "untagged title: not a writing prompt"
    for tag in prompt_tags:
        if tag in INELIGIBLE_TAGS:
            return f"[{tag}] {INELIGIBLE_TAGS[tag]}"
        if tag not in ELIGIBLE_TAGS:
            return f"unknown tag [{tag}]"
    return None


# ---------------------------------------------------------------- stories

STORY_IS_PART = "story_is_part"

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_NUMBER = r"(?:\d+|[ivx]{1,5}|one|two|three|four|five|six|seven|eight|nine|ten)"
_SEPARATOR = re.compile(r"^(?:[-*_=~#]\s*){3,}$")
_EDIT_NOTE = re.compile(
    r"^[\W_]*(?:edit(?:ed)?|update[ds]?|eta|p\.?\s?s|addendum|a/n|author'?s note|note)\b"
    r"[^\n:]{0,20}?(?:[:\-–—]|\d+\b)",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"^[\W_]*(?:"
    r"(?:thanks?|thank you|thx|ty|wow|omg|holy|whoa)\b[^\n]{0,80}?"
    r"\b(?:gold|silver|platinum|awards?|gild\w*|upvotes?|reading|read|prompt|feedback|kind words|comments)\b"
    r"|(?:cc|constructive criticism|critiques?|criticism|feedback|comments)\b[^\n]{0,60}?"
    r"\b(?:welcome|appreciated|encouraged|please|wanted|accepted)\b"
    r"|(?:word count|words)\s*[:=]?\s*~?\d"
    r"|(?:first (?:time|post|story|attempt|submission|prompt)|long[- ]?time lurker|(?:sorry|apologies) (?:for|about)|on mobile\b)"
    r"|(?:hope you (?:enjoy|like)|if you (?:enjoyed|liked))"
    r")",
    re.IGNORECASE,
)
_PROMOTION = re.compile(
    r"\br/\w+|\bsubreddit\b|\bmy (?:sub|blog|website|patreon|twitter|profile|other (?:stories|work)|writing)\b",
    re.IGNORECASE,
)
_PART_LABEL = re.compile(
    rf"\b(?:part|pt\.?|chapter|ch\.|episode|book)\s*{_NUMBER}\b|^\W*\d+\s*/\s*\d+\W*$"  # "(", ")" and blanks are \W already
    r"|\bcontinued from\b|^\W*cont(?:inued|'d|\.)?\W*$",
    re.IGNORECASE,
)
_CONTINUES = re.compile(
    rf"\b(?:to be continued|continued (?:below|here|in (?:the )?(?:replies|reply|comments?|next))|cont(?:'d|\.)? (?:below|in)"
    rf"|(?:part|pt\.?|chapter)\s*{_NUMBER}\s*(?:below|in (?:the )?(?:replies|comments|reply)|here|->|→|coming)"
    rf"|next part|\[(?:part|chapter)\s*{_NUMBER}\])"
    r"|^\W*\d+\s*/\s*\d+\W*$",
    re.IGNORECASE,
)
NOTE_MAX_CHARS = 400  # longer paragraphs are story, whatever they start with
LABEL_MAX_CHARS = 100


def _is_note(paragraph: str, *, at_end: bool) -> bool:
    if _SEPARATOR.match(paragraph):
        return True
    if len(paragraph) > NOTE_MAX_CHARS:
        return False
    if _EDIT_NOTE.match(paragraph) or _NOTE.match(paragraph):
        return True
    return at_end and _PROMOTION.search(paragraph) is not None


def clean_story(text: str) -> tuple[str, "tuple[str, str] | None"]:
    """Strip leading/trailing notes; return ``(story, None)`` or ``(story, (rule, detail))``
    when the story is one part of a series."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    while paragraphs and _is_note(paragraphs[0], at_end=False):
        paragraphs.pop(0)
    while paragraphs and _is_note(paragraphs[-1], at_end=True):
        paragraphs.pop()
    story = "\n\n".join(paragraphs)
    if paragraphs:
        first, last = paragraphs[0], paragraphs[-1]
        first_line = first.split("\n", 1)[0]
        if len(first_line) <= LABEL_MAX_CHARS and _PART_LABEL.search(first_line):
            return story, (STORY_IS_PART, f"first line {first_line[:60]!r} labels a part of a series")
        last_line = last.rsplit("\n", 1)[-1]
        if len(last_line) <= LABEL_MAX_CHARS and _CONTINUES.search(last_line):
            return story, (STORY_IS_PART, f"last line {last_line[:60]!r}: the story continues elsewhere")
    return story, None


#: the quality of a story without a score (the dataset): one value for all, so the selection picks
#: among them for diversity alone, below every scored story when ``min_story_score >= 1`` (ranking
#: them by length drifted a real build's stories to 2.9 times LIMA's length)
UNSCORED_QUALITY = 0.0


# ---------------------------------------------------------------- detokenising

_DETOKENIZE_RULES: tuple[tuple["re.Pattern[str]", str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"``\s*", '"'),  # opening quote
        (r"(?<!\s)\s*''", '"'),  # closing quote (from the start of a run of blanks: linear)
        (r" (n't|N'T)\b", r"\1"),  # do n't -> don't, ca n't -> can't
        (r"(\w) '(s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b", r"\1'\2"),  # it 's -> it's
        (r"(\w) ?’ ?(s|t|re|ve|ll|d|m)\b", r"\1’\2"),  # doesn ’ t -> doesn’t
        (r"(\w) ’", r"\1’"),  # the students ’ -> the students’
        (r"([‘“]) ", r"\1"),  # “ Daddy -> “Daddy
        (r" ([’”])", r"\1"),  # on? ” -> on?”
        (r"\] \(", "]("),  # [ text ] ( url ) -> markdown link
        (r"([(\[{]) ", r"\1"),  # ( x -> (x
        (r" ([)\]}])", r"\1"),  # x ) -> x)
        (r"(?<=\S) (\.\.\.|[,.;:!?%])(?=\s|$|[,.;:!?%\"'”’)\]])", r"\1"),  # word , -> word,
        (r"\$ (\d)", r"$\1"),  # $ 5 -> $5
        (r"\b(https?): //", r"\1://"),  # http: //x -> http://x
        (r"(https?://(?:(?!https?://)\S)*[?&]) (\w+=)", r"\1\2"),  # watch? v=x -> watch?v=x (one url at a time: linear)
        (r" {2,}", " "),
    )
)
_NEWLINE_TOKEN = re.compile(r"<newline>", re.IGNORECASE)
_MANY_NEWLINES = re.compile(r"\n{3,}")


def detokenize(text: str) -> str:
    """Undo the WritingPrompts dataset's tokenisation (``<newline>``, ``do n't``, `` , ``,
    ``` `` … '' ```, ``( x )``); text that is not tokenised comes back unchanged but for
    spacing around line breaks."""
    lines = _NEWLINE_TOKEN.sub("\n", text).split("\n")
    last = len(lines) - 1  # blanks around each line break go (str methods: linear, unlike [ \t]*\n[ \t]*)
    lines = [line.lstrip(" \t") if number else line for number, line in enumerate(lines)]
    lines = [line.rstrip(" \t") if number < last else line for number, line in enumerate(lines)]
    out = "\n".join(_detokenize_line(line) for line in lines)
    return _MANY_NEWLINES.sub("\n\n", out).strip()


def _detokenize_line(line: str) -> str:
    if not line.strip():
        return line  # nothing for the rules to do (and a dump of blank lines stays cheap)
    for pattern, replacement in _DETOKENIZE_RULES:
        line = pattern.sub(replacement, line)
    return line.strip()


# ---------------------------------------------------------------- dataset files


def iter_dataset_csv(path: Path) -> Iterator[tuple[str, str, str]]:
    """Yield ``(row_id, prompt, story)`` from a CSV with ``prompt`` and ``story`` columns
    (``row_id`` when present, else the data row number)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = dict_reader(handle, path)
            columns = reader.fieldnames or []
            missing = [name for name in ("prompt", "story") if name not in columns]
            if missing:
                found = ", ".join(columns) if columns else "no header"
                raise InputError(path, f"not a WritingPrompts CSV: no column {missing[0]!r} (found: {found})", "line 1")
            for number, row in enumerate(reader, start=1):
                if None in row or any(row.get(name) is None for name in ("prompt", "story")):
                    raise InputError(path, "row has a different number of fields than the header", f"line {reader.line_num}")
                yield (row.get("row_id") or str(number)), row["prompt"], row["story"]
    except UnicodeDecodeError as error:
        raise InputError(path, "not UTF-8 text", f"byte {error.start}") from None
    except csv.Error as error:
        raise InputError(path, f"not valid CSV ({error})") from None


def iter_dataset_pairs(source: Path, target: Path) -> Iterator[tuple[str, str, str]]:
    """Yield ``(line_number, prompt, story)`` from line-aligned ``.wp_source``/``.wp_target``."""
    source, target = Path(source), Path(target)
    with open(source, "rb") as prompts, open(target, "rb") as stories:
        number = 0
        while True:
            prompt, story = prompts.readline(), stories.readline()
            if not prompt and not story:
                return
            number += 1
            if not prompt or not story:
                longer = target if not prompt else source
                raise InputError(longer, f"has more lines than its pair ({number - 1} aligned lines)", f"line {number}")
            yield str(number), _utf8(prompt, source, number), _utf8(story, target, number)


def _utf8(line: bytes, path: Path, number: int) -> str:
    try:
        return line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text", f"line {number}") from None
