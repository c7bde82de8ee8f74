"""Small inline SVG charts for the HTML report: bars, stacked bars, histograms, a scatter.

Each function returns an ``<svg>`` element as a string, with every label escaped and
numbers rounded, so the same data gives the same bytes. No scripts, no external files;
hovering a mark shows its ``<title>``.
"""

from __future__ import annotations

import html
import math
from typing import Iterable, Sequence

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal, without a trailing .0."""
    return f"{x:.1f}".removesuffix(".0")


def _svg(width: float, height: float, body: Iterable[str], label: str) -> str:
    return (
        f'<svg class="chart" width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-label="{esc(label)}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: object, anchor: str = "start", size: int = 11, extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f"{esc(text)}</text>")


def bar_chart(items: Sequence[tuple[str, float]], label: str, *, width: int = 640, fill: str = PALETTE[0]) -> str:
    """Horizontal bars, one per ``(label, value)``, with the value at the end."""
    left, right, row = 230, 60, 18
    height = max(row * len(items) + 10, 30)
    top = max((v for _, v in items), default=0) or 1
    span = width - left - right
    body = []
    for i, (name, value) in enumerate(items):
        y = 5 + i * row
        w = span * value / top
        body.append(_text(left - 6, y + 12, name, "end"))
        body.append(f'<rect x="{left}" y="{_n(y + 2)}" width="{_n(w)}" height="{row - 5}" fill="{fill}">'
                    f"<title>{esc(name)}: {esc(_fmt(value))}</title></rect>")
        body.append(_text(left + w + 4, y + 12, _fmt(value)))
    return _svg(width, height, body, label)


def stacked_bars(
    rows: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], label: str, *, width: int = 640
) -> str:
    """Horizontal stacked bars: one bar per row, one coloured segment per series, with a legend."""
    left, right, row = 160, 60, 20
    legend = 22
    height = legend + row * len(rows) + 10
    totals = [sum(values[i] for _, values in series) for i in range(len(rows))]
    top = max(totals, default=0) or 1
    span = width - left - right
    body = []
    x = left
    for k, (name, _) in enumerate(series):
        body.append(f'<rect x="{_n(x)}" y="4" width="10" height="10" fill="{color(k)}"/>')
        body.append(_text(x + 14, 13, name))
        x += 14 + 8 * len(name) + 18
    for i, row_name in enumerate(rows):
        y = legend + i * row
        body.append(_text(left - 6, y + 13, row_name, "end"))
        x = float(left)
        for k, (name, values) in enumerate(series):
            w = span * values[i] / top
            if w > 0:
                body.append(f'<rect x="{_n(x)}" y="{_n(y + 3)}" width="{_n(w)}" height="{row - 6}" '
                            f'fill="{color(k)}"><title>{esc(row_name)} · {esc(name)}: {esc(_fmt(values[i]))}'
                            "</title></rect>")
            x += w
        body.append(_text(x + 4, y + 13, _fmt(totals[i])))
    return _svg(width, height, body, label)


def histogram(
    counts: Sequence[int], edges: Sequence[str], label: str, *, width: int = 300, height: int = 120,
    fill: str = PALETTE[0], mark: "float | None" = None, mark_label: str = "", y_label: str = "items",
) -> str:
    """Vertical bars for binned counts; ``edges`` labels the bins' left edges (one per bin).

    A y axis on the left counts the items (ticks at 0, half and the top, whole numbers);
    ``mark`` draws a dashed line at a fractional bin position (e.g. a reference mean).
    """
    bottom, top_pad, right = 18, 16, 4
    peak = max(counts, default=0) or 1
    ticks = axis_ticks(peak)
    left = 10 + 6 * max(len(_fmt(t)) for t in ticks)  # room for the widest tick label
    plot_h = height - bottom - top_pad
    n = max(len(counts), 1)
    bar_w = (width - left - right) / n
    top = ticks[-1]
    body = [_text(left, 10, f"{label} ({y_label} per bin)", size=10)]
    for tick in ticks:
        y = top_pad + plot_h - plot_h * tick / top
        body.append(f'<line x1="{_n(left - 3)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}" '
                    f'stroke="{"#888" if tick == 0 else "#e4e4e4"}" stroke-width="1"/>')
        body.append(_text(left - 5, y + 3, _fmt(tick), "end", size=9))
    body.append(f'<line x1="{_n(left)}" y1="{top_pad}" x2="{_n(left)}" y2="{_n(top_pad + plot_h)}" '
                'stroke="#888" stroke-width="1"/>')
    for i, value in enumerate(counts):
        h = plot_h * value / top
        x = left + i * bar_w
        body.append(f'<rect x="{_n(x + 1)}" y="{_n(top_pad + plot_h - h)}" width="{_n(bar_w - 2)}" '
                    f'height="{_n(h)}" fill="{fill}"><title>{esc(edges[i])}+ words: {value}</title></rect>')
        if i % 2 == 0:
            body.append(_text(x + bar_w / 2, height - 5, edges[i], "middle", size=9))
    if mark is not None:
        x = left + mark * bar_w
        body.append(f'<line x1="{_n(x)}" y1="{top_pad - 2}" x2="{_n(x)}" y2="{_n(top_pad + plot_h)}" '
                    f'stroke="#222" stroke-dasharray="3,2"><title>{esc(mark_label)}</title></line>')
    return _svg(width, height, body, label)


def axis_ticks(peak: float) -> list[int]:
    """Whole-number ticks for an axis from 0 to at least ``peak``: 0, a round middle, a round top."""
    if peak <= 2:
        return list(range(0, int(math.ceil(peak)) + 1))
    step = 10 ** int(math.floor(math.log10(peak / 2)))
    half = next(int(factor * step) for factor in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
                if factor * step >= peak / 2 and float(factor * step).is_integer())
    return [0, half, 2 * half]


def scatter(
    points: Sequence[tuple[float, float, str, bool, str]], label: str, *, width: int = 720, height: int = 520
) -> str:
    """Points ``(x, y, colour, filled, title)`` scaled into the box; filled ones drawn on top."""
    pad = 16
    if not points:
        return _svg(width, 40, [_text(10, 24, "no points")], label)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    sx = (width - 2 * pad) / ((x1 - x0) or 1)
    sy = (height - 2 * pad) / ((y1 - y0) or 1)
    body = [f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" stroke="#ccc"/>']
    for x, y, fill, filled, title in sorted(points, key=lambda p: p[3]):
        cx = pad + (x - x0) * sx
        cy = height - pad - (y - y0) * sy
        if filled:
            style = f'r="4" fill="{fill}" stroke="#111" stroke-width="0.8"'
        else:
            style = f'r="2.6" fill="{fill}" fill-opacity="0.35" stroke="none"'
        body.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" {style}><title>{esc(title)}</title></circle>')
    return _svg(width, height, body, label)


def legend(entries: Sequence[tuple[str, str]]) -> str:
    """An HTML legend: coloured swatches with names."""
    return '<p class="legend">' + " ".join(
        f'<span><i style="background:{fill}"></i>{esc(name)}</span>' for name, fill in entries
    ) + "</p>"


def _fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}" if math.isfinite(value) else str(value)
