"""Math and code spans in text, found by linear scans instead of backtracking expressions.

Each finder returns exactly the spans that ``re.finditer`` of the expression in its
docstring returns (leftmost first, alternatives in order), in time linear in the text.
The expressions themselves took quadratic or worse time on crafted input: a line of
backticks, thousands of ``\\[`` that never close, a fence that never ends.
"""

from __future__ import annotations

import bisect
import re
from typing import Callable

_MATH_START = re.compile(r"[$\\]")
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
_END = re.compile(r"\\end\{([A-Za-z]+\*?)\}")
_INLINE_BODY = re.compile(r"[^$\\]*(?:\\.[^$\\]*)*\$", re.DOTALL)  # unambiguous: linear per attempt
_BACKTICKS = re.compile(r"`+")
_FENCE_LINE = re.compile(r"[ \t]*(`{3,})[^`\n]*\n")  # CommonMark: no backtick after a backtick fence
_CLOSING_LINE = re.compile(r"^[ \t]*(`{3,})[ \t]*$", re.MULTILINE)


def math_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each MathJax span, as ``re.finditer`` of::

        \\$\\$[^$]+(?:\\$(?!\\$)[^$]*)*\\$\\$            display math $$ ... $$
        | \\\\\\[.+?\\\\\\]                            \\[ ... \\]
        | \\\\\\(.+?\\\\\\)                            \\( ... \\)
        | \\\\begin\\{([A-Za-z]+\\*?)\\}.*?\\\\end\\{\\1\\}   \\begin{env} ... \\end{env}
        | \\$(?!\\$)[^$\\\\]*(?:\\\\.[^$\\\\]*)*\\$         inline $ ... $ (\\$ inside is escaped)

    (dot matching newlines) would give them.
    """
    spans: list[tuple[int, int]] = []
    last = {close: text.rfind(close) for close in ("$$", "\\]", "\\)")}
    ends: "dict[str, list[int]] | None" = None
    inline_closes = True  # once an inline $ finds no closing $, no later one does
    position = 0
    while (found := _MATH_START.search(text, position)) is not None:
        start = found.start()
        end = None
        if text[start] == "$":
            if text.startswith("$$", start):
                if start + 2 < len(text) and text[start + 2] != "$" and start + 3 <= last["$$"]:
                    end = text.find("$$", start + 3) + 2
            elif inline_closes:
                body = _INLINE_BODY.match(text, start + 1)
                if body is None:
                    inline_closes = False
                else:
                    end = body.end()
        elif text.startswith("\\[", start) or text.startswith("\\(", start):
            close = "\\]" if text[start + 1] == "[" else "\\)"
            if start + 3 <= last[close]:
                end = text.find(close, start + 3) + 2
        elif (begin := _BEGIN.match(text, start)) is not None:
            if ends is None:
                ends = {}
                for match in _END.finditer(text):
                    ends.setdefault(match.group(1), []).append(match.start())
            places = ends.get(begin.group(1), [])
            index = bisect.bisect_left(places, begin.end())
            if index < len(places):
                end = places[index] + len(begin.group(1)) + len("\\end{}")
        if end is None:
            position = start + 1
        else:
            spans.append((start, end))
            position = end
    return spans


def fenced_code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks, as ``re.finditer`` of (multi-line, dot matching newlines)::

        ^[ \\t]*(`{3,})[^`\\n]*\\n.*?^[ \\t]*\\1[ \\t]*$

    A fence opened with n backticks closes at the first later line holding exactly that
    many and blanks. As in CommonMark, the opening line holds no other backtick (so the
    expression cannot backtrack to fewer): "```x``` is inline code" at the start of a
    line (as LIMA's released text writes inline code) opens no fence.
    """
    closings: dict[int, list[int]] = {}  # backtick count -> ends of the lines closing such a fence
    for match in _CLOSING_LINE.finditer(text):
        closings.setdefault(len(match.group(1)), []).append(match.start())
    ends = {count: [_line_end(text, start) for start in starts] for count, starts in closings.items()}
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(text):
        opener = _FENCE_LINE.match(text, position)
        if opener is not None:
            count = len(opener.group(1))
            starts = closings.get(count, [])
            index = bisect.bisect_left(starts, opener.end())
            if index < len(starts):
                spans.append((position, ends[count][index]))
                position = ends[count][index]
            else:
                opener = None
        if opener is None:
            newline = text.find("\n", position)
            if newline == -1:
                break
            position = newline + 1
        elif position < len(text) and text[position] == "\n":
            position += 1  # a span ends before its line's newline; the next line starts after it
    return spans


def _line_end(text: str, start: int) -> int:
    newline = text.find("\n", start)
    return len(text) if newline == -1 else newline


def inline_code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of inline code, as ``re.finditer(r"(`+)[^\\n]*?\\1", text)`` gives them.

    From a run of r backticks the expression tries k = r, r-1, ... 1 backticks and
    closes at the first later place on the line holding k backticks (inside a longer run
    too): the first k with a later run at least k long, or with 2k <= r (closing within
    the opening run itself).
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    while line_start <= len(text):
        line_end = text.find("\n", line_start)
        if line_end == -1:
            line_end = len(text)
        runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(text, line_start, line_end)]
        later_longest = [0] * (len(runs) + 1)  # longest run after run i on the line
        for index in range(len(runs) - 1, -1, -1):
            later_longest[index] = max(later_longest[index + 1], runs[index + 1][1] if index + 1 < len(runs) else 0)
        index, offset = 0, 0  # the scan stands at runs[index] start + offset
        while index < len(runs):
            run_start, run_length = runs[index]
            start, available = run_start + offset, run_length - offset
            inside, after = available // 2, min(available, later_longest[index])
            count = max(inside, after)
            if count == 0:  # a single backtick with no later run on the line: no span starts here
                index, offset = index + 1, 0
                continue
            if 2 * count <= available:  # closes within its own run (the earlier place)
                end = start + 2 * count
                offset += 2 * count
                if offset >= run_length:
                    index, offset = index + 1, 0
            else:
                index = next(i for i in range(index + 1, len(runs)) if runs[i][1] >= count)
                end = runs[index][0] + count
                offset = count
                if offset >= runs[index][1]:
                    index, offset = index + 1, 0
            spans.append((start, end))
        line_start = line_end + 1
    return spans


def replace_spans(text: str, spans: list[tuple[int, int]], replace: Callable[[str], str] = lambda _: " ") -> str:
    """``text`` with each span replaced by ``replace(span's text)`` (by default a space)."""
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], replace(text[start:end])]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
