"""Small inline-SVG charts for the HTML report.

Written by hand because the report must be one self-contained file that opens
offline: plotting libraries either need JavaScript from a CDN (plotly, vega) or
add a heavy dependency for five chart types (matplotlib). Every text goes through
``esc``; charts scale with their container (``viewBox``, ``width=100%``).
"""
from __future__ import annotations

import math
from html import escape

FONT = "font-family:inherit"
GOOD, BAD, ACCENT, SHADOW, GRID, INK, MUTED = ("#2f7ed8", "#d9534f", "#0f766e", "#94a3b8",
                                              "#e5e7eb", "#1f2937", "#6b7280")


def esc(v) -> str:
    return escape(str(v), quote=True)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (the usual 1-2-5 steps)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out, v = [], start
    while v <= hi + step * 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def fmt_tick(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:g}" if abs(v) >= 0.01 else f"{v:.1e}"


class Plot:
    """A cartesian plot area: data -> pixel mapping, axes, grid."""

    def __init__(self, x0, x1, y0, y1, *, w=560, h=300, left=56, right=16, top=16, bottom=44):
        self.x0, self.x1 = x0, (x1 if x1 > x0 else x0 + 1)
        self.y0, self.y1 = y0, (y1 if y1 > y0 else y0 + 1)
        self.w, self.h, self.l, self.r, self.t, self.b = w, h, left, right, top, bottom
        self.parts: list[str] = []

    def px(self, x):
        return self.l + (x - self.x0) / (self.x1 - self.x0) * (self.w - self.l - self.r)

    def py(self, y):
        return self.h - self.b - (y - self.y0) / (self.y1 - self.y0) * (self.h - self.t - self.b)

    def axes(self, xlabel="", ylabel="", *, xfmt=fmt_tick, yfmt=fmt_tick, xticks=None, yticks=None):
        p = self.parts
        for v in yticks or nice_ticks(self.y0, self.y1):
            y = self.py(v)
            p.append(f'<line x1="{self.l}" x2="{self.w - self.r}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
            p.append(f'<text x="{self.l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                     f'{esc(yfmt(v))}</text>')
        for v in xticks or nice_ticks(self.x0, self.x1, 6):
            x = self.px(v)
            p.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.h - self.b}" y2="{self.h - self.b + 4}" '
                     f'stroke="{MUTED}"/>')
            p.append(f'<text x="{x:.1f}" y="{self.h - self.b + 17}" text-anchor="middle" font-size="11" '
                     f'fill="{MUTED}">{esc(xfmt(v))}</text>')
        p.append(f'<line x1="{self.l}" x2="{self.w - self.r}" y1="{self.h - self.b}" y2="{self.h - self.b}" '
                 f'stroke="{MUTED}"/>')
        if xlabel:
            p.append(f'<text x="{(self.l + self.w - self.r) / 2:.1f}" y="{self.h - 6}" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{esc(xlabel)}</text>')
        if ylabel:
            cy = (self.t + self.h - self.b) / 2
            p.append(f'<text transform="translate(14 {cy:.1f}) rotate(-90)" text-anchor="middle" '
                     f'font-size="12" fill="{INK}">{esc(ylabel)}</text>')

    def line(self, xs, ys, color, *, width=2, dash=None, title=None):
        pts = " ".join(f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(xs, ys))
        d = f' stroke-dasharray="{dash}"' if dash else ""
        t = f"<title>{esc(title)}</title>" if title else ""
        self.parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width}"'
                          f'{d} stroke-linejoin="round">{t}</polyline>')

    def legend(self, items, *, x=None, y=None):
        x = self.l + 10 if x is None else x
        y = self.t + 6 if y is None else y
        for i, (label, color) in enumerate(items):
            yy = y + i * 18
            self.parts.append(f'<rect x="{x}" y="{yy}" width="12" height="12" rx="2" fill="{color}"/>'
                              f'<text x="{x + 18}" y="{yy + 10}" font-size="12" fill="{INK}">{esc(label)}</text>')

    def legend_top(self, items):
        """A one-line legend in the top margin, right-aligned, clear of the data."""
        x = self.w - self.r
        for label, color in reversed(items):
            width = 18 + 6.6 * len(label)
            x -= width + 14
            self.parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" rx="2" fill="{color}"/>'
                              f'<text x="{x + 18:.1f}" y="16" font-size="12" fill="{INK}">{esc(label)}</text>')

    def svg(self, label: str) -> str:
        return (f'<svg viewBox="0 0 {self.w} {self.h}" width="100%" role="img" aria-label="{esc(label)}" '
                f'style="{FONT}">' + "".join(self.parts) + "</svg>")


def empty(message: str, *, w=560, h=120) -> str:
    return (f'<svg viewBox="0 0 {w} {h}" width="100%" style="{FONT}">'
            f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle" font-size="13" fill="{MUTED}">'
            f'{esc(message)}</text></svg>')


def histogram(edges: list[float], series: list[tuple[str, list[int], str]], *, xlabel: str) -> str:
    """Overlaid histograms, each normalised to its own total (share of that group per bin)."""
    shares = []
    for name, counts, color in series:
        total = sum(counts)
        if total:
            shares.append((f"{name} (n={total:,})", [c / total for c in counts], counts, color))
    if not shares or len(edges) < 2:
        return empty("no scores to plot")
    top = max(max(s) for _, s, _, _ in shares)
    p = Plot(edges[0], edges[-1], 0, top * 1.05 or 1, w=1100, h=330, top=32)
    p.axes(xlabel, "share of group", yfmt=lambda v: f"{v * 100:g}%")
    for name, share, counts, color in shares:
        for i, v in enumerate(share):
            if not v:
                continue
            x, x2, y = p.px(edges[i]), p.px(edges[i + 1]), p.py(v)
            p.parts.append(f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(x2 - x - 1, 0.5):.1f}" '
                           f'height="{p.py(0) - y:.1f}" fill="{color}" fill-opacity="0.45" stroke="{color}" '
                           f'stroke-width="0.8"><title>{esc(name)}: {edges[i]:,.1f} – {edges[i + 1]:,.1f}: '
                           f'{counts[i]:,} rows ({v:.1%})</title></rect>')
    p.legend_top([(n, c) for n, _, _, c in shares])
    return p.svg("score distribution by label")


def roc(fpr: list[float], tpr: list[float], auc: float) -> str:
    p = Plot(0, 1, 0, 1, w=420, h=340)
    pct = lambda v: f"{v * 100:g}%"  # noqa: E731
    p.axes("false-positive rate (goods flagged)", "true-positive rate (bads caught)", xfmt=pct, yfmt=pct,
           xticks=[0, .2, .4, .6, .8, 1], yticks=[0, .2, .4, .6, .8, 1])
    p.line([0, 1], [0, 1], MUTED, width=1, dash="4 4", title="random ranking")
    p.parts.append(f'<polygon points="{p.px(0)},{p.py(0)} '
                   + " ".join(f"{p.px(x):.1f},{p.py(y):.1f}" for x, y in zip(fpr, tpr))
                   + f' {p.px(1)},{p.py(0)}" fill="{ACCENT}" fill-opacity="0.08"/>')
    p.line(fpr, tpr, ACCENT, width=2.5, title=f"ROC, AUC {auc:.3f}")
    p.parts.append(f'<text x="{p.px(0.97)}" y="{p.py(0.06)}" text-anchor="end" font-size="14" '
                   f'font-weight="600" fill="{ACCENT}">AUC {auc:.3f}</text>')
    return p.svg("ROC curve")


def ks(scores: list[float], cum_bad: list[float], cum_good: list[float], ks_value: float, at: float) -> str:
    """Cumulative score distributions of bads and goods as step curves, the KS gap marked."""
    xs = [scores[0]] + scores
    p = Plot(scores[0], scores[-1], 0, 1, w=560, h=450, top=32)
    p.axes("score", "cumulative share", yfmt=lambda v: f"{v * 100:g}%", yticks=[0, .25, .5, .75, 1])

    def steps(ys):
        if len(scores) > 64:  # dense (or thinned): a line reads better than tiny steps
            return scores, ys
        sx, sy = [xs[0]], [0.0]
        for x, y in zip(scores, ys):
            sx += [x, x]
            sy += [sy[-1], y]
        return sx, sy

    p.line(*steps(cum_bad), BAD, title="bads: share with score ≤ x")
    p.line(*steps(cum_good), GOOD, title="goods: share with score ≤ x")
    i = min(range(len(scores)), key=lambda j: abs(scores[j] - at))
    x, yb, yg = p.px(at), p.py(cum_bad[i]), p.py(cum_good[i])
    p.parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{yb:.1f}" y2="{yg:.1f}" stroke="{INK}" '
                   f'stroke-width="2"/><circle cx="{x:.1f}" cy="{yb:.1f}" r="3.5" fill="{BAD}"/>'
                   f'<circle cx="{x:.1f}" cy="{yg:.1f}" r="3.5" fill="{GOOD}"/>')
    anchor = "start" if x < p.w * 0.6 else "end"
    dx = 8 if anchor == "start" else -8
    p.parts.append(f'<text x="{x + dx:.1f}" y="{(yb + yg) / 2 + 4:.1f}" text-anchor="{anchor}" font-size="13" '
                   f'font-weight="600" fill="{INK}">KS {ks_value:.3f} at {at:,.1f}</text>')
    p.legend_top([("bads (label 1)", BAD), ("goods (label 0)", GOOD)])
    return p.svg("KS curve")


def hbars(rows: list[tuple[str, float, str, str]], *, value_label=str, w=560, label_w=190) -> str:
    """Horizontal bars: (label, value, color, tooltip) per row, largest first as given."""
    if not rows:
        return empty("no rule fired")
    bh, gap, top = 18, 6, 8
    h = top + len(rows) * (bh + gap) + 8
    vmax = max(v for _, v, _, _ in rows) or 1
    span = w - label_w - 90
    parts = []
    for i, (label, v, color, tip) in enumerate(rows):
        y = top + i * (bh + gap)
        bw = max(v / vmax * span, 1 if v else 0)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<g><title>{esc(tip)}</title>'
                     f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" font-size="12" fill="{INK}">'
                     f'{esc(short)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{bw:.1f}" height="{bh}" rx="2" fill="{color}"/>'
                     f'<text x="{label_w + bw + 6:.1f}" y="{y + 13}" font-size="11" fill="{MUTED}">'
                     f'{esc(value_label(v))}</text></g>')
    return (f'<svg viewBox="0 0 {w} {h}" width="100%" style="{FONT}">'
            + "".join(parts) + "</svg>")


def diverging(rows: list[tuple[str, int, int, str]], *, w=1100, label_w=280) -> str:
    """Per rule: bars right for newly fired, left for no longer fired."""
    if not rows:
        return empty("no rule difference on changed rows")
    bh, gap, top = 16, 6, 26
    h = top + len(rows) * (bh + gap) + 8
    vmax = max(max(a, b) for _, a, b, _ in rows) or 1
    mid = label_w + (w - label_w) / 2
    half = (w - label_w) / 2 - 50
    parts = [f'<text x="{mid - 6}" y="14" text-anchor="end" font-size="11" fill="{MUTED}">← no longer fires</text>',
             f'<text x="{mid + 6}" y="14" font-size="11" fill="{MUTED}">newly fires →</text>',
             f'<line x1="{mid}" x2="{mid}" y1="{top - 4}" y2="{h - 4}" stroke="{MUTED}"/>']
    for i, (label, new, gone, tip) in enumerate(rows):
        y = top + i * (bh + gap)
        a, b = new / vmax * half, gone / vmax * half
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<g><title>{esc(tip)}</title>'
                     f'<text x="{label_w - 8}" y="{y + 12}" text-anchor="end" font-size="12" fill="{INK}">'
                     f'{esc(short)}</text>'
                     f'<rect x="{mid - b:.1f}" y="{y}" width="{b:.1f}" height="{bh}" fill="{GOOD}"/>'
                     f'<rect x="{mid:.1f}" y="{y}" width="{a:.1f}" height="{bh}" fill="{BAD}"/>'
                     + (f'<text x="{mid - b - 4:.1f}" y="{y + 12}" text-anchor="end" font-size="10" '
                        f'fill="{MUTED}">{gone:,}</text>' if gone else "")
                     + (f'<text x="{mid + a + 4:.1f}" y="{y + 12}" font-size="10" fill="{MUTED}">{new:,}</text>'
                        if new else "") + "</g>")
    return (f'<svg viewBox="0 0 {w} {h}" width="100%" style="{FONT}">'
            + "".join(parts) + "</svg>")


def heatmap(ids: list[str], values: list[list[float | None]], texts: list[list[str]],
            tips: list[list[str]]) -> str:
    """A square matrix coloured by value in [0, 1] (Jaccard), with a count in each cell."""
    k = len(ids)
    if k < 2:
        return empty("fewer than two rules fired: no overlap to show")
    cell = max(26, min(48, 520 // k))
    lab = min(120, 24 + 6.5 * max(min(len(i), 16) for i in ids))
    h = lab + k * cell + 8
    w = round(h + (lab - 24) * 0.75)  # the last column's slanted label runs past the grid
    parts = []
    for j, name in enumerate(ids):
        short = name if len(name) <= 16 else name[:15] + "…"
        x = lab + j * cell + cell / 2
        parts.append(f'<text transform="translate({x:.1f} {lab - 6}) rotate(-45)" font-size="11" '
                     f'fill="{INK}"><title>{esc(name)}</title>{esc(short)}</text>')
        parts.append(f'<text x="{lab - 6}" y="{lab + j * cell + cell / 2 + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="{INK}"><title>{esc(name)}</title>{esc(short)}</text>')
    for a in range(k):
        for b in range(k):
            v = values[a][b] or 0.0
            fill = INK if a == b else _blend(v)
            fg = "#fff" if a == b or v > 0.55 else INK
            x, y = lab + b * cell, lab + a * cell
            parts.append(f'<g><title>{esc(tips[a][b])}</title><rect x="{x}" y="{y}" width="{cell - 1}" '
                         f'height="{cell - 1}" fill="{fill}"/>'
                         + (f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 3.5:.1f}" text-anchor="middle" '
                            f'font-size="{9 if cell < 36 else 10}" fill="{fg}">{esc(texts[a][b])}</text>'
                            if cell >= 30 else "") + "</g>")
    return (f'<svg viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px;{FONT}" '
            f'>' + "".join(parts) + "</svg>")


def _blend(v: float) -> str:
    """White -> deep teal, for a share in [0, 1]."""
    v = max(0.0, min(1.0, v)) ** 0.6
    lo, hi = (248, 250, 252), (15, 118, 110)
    r, g, b = (round(lo[i] + (hi[i] - lo[i]) * v) for i in range(3))
    return f"#{r:02x}{g:02x}{b:02x}"


def shade(v: float) -> str:
    return _blend(v)
