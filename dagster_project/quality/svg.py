"""Inline SVG charts for the quality report, drawn in Python: no script, no library fetched at run time,
the file opens offline. Every mark a chart draws carries a class (``bar``, ``cell``) so a test can count
them in the DOM; text inherits the page's CJK font stack."""
from __future__ import annotations

import html

PASS = "#2e7d32"      # green
FAIL = "#c62828"      # red
NEUTRAL = "#9e9e9e"   # grey: not checked / not applicable
ACCENT = "#3b6ea5"    # blue: counts that are neither good nor bad
ERA_COLOURS = {"v2008": "#6a51a3", "v2019": "#e6842a", "v2021": "#2c7fb8", "unknown": NEUTRAL}
STATUS_COLOURS = {"pass": PASS, "fail": FAIL, "not_checked": NEUTRAL}


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1%}"
    return f"{value:,.0f}{unit}"


def _open(title: str, width: int, height: int, cls: str) -> list[str]:
    return [f'<svg class="chart {cls}" role="img" aria-label="{esc(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-size="12">',
            f'<text x="0" y="14" font-weight="bold" font-size="13">{esc(title)}</text>']


def no_data(title: str) -> str:
    return f'<p class="no-data"><b>{esc(title)}</b>: no data in this warehouse.</p>'


def hbar(rows: list[tuple], title: str, unit: str = "", width: int = 900, label_w: int = 300,
         max_value: float | None = None, color: str = ACCENT) -> str:
    """Horizontal bars. rows: (label, value[, colour[, href]])."""
    if not rows:
        return no_data(title)
    bar_h, gap = 18, 6
    top = max_value or max((r[1] for r in rows), default=1) or 1
    height = len(rows) * (bar_h + gap) + 30
    parts = _open(title, width, height, "hbar")
    for i, row in enumerate(rows):
        label, value = row[0], row[1]
        fill = row[2] if len(row) > 2 and row[2] else color
        href = row[3] if len(row) > 3 else None
        y = 24 + i * (bar_h + gap)
        w = (width - label_w - 80) * value / top
        shown = str(label)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        mark = (f'<text x="0" y="{y + 13}"><title>{esc(label)}</title>{esc(shown)}</text>'
                f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{fill}">'
                f'<title>{esc(label)}: {_fmt(value, unit)}</title></rect>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_fmt(value, unit)}</text>')
        parts.append(f'<a href="{esc(href)}">{mark}</a>' if href else mark)
    parts.append("</svg>")
    return "".join(parts)


def stacked_hbar(rows: list[tuple[str, list[tuple[str, float, str]]]], title: str, width: int = 900,
                 label_w: int = 300, as_share: bool = False) -> str:
    """Horizontal bars made of coloured segments. rows: (label, [(segment name, value, colour), ...]);
    as_share draws each row to full width (shares) and prints the first segment's share."""
    rows = [(label, segs) for label, segs in rows if sum(v for _, v, _ in segs) > 0]
    if not rows:
        return no_data(title)
    bar_h, gap = 18, 6
    top = max(sum(v for _, v, _ in segs) for _, segs in rows) or 1
    height = len(rows) * (bar_h + gap) + 30
    parts = _open(title, width, height, "stacked")
    span = width - label_w - 110
    for i, (label, segs) in enumerate(rows):
        y = 24 + i * (bar_h + gap)
        total = sum(v for _, v, _ in segs)
        scale = span / (total if as_share else top)
        x = float(label_w)
        parts.append(f'<text x="0" y="{y + 13}">{esc(label)}</text>')
        for name, value, colour in segs:
            if value <= 0:
                continue
            w = value * scale
            parts.append(f'<rect class="bar seg-{esc(name)}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{colour}"><title>{esc(label)} — {esc(name)}: {value:,.0f}</title></rect>')
            x += w
        note = f"{segs[0][1] / total:.1%} of {total:,.0f}" if as_share else f"{total:,.0f}"
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{note}</text>')
    parts.append("</svg>")
    return "".join(parts)


def legend(items: list[tuple[str, str]]) -> str:
    return '<p class="legend">' + " ".join(
        f'<span><svg width="12" height="12"><rect width="12" height="12" fill="{c}"/></svg> {esc(n)}</span>'
        for n, c in items) + "</p>"


def stacked_columns(categories: list[str], series: list[tuple[str, str]], values: dict[tuple[str, str], float],
                    title: str, height: int = 300) -> str:
    """Vertical columns per category, stacked by series (name, colour). values[(category, series)]."""
    if not categories or not any(values.values()):
        return no_data(title)
    col_w, gap, left, top_pad, bottom = 34, 10, 60, 30, 40
    width = max(left + len(categories) * (col_w + gap) + 20, 420)
    totals = [sum(values.get((c, s), 0) for s, _ in series) for c in categories]
    top = max(totals) or 1
    plot_h = height - top_pad - bottom
    parts = _open(title, width, height, "columns")
    base = top_pad + plot_h
    parts.append(f'<line x1="{left - 4}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#555"/>')
    for tick in (0.5, 1.0):
        y = base - plot_h * tick
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_tick(top * tick)}</text>'
                     f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, category in enumerate(categories):
        x = left + i * (col_w + gap)
        y = float(base)
        for name, colour in series:
            value = values.get((category, name), 0)
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(f'<rect class="bar seg-{esc(name)}" x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{esc(category)} {esc(name)}: {value:,.0f}</title></rect>')
        parts.append(f'<text x="{x + col_w / 2}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">'
                     f'{totals[i]:,.0f}</text>')
        parts.append(f'<text x="{x + col_w / 2}" y="{base + 16}" text-anchor="middle">{esc(category)}</text>')
    parts.append("</svg>")
    return legend(series) + "".join(parts)


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _blend(share: float) -> str:
    """White → ACCENT blue by share (0..1)."""
    r0, g0, b0 = 0xf4, 0xf7, 0xfb
    r1, g1, b1 = 0x08, 0x45, 0x94
    s = max(0.0, min(1.0, share))
    return f"#{round(r0 + (r1 - r0) * s):02x}{round(g0 + (g1 - g0) * s):02x}{round(b0 + (b1 - b0) * s):02x}"


def rate_colour(rate: float) -> str:
    """Red (0 %) → amber → green (100 %): a failing cell never looks like a passing one."""
    if rate >= 0.999:
        return PASS
    if rate >= 0.95:
        return "#7cb342"
    if rate >= 0.8:
        return "#f9a825"
    return FAIL


def grid(rows: list[str], cols: list[str], cells: dict[tuple[str, str], tuple[object, str, str]], title: str,
         cell_w: int = 46, label_w: int = 150) -> str:
    """A heat grid. cells[(row, col)] = (value for the text, fill colour, tooltip); missing cells are blank."""
    if not rows or not cols or not cells:
        return no_data(title)
    cell_h, top = 22, 44
    width = max(label_w + len(cols) * cell_w + 10, 7 * len(title) + 20)  # room for the title
    height = top + len(rows) * cell_h + 10
    parts = _open(title, width, height, "grid")
    for j, col in enumerate(cols):
        parts.append(f'<text x="{label_w + j * cell_w + cell_w / 2}" y="{top - 6}" text-anchor="middle" '
                     f'font-size="11">{esc(col)}</text>')
    for i, row in enumerate(rows):
        y = top + i * cell_h
        parts.append(f'<text x="0" y="{y + 15}">{esc(row)}</text>')
        for j, col in enumerate(cols):
            x = label_w + j * cell_w
            if (row, col) not in cells:
                parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#fafafa" '
                             f'stroke="#eee"/>')
                continue
            value, fill, tip = cells[(row, col)]
            dark = fill.lower() in (PASS, FAIL) or _is_dark(fill)
            parts.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{fill}"><title>{esc(tip)}</title></rect>'
                         f'<text x="{x + cell_w / 2 - 1}" y="{y + 15}" text-anchor="middle" font-size="11" '
                         f'fill="{"#fff" if dark else "#222"}">{esc(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _is_dark(fill: str) -> bool:
    if not (fill.startswith("#") and len(fill) == 7):
        return False
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def count_colour(n: int, top: int) -> str:
    return _blend(0.15 + 0.85 * n / top if top else 0.15)
