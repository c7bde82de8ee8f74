"""The linear span finders give exactly what the expressions they replace gave, on 1 MB quickly."""

from __future__ import annotations

import random
import re
import time

import pytest

from lima_curate.text.spans import fenced_code_spans, inline_code_spans, math_spans

# the expressions as they were: the specification (fine on short text, super-linear on crafted text)
MATH = re.compile(
    r"""
      \$\$[^$]+(?:\$(?!\$)[^$]*)*\$\$
    | \\\[.+?\\\]
    | \\\(.+?\\\)
    | \\begin\{([A-Za-z]+\*?)\}.*?\\end\{\1\}
    | \$(?!\$)[^$\\]*(?:\\.[^$\\]*)*\$
    """,
    re.DOTALL | re.VERBOSE,
)
FENCED = re.compile(r"^[ \t]*(`{3,})[^`\n]*\n.*?^[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"(`+)[^\n]*?\1")

PIECES = {
    "math": ["$", "$$", "\\", "\\[", "\\]", "\\(", "\\)", "\\begin{a}", "\\end{a}", "\\begin{b*}", "\\end{b*}",
             "\\end{b}", "x", " ", "\n", "{", "}"],
    "fenced": ["```", "````", "`", "\n", " ", "x", "\t", "```\n", "\n```", "````\n"],
    "inline": ["`", "``", "```", "x", " ", "\n", "````"],
}
FINDERS = {"math": (MATH, math_spans), "fenced": (FENCED, fenced_code_spans), "inline": (INLINE_CODE, inline_code_spans)}


@pytest.mark.parametrize("kind", sorted(FINDERS))
def test_same_spans_as_the_expression_on_random_text(kind):
    pattern, finder = FINDERS[kind]
    rng = random.Random(kind)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES[kind]) for _ in range(rng.randint(0, 24)))
        expected = [match.span() for match in pattern.finditer(text)]
        assert finder(text) == expected, repr(text)


def test_same_spans_on_real_looking_text():
    text = (
        "Let $x$ be $$\\sum_i x_i$$ and \\(a\\) with \\[b\\]; \\begin{align} y \\end{align} costs \\$5.\n"
        "Run `ls -l` or ``a ` b``.\n```python\nprint('$x$')\n```\nafter\n"
    )
    for pattern, finder in FINDERS.values():
        assert finder(text) == [match.span() for match in pattern.finditer(text)]


MEGABYTE = 1 << 20
HOSTILE = {
    "math": ["\\[", "\\(", "$$a", "\\$", "\\begin{x}", "$"],
    "fenced": ["```\n", "`` \n", "````x\n```` \n"],
    "inline": ["`", "``", "`a", "``a`"],
}


@pytest.mark.parametrize("kind", sorted(FINDERS))
def test_a_megabyte_of_hostile_text_takes_linear_time(kind):
    _, finder = FINDERS[kind]
    for unit in HOSTILE[kind]:
        text = unit * (MEGABYTE // len(unit))
        started = time.perf_counter()
        finder(text)
        # well under a second on an idle machine; the expressions took minutes to hours
        assert time.perf_counter() - started < 15, f"{kind}: {unit!r} * {len(text) // len(unit)}"
