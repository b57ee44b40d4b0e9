"""Charts drawn on the server as SVG: no script, no inline style, colours from CSS classes
(each feature's stylesheet names them: `bar c0`, `bar state-active`, `line c3`…).

Every function returns safe markup; every label and link is escaped here. A bar given a link
is wrapped in an SVG `<a>`, so a chart leads to what it counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW = 24
LABEL = 170


def svg(height: int, title: str, body: list[str], width: int = WIDTH) -> SafeString:
    return mark_safe(  # noqa: S308  (every piece of text below went through escape())
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def linked(markup: str, link: str | None) -> str:
    return f'<a href="{escape(link)}">{markup}</a>' if link else markup


def bars(
    title: str,
    items: Sequence[tuple[str, float, str]],
    *,
    unit: str = "",
    links: Sequence[str] | None = None,
    shown: Sequence[str] | None = None,
) -> SafeString:
    """Horizontal bars: (label, value, css class) per row, value written at the bar's end
    (`shown[i]` when given, as the reader writes it); each bar links to `links[i]`."""
    top = max((v for _, v, _ in items), default=0) or 1
    span = WIDTH - LABEL - 80
    body = []
    for i, (label, value, css) in enumerate(items):
        y = i * ROW
        length = span * value / top
        said = escape(shown[i] if shown else f"{value:,.0f}") + escape(unit)
        bar = (
            f'<rect class="bar {escape(css)}" x="{LABEL}" y="{y + 4}" width="{length:.1f}" '
            f'height="{ROW - 8}"><title>{escape(label)}: {said}</title></rect>'
            f'<text class="chart-value" x="{LABEL + length + 6:.1f}" y="{y + 16}">{said}</text>'
        )
        body.append(
            f'<text class="chart-label" x="{LABEL - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(label)}</text>" + linked(bar, links[i] if links else None)
        )
    return svg(max(len(items), 1) * ROW + 4, title, body)


def columns(
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    css: str = "c0",
    links: Sequence[str] | None = None,
    shown: Sequence[str] | None = None,
) -> SafeString:
    """Vertical columns (a histogram): (label under the column, height) per column; each
    column links to `links[i]` and says `shown[i]` (the value as the reader writes it)."""
    height, bottom, left = 220, 60, 40
    top = max((v for _, v in items), default=0) or 1
    width = (WIDTH - left) / max(len(items), 1)
    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for i, (label, value) in enumerate(items):
        h = (height - bottom - 20) * value / top
        x = left + i * width
        said = shown[i] if shown else f"{value:,.0f}"
        rect = (
            f'<rect class="bar {escape(css)}" x="{x + 2:.1f}" y="{height - bottom - h:.1f}" '
            f'width="{width - 4:.1f}" height="{h:.1f}"><title>{escape(label)}: '
            f"{escape(said)}</title></rect>"
        )
        body.append(
            linked(rect, links[i] if links else None)
            + f'<text class="chart-small" x="{x + width / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="end" transform="rotate(-40 {x + width / 2:.1f} '
            f'{height - bottom + 14})">{escape(label)}</text>'
        )
    return svg(height, title, body)


def stacked_columns(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float], str]]
) -> SafeString:
    """Columns per label, stacked by series: (series name, values per label, css class)."""
    height, bottom, left, legend = 240, 40, 40, 150
    totals = [sum(values[i] for _, values, _ in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    width = (WIDTH - left - legend) / max(len(labels), 1)
    body = []
    for i, label in enumerate(labels):
        x, base = left + i * width, float(height - bottom)
        for name, values, css in series:
            h = (height - bottom - 10) * values[i] / top
            if h > 0:
                body.append(
                    f'<rect class="bar {escape(css)}" x="{x + 2:.1f}" y="{base - h:.1f}" '
                    f'width="{width - 4:.1f}" height="{h:.1f}"><title>{escape(label)} · '
                    f"{escape(name)}: {values[i]:,.0f}</title></rect>"
                )
            base -= h
        body.append(
            f'<text class="chart-small" x="{x + width / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for j, (name, _values, css) in enumerate(series):
        y = 10 + j * 18
        body.append(
            f'<rect class="bar {escape(css)}" x="{WIDTH - legend + 10}" y="{y}" width="12" '
            f'height="12"/><text class="chart-small" x="{WIDTH - legend + 28}" y="{y + 10}">'
            f"{escape(name)}</text>"
        )
    return svg(height, title, body)


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    top: float = 1.0,
) -> SafeString:
    """One polyline per series over x positions; values from 0 to `top` (shown as percent)."""
    height, bottom, left, right = 240, 30, 44, 120
    step = (WIDTH - left - right) / max(len(x_labels) - 1, 1)
    usable = height - bottom - 10

    def y_of(v: float) -> float:
        return height - bottom - usable * min(v, top) / (top or 1)

    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - right}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for pct in (0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(pct * top)
        body.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
            f'<text class="chart-small" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{pct * top:.0%}</text>"
        )
    for i, label in enumerate(x_labels):
        body.append(
            f'<text class="chart-small" x="{left + i * step:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for k, (name, values) in enumerate(series):
        points = " ".join(
            f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None
        )
        if not points:
            continue
        body.append(
            f'<polyline class="line c{k % 12}" fill="none" points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
            f'<text class="chart-small line-label c{k % 12}" x="{WIDTH - right + 6}" '
            f'y="{14 + k * 14}">{escape(name)}</text>'
        )
    return svg(height, title, body)


def grouped_columns(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str, Sequence[str]]],
    *,
    shown: Sequence[Sequence[str]] | None = None,
) -> SafeString:
    """Columns side by side per label, one per series: (series name, values per label, css
    class, links per label, or none); `shown[k][i]` is series k's value as the reader writes it."""
    height, bottom, left, legend = 240, 40, 40, 150
    top = max((v for _, values, _, _ in series for v in values), default=0) or 1
    group = (WIDTH - left - legend) / max(len(labels), 1)
    width = (group - 4) / max(len(series), 1)
    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{WIDTH - legend}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for i, label in enumerate(labels):
        x = left + i * group + 2
        for k, (name, values, css, links) in enumerate(series):
            h = (height - bottom - 10) * values[i] / top
            said = shown[k][i] if shown else f"{values[i]:,.0f}"
            rect = (
                f'<rect class="bar {escape(css)}" x="{x + k * width:.1f}" '
                f'y="{height - bottom - h:.1f}" width="{max(width - 1, 1):.1f}" '
                f'height="{h:.1f}"><title>{escape(label)} · {escape(name)}: {escape(said)}'
                f"</title></rect>"
            )
            body.append(linked(rect, links[i] if links else None))
        body.append(
            f'<text class="chart-small" x="{x + group / 2:.1f}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for k, (name, _values, css, _links) in enumerate(series):
        y = 10 + k * 18
        body.append(
            f'<rect class="bar {escape(css)}" x="{WIDTH - legend + 10}" y="{y}" width="12" '
            f'height="12"/><text class="chart-small" x="{WIDTH - legend + 28}" y="{y + 10}">'
            f"{escape(name)}</text>"
        )
    return svg(height, title, body)
