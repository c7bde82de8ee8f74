"""HTML post bodies to clean, Markdown-like text.

Code blocks stay verbatim between fences (longer when the code holds backticks; a ``lang-*`` class
names the language), inline code between backticks, MathJax (``$…$``, ``$$…$$``, ``\\(…\\)``,
``\\[…\\]``, ``\\begin{env}…\\end{env}``) as written. Lists become ``- item``/``1. item`` (``start``
honoured), an item's lines indented by its marker's width; blockquotes ``> ``, headings ``#`` × level,
table cells joined by `` | ``, ``<br>`` a line break, paragraphs a blank line apart. Links keep their
anchor text; images, scripts, styles, media and comments go whole; other tags keep their text. Prose
whitespace collapses as in a browser; lxml repairs broken markup, so any string gives some text.
Character references are decoded once, by the parser (a dump's ``Body`` comes already unescaped
once from XML); nothing is unescaped a second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from lima_curate.text.spans import fenced_code_spans, inline_code_spans, math_spans, replace_spans

DROPPED = frozenset(
    "img script style noscript iframe object embed video audio source track svg canvas "
    "map head title meta link base button input select option textarea template".split()
)
BLOCKS = frozenset(
    "p div pre blockquote ul ol li h1 h2 h3 h4 h5 h6 hr table thead tbody tfoot tr caption "
    "dl dt dd section article aside header footer nav figure figcaption details summary "
    "center address main form fieldset body html".split()
)
HEADINGS = {f"h{level}": level for level in range(1, 7)}

# placeholders for verbatim spans while prose whitespace is collapsed
_OPEN, _CLOSE, _BREAK = "\ue000", "\ue001", "\ue002"
_PLACEHOLDER = re.compile(r"\ue000(\d+)\ue001")
_PRIVATE = re.compile(r"[\ue000-\ue002]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_DOUBLE_SPACES = re.compile(r"  +")
_AROUND_BREAK = re.compile(r" ?\ue002 ?")
_LANG_CLASS = re.compile(r"(?:^|\s)lang(?:uage)?-([\w+#.-]+)")
_BACKTICKS = re.compile(r"`+")
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)


@dataclass(frozen=True)
class CleanHtml:
    """The clean text of an HTML fragment and what was dropped from it."""

    text: str
    images: int = 0  # <img> elements dropped
    links: int = 0  # <a href> elements whose target was dropped
    link_letters: int = 0  # letters of anchor text (to tell a link-only body)

    @property
    def letters(self) -> int:
        return count_letters(self.text)


def count_letters(text: str) -> int:
    """How many letters (not digits, marks or punctuation) ``text`` holds."""
    return sum(map(str.isalpha, text))


def clean_html(html: str) -> CleanHtml:
    """Clean text of an HTML fragment, with counts of dropped images and links."""
    html = html or ""
    if _OPEN in html or _CLOSE in html or _BREAK in html:
        html = _PRIVATE.sub("", html)
    if not html.strip():
        return CleanHtml("")
    data = html.encode("utf-8", "replace")  # "replace": a lone surrogate cannot be encoded
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        try:  # control characters can upset the parser; XML text never has them
            root = etree.fromstring(_CONTROL.sub("", html).encode("utf-8", "replace"), _PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            root = None
    if root is None:  # nothing but comments or processing instructions
        return CleanHtml("")
    body = root.find("body")
    root = body if body is not None else root
    renderer = _Renderer()
    text = "\n\n".join(renderer.blocks(root))
    return CleanHtml(text, renderer.images, renderer.links, renderer.link_letters)


class _Paragraph:
    """Inline pieces of one block: prose, verbatim spans and line breaks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.verbatim: list[str] = []

    def text(self, text: "str | None") -> None:
        if text:
            self.parts.append(text)

    def keep(self, text: str) -> None:
        self.parts.append(f"{_OPEN}{len(self.verbatim)}{_CLOSE}")
        self.verbatim.append(text)

    def line_break(self) -> None:
        self.parts.append(_BREAK)

    def render(self) -> str:
        raw = "".join(self.parts)
        if not raw.strip():
            return ""
        if "$" in raw or "\\" in raw:
            raw = replace_spans(raw, math_spans(raw), self._math)
        prose = _collapse(raw)
        if _BREAK in prose:
            prose = _AROUND_BREAK.sub("\n", prose)
        prose = prose.strip()
        if not self.verbatim:
            return prose
        return _PLACEHOLDER.sub(lambda m: self.verbatim[int(m.group(1))], prose)

    def _math(self, span: str) -> str:
        span = span.replace(_BREAK, "\n")
        span = _PLACEHOLDER.sub(lambda m: self.verbatim[int(m.group(1))], span)
        index = len(self.verbatim)
        self.verbatim.append(span)
        return f"{_OPEN}{index}{_CLOSE}"


class _Renderer:
    """Walks an lxml.html tree and renders blocks of text."""

    def __init__(self) -> None:
        self.images = 0
        self.links = 0
        self.link_letters = 0

    def blocks(self, element: etree._Element) -> list[str]:
        """The rendered blocks of ``element``'s content (its text, children and their tails)."""
        out: list[str] = []
        self._flush(self._inline(element, _Paragraph(), out), out)
        return out

    def _flush(self, paragraph: _Paragraph, out: list[str]) -> None:
        text = paragraph.render()
        if text:
            out.append(text)

    def _node(self, node: etree._Element, paragraph: _Paragraph, out: list[str]) -> _Paragraph:
        """Render ``node`` into ``paragraph`` (inline) or ``out`` (block); return the open paragraph."""
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in DROPPED:
            if tag == "img":
                self.images += 1
            return paragraph
        if tag == "br":
            paragraph.line_break()
            return paragraph
        if tag == "code":
            code = _text_of(node)
            if code:
                paragraph.keep(_inline_code(code))
            return paragraph
        if tag == "a":
            if node.get("href") is not None:
                self.links += 1
                self.link_letters += count_letters(_text_of(node))
            return self._inline(node, paragraph, out)
        if tag not in BLOCKS:
            return self._inline(node, paragraph, out)
        self._flush(paragraph, out)
        block = self._block(node, tag)
        if block:
            out.append(block)
        return _Paragraph()

    def _inline(self, node: etree._Element, paragraph: _Paragraph, out: list[str]) -> _Paragraph:
        paragraph.text(node.text)
        for child in node:
            paragraph = self._node(child, paragraph, out)
            paragraph.text(child.tail)
        return paragraph

    def _block(self, node: etree._Element, tag: str) -> str:
        if tag == "pre":
            return _code_block(node)
        if tag in ("ul", "ol"):
            return self._list(node, ordered=tag == "ol")
        if tag == "li":
            return _prefix_lines(self._item(node), "- ", "  ")
        if tag == "blockquote":
            return _prefix_lines("\n\n".join(self.blocks(node)), "> ", "> ")
        if tag in HEADINGS:
            text = " ".join(self.blocks(node))
            return f"{'#' * HEADINGS[tag]} {text}" if text else ""
        if tag == "table":
            return "\n".join(self._rows(node))
        if tag == "tr":
            return self._row(node)
        if tag == "hr":
            return ""
        return "\n\n".join(self.blocks(node))

    def _item(self, node: etree._Element) -> str:
        return "\n".join(self.blocks(node))

    def _list(self, node: etree._Element, ordered: bool) -> str:
        number = _start(node) if ordered else 1
        items: list[str] = []
        stray = (node.text or "").strip()
        if stray:
            items.append(_SPACES.sub(" ", stray))
        for child in node:
            if isinstance(child.tag, str) and child.tag.lower() not in DROPPED:
                text = self._item(child) if child.tag.lower() == "li" else "\n".join(self._blocks_of(child))
                if text:
                    marker = f"{number}. " if ordered else "- "
                    items.append(_prefix_lines(text, marker, " " * len(marker)))
                    number += 1
            tail = (child.tail or "").strip()
            if tail:
                items.append(_SPACES.sub(" ", tail))
        return "\n".join(items)

    def _blocks_of(self, node: etree._Element) -> list[str]:
        """Blocks of ``node`` itself (not just its content), as a stray list child."""
        out: list[str] = []
        self._flush(self._node(node, _Paragraph(), out), out)
        return out

    def _rows(self, table: etree._Element) -> list[str]:
        rows = [text for row in table.iter("tr") if (text := self._row(row))]
        caption = table.find("caption")
        if caption is not None:
            text = " ".join(self.blocks(caption))
            if text:
                rows.insert(0, text)
        return rows

    def _row(self, row: etree._Element) -> str:
        cells = [
            " ".join(self.blocks(cell)).replace("\n", " ")
            for cell in row
            if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
        ]
        return " | ".join(cells).strip() if any(cells) else ""


def _collapse(text: str) -> str:
    """Collapse runs of ASCII whitespace to one space (str methods: much faster than one sub)."""
    for char in "\n\t\r\f\v":
        if char in text:
            text = text.replace(char, " ")
    return _DOUBLE_SPACES.sub(" ", text) if "  " in text else text


def _text_of(node: etree._Element) -> str:
    return "".join(node.itertext())


def _start(node: etree._Element) -> int:
    try:
        return int(node.get("start", "1"))
    except ValueError:
        return 1


def _prefix_lines(text: str, first: str, rest: str) -> str:
    """Prefix the first line with ``first`` and later non-empty lines with ``rest``."""
    lines = text.split("\n")
    out = [first + lines[0]]
    bare = rest.rstrip()
    out.extend((rest + line) if line else bare for line in lines[1:])
    return "\n".join(out)


def _fence_for(code: str, minimum: int) -> int:
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    return max(minimum, longest + 1)


def _inline_code(code: str) -> str:
    ticks = "`" * _fence_for(code, 1)
    return f"`{code}`" if ticks == "`" else f"{ticks} {code} {ticks}"


def _code_block(pre: etree._Element) -> str:
    code = _text_of(pre)
    if code.endswith("\n"):
        code = code[:-1]
    if not code.strip():
        return ""
    match = _LANG_CLASS.search(pre.get("class", ""))
    language = match.group(1) if match and match.group(1) not in ("none", "default") else ""
    fence = "`" * _fence_for(code, 3)
    return f"{fence}{language}\n{code}\n{fence}"


_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*$", re.MULTILINE)


def prose_only(text: str) -> str:
    """The author's own prose in clean text: without code, math and quoted lines.

    Used by rules that look for words ("I", "my", "@name") that mean something else
    inside code, formulas or a quotation.
    """
    if "`" in text:
        text = replace_spans(text, fenced_code_spans(text))
        text = replace_spans(text, inline_code_spans(text))
    if ">" in text:
        text = _QUOTED_LINE.sub(" ", text)
    if "$" in text or "\\" in text:
        text = replace_spans(text, math_spans(text))
    return text
