"""How an answer is worded: first person, references to the site, thread talk.

Measurements on *prose* (:func:`lima_curate.text.html.prose_only` of the clean text, computed
once for all): each returns the phrases it found as :class:`Hit` tuples in text order, so a table
can keep the words and a rule can name them; none decides anything. Every pattern starts with a
literal (``re`` scans ahead fast; the word start is checked in Python) and backtracks a bounded
distance, so measuring is linear in the text (tests run them on 1 MB).
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator, NamedTuple


class Hit(NamedTuple):
    """A phrase found in the measured text: the words as written, where, and its family."""

    phrase: str
    start: int
    kind: str = ""


def lowered(text: str) -> str:
    """``text`` in lower case, one character for one: a match in it is at the same place in
    ``text`` (``"İ".lower()`` is two characters; such characters stay as they are)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def phrases(hits: "tuple[Hit, ...]") -> tuple[str, ...]:
    """The distinct phrases of ``hits``, in the order first found (for a table column)."""
    return tuple(dict.fromkeys(hit.phrase for hit in hits))


def at_word_start(text: str, start: int, not_before: str) -> bool:
    """No letter, digit, "_" or a ``not_before`` character just before ``start``."""
    if not start:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or before in not_before)


def _word_matches(pattern: "re.Pattern[str]", text: str, not_before: str = "") -> Iterator["re.Match[str]"]:
    for match in pattern.finditer(text):
        if at_word_start(text, match.start(), not_before):
            yield match


# ---------------------------------------------------------------- quoted spans

# a double-quoted span on one line, at most QUOTE_MAX_CHARS long: "…", “…”, &quot;…&quot;
QUOTE_MAX_CHARS = 300
_QUOTED = re.compile(
    rf'"[^"\n]{{0,{QUOTE_MAX_CHARS}}}"'
    rf"|“[^“”\n]{{0,{QUOTE_MAX_CHARS}}}”"
    rf"|&quot;(?:(?!&quot;)[^\n]){{0,{QUOTE_MAX_CHARS}}}&quot;"
)


def unquoted(text: str, matches: "list[re.Match[str]]") -> "list[re.Match[str]]":
    """The ``matches`` that do not start inside a quoted span of ``text``."""
    if not matches or not ('"' in text or "“" in text or "&quot;" in text):
        return matches
    spans = [m.span() for m in _QUOTED.finditer(text)]
    starts = [start for start, _ in spans]
    kept = []
    for match in matches:
        at = bisect.bisect_right(starts, match.start()) - 1
        if at < 0 or match.start() >= spans[at][1]:
            kept.append(match)
    return kept


# ---------------------------------------------------------------- first person

_FIRST_PERSON = re.compile(r"I(?![\w'’])|[Mm]y(?![\w'’])")
# "\b" first here: "me" ends many words ("some", "time"), and re tests a boundary faster
# than Python can reject those matches one by one
_FIRST_PERSON_EXTENDED = re.compile(
    r"\b(?:[Mm]e|[Mm]yself)(?![\w'’])|\b(?:of|is|was|are|were) mine\b|\b[Mm]ine (?:is|was|are|were)\b"
)
# a capital "I" after one of these words is a numeral or part of a name: "Type I", "World War I"
NUMERAL_WORDS = frozenset(
    "type class phase part war chapter appendix section grade stage schedule level category article act "
    "volume book king queen pope henry louis charles george james elizabeth edward william series model "
    "tier division league complex form figure table step plate unit mark mk region zone gen generation".split()
)
_NOT_PRONOUN_AFTER = frozenset("/-+")
_NOT_PRONOUN_BEFORE = frozenset("%+-⌥⌘")


def _is_pronoun_i(text: str, start: int) -> bool:
    """The "I" at ``start`` is the pronoun, not a letter in "I/O", "Ctrl+I", "%I", "I.e." or "Type I"."""
    end = start + 1
    after = text[end] if end < len(text) else ""
    if after in _NOT_PRONOUN_AFTER:
        return False
    if after == "." and end + 1 < len(text) and text[end + 1].isalpha():  # "I.e."
        return False
    if start and text[start - 1] in _NOT_PRONOUN_BEFORE:
        return False
    before = text[max(0, start - 30) : start].rstrip(" \t")
    if len(before) == start - max(0, start - 30):  # no space before the "I": nothing more to tell
        return True
    if before.endswith("+"):  # "Ctrl + Shift + I"
        return False
    last_word = before.rsplit(None, 1)[-1] if before else ""
    return last_word.lower() not in NUMERAL_WORDS


def first_person(prose: str) -> tuple[Hit, ...]:
    """The paper's first-person words in ``prose`` (LIMA §2.1: "I", "my"/"My").

    Not "I'm", "I've", "I'd", "I'll"; not "I" as a letter or numeral ("I/O", "I-407", "Ctrl+Shift+I",
    "I.e.", "%I", "Type I", "Louis I"); not any word inside a short double-quoted span on one line.
    """
    if "I" not in prose and "my" not in prose and "My" not in prose:
        return ()
    found = [
        m for m in _word_matches(_FIRST_PERSON, prose, "'’") if m.group(0) != "I" or _is_pronoun_i(prose, m.start())
    ]
    return tuple(Hit(m.group(0), m.start(), "first_person") for m in unquoted(prose, found))


def first_person_extended(prose: str) -> tuple[Hit, ...]:
    """What a wider test adds to :func:`first_person`: "me", "myself", and "mine" as a pronoun
    ("of mine", "mine is"; not "a coal mine"); not inside a short quotation."""
    found = [m for m in _FIRST_PERSON_EXTENDED.finditer(prose) if at_word_start(prose, m.start(), "'’-")]
    return tuple(Hit(m.group(0), m.start(), "first_person_extended") for m in unquoted(prose, found))


# ---------------------------------------------------------------- references to the site

_NAME = r"[A-Za-z][\w.-]{0,30}"
# (kind, words one of which every match holds, pattern on the lower-cased prose)
_REFERENCE_FAMILIES: tuple[tuple[str, tuple[str, ...], "re.Pattern[str]"], ...] = tuple(
    (kind, keywords, re.compile(pattern))
    for kind, keywords, pattern in (
        ("other_answers", ("answer",),
         r"other answers?\b|another answer\b|previous answers?\b|earlier answers?\b|accepted answer\b"
         r"|top answers?\b|above answers?\b|(?:most|all|many|several|some) (?:of the )?answers (?:here|above)\b"
         r"|answers? (?:above|below)\b|answer by\b"),
        ("as_others_said", ("as ", "already"),
         r"as (?:others|other people|some(?:one|body)|many|several people) (?:have |has )?"
         r"(?:already )?(?:mentioned|said|stated|noted|pointed out|suggested|explained)\b"
         r"|as (?:(?:was|has been|has already been|was already) )?"
         r"(?:mentioned|said|stated|noted|pointed out|suggested) (?:by others|by (?:another|other) \w+"
         r"|in (?:the |a |an )?(?:other |another |previous |earlier |accepted )?(?:comments?|answers?))\b"
         r"|already (?:pointed out|mentioned|said|noted) by others\b"),
        ("comments", ("comment",),
         r"in the comments\b|in a comment\b|in (?:his|her|their|your|my) comments?\b"
         r"|comments? (?:above|below|section)\b|the comments? (?:on|under|to) (?:the|this|your|my) "
         r"(?:question|answer|post)\b"),
        ("site", ("stack", "super", "server", "site", "forum", "meta."),
         r"stack ?exchange\b|stack ?overflow\b|super ?user\.com\b|server ?fault\b|this site\b|this forum\b"
         r"|this stack\b|meta\.\w"),
    )
)
# on the original case: "Bob's answer", "Flater's comment"; "the OP"; "@name"; "Edit:" (edit_mark) or
# "Update:" (update_mark) at a line start: "Update" is as frequent in LIMA's picks as in the dumps
# (0.25%, 0.27%), "Edit" is not (0 against 1.3%)
_NAMED_ANSWER = re.compile(rf"{_NAME}['’]s (?:answer|comment)\b")
_ORIGINAL_POSTER = re.compile(r"OP(?:['’]s)?\b")
_MENTION = re.compile(rf"@{_NAME}")
_EDIT_MARK = re.compile(
    r"^[ \t*_#>-]*(?:(EDIT|Edit|edit)|UPDATE|Update|update)[ \t]*\d*[ \t]*(?:\([^()\n]{0,40}\))?[ \t]*:",
    re.MULTILINE,
)
_QUESTION_REFERENCES = re.compile(r"this question\b|your question\b|the original question\b|the question\b")


def site_references(prose: str) -> tuple[Hit, ...]:
    """Pointers at other answers, the comments, the asker ("the OP", "@name") or the site in ``prose``;
    a hit's ``kind`` names the family. Not "this/your question": the prompt carries the question
    (:func:`question_references`)."""
    hits = []
    lower = lowered(prose)
    for kind, keywords, pattern in _REFERENCE_FAMILIES:
        if any(keyword in lower for keyword in keywords):
            hits.extend(Hit(prose[m.start() : m.end()], m.start(), kind) for m in _word_matches(pattern, lower, "."))
    if "s answer" in lower or "s comment" in lower:
        hits.extend(Hit(m.group(0), m.start(), "named_answer") for m in _word_matches(_NAMED_ANSWER, prose))
    if "OP" in prose:
        hits.extend(Hit(m.group(0), m.start(), "op") for m in _word_matches(_ORIGINAL_POSTER, prose))
    if "@" in prose:  # "x@y.org": a letter before "@" is no mention
        hits.extend(Hit(m.group(0), m.start(), "mention") for m in _word_matches(_MENTION, prose, ".@"))
    if "dit" in lower or "pdate" in lower:
        hits.extend(Hit(m.group(0).strip(" \t*_#>-"), m.start(), "edit_mark" if m.group(1) else "update_mark")
                    for m in _EDIT_MARK.finditer(prose))
    return tuple(sorted(hits, key=lambda hit: hit.start))


def question_references(prose: str) -> tuple[Hit, ...]:
    """"this question", "your question", "the (original) question": measured, never a drop."""
    lower = lowered(prose)
    if "question" not in lower:
        return ()
    return tuple(
        Hit(prose[m.start() : m.end()], m.start(), "question") for m in _word_matches(_QUESTION_REFERENCES, lower)
    )


# ---------------------------------------------------------------- thread talk

_THREAD_TALK = re.compile(
    r"follow-? ?up question\b"
    r"|follow-? ?up (?:to|on) (?:@|(?:my|the|this|that|an?|your|his|her) (?:\w+ )?(?:question|answer|post|comment)s?\b)"
    r"|(?:please|pls|plz) (?:leave|add|post|drop) (?:a |me a )?comments?\b"
    r"|(?:please |feel free to )(?:comment|edit|correct me|let me know)\b"
    r"|let me know (?:in the comments|if (?:this|that|it) (?:helps|works|answers))\b"
    r"|care to comment\b|care to explain\b"
    r"|down-?vot(?:e|es|ed|er|ers|ing)\b|up-?vot(?:e|es|ed|ing)\b"
    r"|this answer (?:could|can|should|might|will) be (?:expanded|improved|updated|extended)\b"
    r"|(?:edits?|corrections?|improvements?|suggestions?) (?:on (?:that|this) )?(?:are|is) (?:very )?welcome\b"
    r"|(?:i'll|i will|i'd|i may|i might) (?:update|expand|edit|improve) (?:this|my) (?:answer|post)\b"
)
_THREAD_KEYWORDS = ("follow", "comment", "edit", "let me know", "care to", "vot", "this answer", "welcome",
                    "correct me", "update", "expand", "improve")


def thread_talk(prose: str) -> tuple[Hit, ...]:
    """Talk to the thread's readers in ``prose``: "follow-up question", "please leave a comment",
    "downvote", "I'll update this answer"... Not "hope this helps": a sign-off, as frequent in LIMA's
    picks (0.5%) as in the dumps' top answers (1.1%)."""
    lower = lowered(prose)
    if not any(keyword in lower for keyword in _THREAD_KEYWORDS):
        return ()
    return tuple(
        Hit(prose[m.start() : m.end()], m.start(), "thread_talk") for m in _word_matches(_THREAD_TALK, lower, "-")
    )
