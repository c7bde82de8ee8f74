"""What a conversion to text left behind: words about removed images, bare links, HTML entities.

Measurements on clean text: each returns :class:`~lima_curate.text.wording.Hit` tuples in text
order and decides nothing. Every pattern alternative is bounded, so measuring is linear in the text
(tests run them on 1 MB).
"""

from __future__ import annotations

import html
import re

from lima_curate.text.wording import Hit, at_word_start, lowered

# no "\b" first: a literal first lets re skip ahead (twice as fast); the word start is checked after
_PICTURE_WORD = re.compile(
    r"(?:picture|image|photo(?:graph)?|screen ?shot|diagram|figure|graph|chart|illustration|drawing|gif)s?\b"
)
# the words right before a picture word (searched in the 40 characters before it, up to it):
# a position ("in the above", "the following") or a caption verb ("shown in the") ...
_POINTER_BEFORE = re.compile(
    r"(?:\b(?:in|on|from|see) (?:the |this |that )?(?:above|below|following|attached|linked|previous|next) "
    r"|\bthe (?:above|below|following|attached) "
    r"|\b(?:shown|seen|depicted|illustrated|pictured) (?:in|on) (?:the |this |that )?"
    r")$"
)
# ... or "see"/"look at" with the picture word ending the clause: "(see picture 3)", "see the image."
_SEE_BEFORE = re.compile(r"\b(?:see|check|look at) (?:the |this |my |that )?$")
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;:!)]|\d|$)|[ \t]+(?:above|below|here|attached)\b")
_OPEN_PARENTHESIS = re.compile(r"\((?:see )?$")  # "(screenshot)", "(see picture)"
_POINTER_AFTER = re.compile(r" (?:above|below|attached|here)\b")
_PICTURED = re.compile(r"\bpictured (?:above|below|here)\b")
POINTER_WINDOW = 40  # characters looked at before a picture word
# "Figure 4.10 of Nielsen & Chuang", "figure 2 in the paper": a numbered figure of another work
_CITED_FIGURE = re.compile(r"[ \t]*\d+(?:\.\d+)*[ \t]+(?:of|in|from)\b")
_LINK_LABEL = (
    r"(?:sourced? (?:from|at)|sources?|via|from|more (?:information|info|details|here)|further reading"
    r"|see(?: also)?|reference[sd]?|refs?|links?|read more|details|credits?|original)"
)
_BARE_LINK_LINE = re.compile(
    rf"^[ \t]*(?:[-*•+>][ \t]*|\d{{1,3}}[.)][ \t]*|\[\d{{1,3}}\][ \t]*)?(?:{_LINK_LABEL}[ \t]*:?[ \t]*)?"
    r"<?(?:https?://|www\.)[^\s<>]{1,2000}>?(?:[ \t]*[,;]?[ \t]+<?(?:https?://|www\.)[^\s<>]{1,2000}>?){0,20}"
    r"[ \t.]*$",
    re.MULTILINE | re.IGNORECASE,
)

ENTITY_NAMES = frozenset(
    "nbsp amp quot lt gt apos mdash ndash hellip rsquo lsquo rdquo ldquo sbquo bdquo deg cent pound euro "
    "yen copy reg trade times divide middot bull laquo raquo shy zwj zwnj thinsp ensp emsp iexcl iquest "
    "sect para plusmn micro frac12 frac14 frac34 sup1 sup2 sup3 larr rarr uarr darr harr lrm rlm".split()
)
_ENTITY = re.compile(r"&[ \t]?(?:([A-Za-z][A-Za-z0-9]{1,7})|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")


def removed_image_references(text: str) -> tuple[Hit, ...]:
    """Words in ``text`` that point at a picture it no longer carries: "in the above picture", "see the
    screenshot", "(see image)", "pictured above". Not a bare "this image" (often a metaphor), nor a
    numbered figure of another work ("Figure 4.10 of Nielsen & Chuang")."""
    lower = lowered(text)
    hits = [Hit(text[m.start() : m.end()], m.start(), "removed_image") for m in _PICTURED.finditer(lower)]
    for word in _PICTURE_WORD.finditer(lower):
        start, end = word.span()
        if not at_word_start(lower, start, "") or _CITED_FIGURE.match(lower, end):
            continue
        window = max(0, start - POINTER_WINDOW)
        before = _POINTER_BEFORE.search(lower, window, start)
        if before is None and _CLAUSE_END.match(lower, end):
            before = _SEE_BEFORE.search(lower, window, start)
        after = _POINTER_AFTER.match(lower, end)
        if before is not None:
            hits.append(Hit(text[before.start() : end], before.start(), "removed_image"))
        elif after is not None:
            hits.append(Hit(text[start : after.end()], start, "removed_image"))
        elif lower.startswith(")", end):
            opened = _OPEN_PARENTHESIS.search(lower, window, start)
            if opened is not None:
                hits.append(Hit(text[opened.start() : end + 1], opened.start(), "removed_image"))
    return tuple(sorted(hits, key=lambda hit: hit.start))


def bare_link_lines(text: str) -> tuple[Hit, ...]:
    """Lines of ``text`` that are only URLs after at most a short label ("Source:", "See also", a
    bullet); not a URL inside a sentence."""
    if "http" not in text and "www." not in text:
        return ()
    return tuple(Hit(m.group(0).strip(), m.start(), "bare_link") for m in _BARE_LINK_LINE.finditer(text))


def entity_residue(text: str) -> tuple[Hit, ...]:
    """HTML character references left in ``text`` as literal text: "&amp;", "&#39;", WritingPrompts'
    "& nbsp;". Only known entity names count: "AT&T;" is no residue."""
    if "&" not in text:
        return ()
    return tuple(Hit(m.group(0), m.start(), "entity") for m in _ENTITY.finditer(text) if _is_entity(m))


def _is_entity(match: "re.Match[str]") -> bool:
    name = match.group(1)
    return name is None or name.lower() in ENTITY_NAMES


def repair_entity_residue(text: str) -> str:
    """``text`` with its entity residue decoded ("& nbsp;" -> a space, "&amp;" -> "&");
    the no-break space becomes a plain one. Other text is left as it is."""
    if "&" not in text:
        return text

    def decode(match: "re.Match[str]") -> str:
        if not _is_entity(match):
            return match.group(0)
        return html.unescape(match.group(0).replace(" ", "").replace("\t", "")).replace("\xa0", " ")

    return _ENTITY.sub(decode, text)
