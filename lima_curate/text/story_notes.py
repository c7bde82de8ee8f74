"""Author notes left in a WritingPrompts story: the writer talking to Reddit, not the story.

:func:`author_notes` returns the note phrases as :class:`~lima_curate.text.wording.Hit` tuples
(``kind`` names the family of :data:`NOTE_FAMILIES`, each kept narrow); it decides nothing. A note
can sit anywhere (an opener, a sign-off, before an alternate ending), so the whole story is searched
except dialogue (double-quoted spans on one line). Bounded repetition only: linear in the text.
"""

from __future__ import annotations

import re

from lima_curate.text.wording import Hit, at_word_start, unquoted

NOTE_FAMILIES: tuple[tuple[str, str], ...] = (
    ("enjoyed",
     r"(?:was|is) (?:really |so |a lot of |very )?fun to write\b"
     r"|(?:hope|hopefully) (?:you|anyone|everyone|y'all|ya|people)(?: who read (?:it|this))?(?: guys)? "
     r"(?:enjoy|enjoyed|like|liked)\b"
     r"|thanks? (?:you )?(?:so much )?for reading\b|thank you (?:all )?for reading\b"),
    ("first_post",
     r"(?:this is |it's |its )?my (?:very )?first (?:time )?(?:ever )?(?:post|posting|story|prompt|submission|response|"
     r"time writing|attempt|wp)\b"
     r"|first time (?:posting|writing|submitting|responding)\b|long[- ]?time lurker\b"),
    ("promotion",
     r"(?:come|head|swing) (?:on )?(?:over )?(?:to|by) r/\w"
     r"|(?:check out|subscribe to|visit|more (?:stories )?(?:at|on)|find me (?:at|on)) (?:my )?(?:/?r/\w|sub(?:reddit)?\b)"
     r"|my (?:own )?(?:subreddit|sub|patreon|blog|twitter)\b"),
    ("edit_note",
     r"edits? (?:were|was|have been) made\b|edits? for (?:grammar|typos?|spelling|formatting|clarity)\b"
     r"|(?m:^[ \t*_(\[]*edit(?:ed)?[ \t]*\d{0,2}[ \t]*(?:\([^()\n]{0,40}\))?[ \t]*[:\-–—])"),
    ("feedback",
     r"(?:constructive )?critici[sz]m (?:is |are )?(?:very |always )?(?:welcome|appreciated|encouraged|wanted)\b"
     r"|(?:feedback|comments|critiques?|cc) (?:is |are )?(?:very |always )?(?:welcome|appreciated|encouraged)\b"),
    ("word_count",
     r"word ?count[ \t]*[:=-]?[ \t]*~?\d"
     r"|\([ \t]*~?\d{2,5} words?[ \t]*\)"),
    ("responses",
     r"so many (?:good |great )?(?:responses|stories|entries) already\b|my (?:response|take|attempt) (?:to|at) (?:this|the) prompt\b"),
)
AUTHOR_NOTE = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in NOTE_FAMILIES), re.IGNORECASE
)
_KEYWORDS = ("fun to write", "enjoy", "like", "reading", "first", "lurker", "r/", "sub", "patreon", "blog",
             "twitter", "edit", "critici", "feedback", "comments", "critique", "cc", "word", "responses",
             "stories", "entries", "prompt")


def author_notes(story: str) -> tuple[Hit, ...]:
    """The author-note phrases in ``story`` (see module doc), in text order."""
    lower = story.lower()
    if not any(keyword in lower for keyword in _KEYWORDS):
        return ()
    found = [m for m in AUTHOR_NOTE.finditer(story) if at_word_start(story, m.start(), "")]
    # dialogue is the story: '"I hope you like it," she said'
    return tuple(Hit(m.group(0).strip(), m.start(), m.lastgroup or "") for m in unquoted(story, found))
