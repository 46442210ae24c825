"""The backtest as one self-contained HTML file (inline CSS and SVG; no network, no JS).

    >>> write_html(result, "report.html")

Every string from the ruleset or the data (rule names, ids, outcomes, file names)
is escaped, so a rule called ``<script>`` shows as text.
"""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from . import svg
from .render import num, pct, pp
from .result import BacktestResult, Comparison, RuleStats, Summary
from .svg import esc

_CSS = """
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f6f7f9;--card:#fff;--accent:#0f766e;
--good:#2f7ed8;--bad:#d9534f;--warn:#b45309}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",
Roboto,"Helvetica Neue",Arial,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 24px 48px}
header{display:flex;justify-content:space-between;align-items:flex-end;gap:24px;border-bottom:3px solid var(--accent);
padding-bottom:14px;margin-bottom:20px}
h1{font-size:24px;margin:0 0 4px;font-weight:650}
h1 .ver{color:var(--accent);font-weight:600}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
h3{font-size:13px;margin:0 0 8px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.meta{color:var(--muted);font-size:13px}.meta code{color:var(--ink)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-bottom:20px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.kpi .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi .value{font-size:24px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}
.kpi .sub{color:var(--muted);font-size:12px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:18px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:20px}
.grid2>div{min-width:0;overflow-x:auto}
table.kv td.l{white-space:normal}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{font-size:12px;color:var(--muted);font-weight:600;background:#fafafa;position:sticky;top:0}
td.l,th.l{text-align:left}td.name{white-space:normal;max-width:320px}
tr:hover td{background:#f9fafb}
.scroll{max-height:520px;overflow:auto;border:1px solid var(--line);border-radius:6px}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.approve{background:#dcfce7;color:#166534}.review{background:#fef3c7;color:#92400e}
.decline{background:#fee2e2;color:#991b1b}.other{background:#e5e7eb;color:#374151}
.shadow{background:#e2e8f0;color:#475569}.active{background:#ccfbf1;color:#115e59}
.unknown{background:#f3f4f6;color:#6b7280}
.notes{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:10px 16px;margin-bottom:18px}
.notes li{margin:2px 0}
.bar{display:inline-block;height:8px;background:var(--accent);border-radius:2px;vertical-align:middle;opacity:.7}
.caption{color:var(--muted);font-size:12px;margin:6px 0 0}
.delta-pos{color:#166534}.delta-neg{color:#991b1b}
.matrix td.diag{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
"""


def write_html(result: BacktestResult, path: str | os.PathLike) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    p = Path(path)
    p.write_text(render_html(result), encoding="utf-8")
    return p


def render_html(result: BacktestResult) -> str:
    """The report as one HTML string."""
    rs = result.ruleset or {}
    title = f"Backtest · {rs.get('name', 'ruleset')} {rs.get('version', '')}".strip()
    body = [_header(result), _kpis(result)]
    if result.notes:
        body.append('<div class="notes"><strong>Notes</strong><ul>'
                    + "".join(f"<li>{esc(n)}</li>" for n in result.notes) + "</ul></div>")
    body += [_score(result.summary), _outcomes(result.summary), _rules(result)]
    if result.comparison is not None:
        body.append(_comparison(result.comparison, result.summary))
    body.append(f'<footer>riskrules backtest · generated {esc(_dt.datetime.now().strftime("%Y-%m-%d %H:%M"))}'
                f' · {esc(result.summary.score.direction)}</footer>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>"
            + "\n".join(body) + "</main></body></html>\n")


def _pill(text: str | None, kind: str | None = None) -> str:
    if not text:
        return ""
    cls = kind or (text if text in ("approve", "review", "decline") else "other")
    return f'<span class="pill {esc(cls)}">{esc(text)}</span>'


def _header(result: BacktestResult) -> str:
    rs = result.ruleset or {}
    meta = []
    if rs.get("digest"):
        meta.append(f'digest <code>{esc(rs["digest"])}</code>')
    if result.data:
        meta.append(f"data <code>{esc(result.data)}</code>")
    if result.label:
        meta.append(f"label <code>{esc(result.label)}</code> (1 = bad)")
    if result.comparison is not None and result.comparison.ruleset:
        c = result.comparison.ruleset
        meta.append(f'champion <code>{esc(c.get("name", ""))} {esc(c.get("version", ""))}</code>')
    return (f'<header><div><div class="meta">Backtest report</div><h1>{esc(rs.get("name", "ruleset"))} '
            f'<span class="ver">{esc(rs.get("version", ""))}</span></h1>'
            f'<div class="meta">{" · ".join(meta)}</div></div></header>')


def _tile(label: str, value: str, sub: str = "") -> str:
    return (f'<div class="kpi"><div class="label">{esc(label)}</div><div class="value">{esc(value)}</div>'
            f'<div class="sub">{esc(sub)}</div></div>')


def _kpis(result: BacktestResult) -> str:
    s, sc, c = result.summary, result.summary.score, result.comparison
    tiles = [
        _tile("Rows", f"{s.rows:,}", f"{s.labelled:,} labelled"),
        _tile("Approval rate", pct(s.approval_rate), pp(c.approval_rate_delta) + " vs champion" if c else ""),
        _tile("Bad rate", pct(s.bad_rate, 2), f"{s.bads:,} bads"),
        _tile("Bad rate, approved", pct(s.approved_bad_rate, 2),
              pp(c.approved_bad_rate_delta) + " vs champion" if c else "among labelled approvals"),
        _tile("AUC", num(sc.auc), f"Gini {num(sc.gini)}"),
        _tile("KS", num(sc.ks), f"at score {num(sc.ks_score, 1)}" if sc.ks is not None else ""),
    ]
    if c:
        tiles.append(_tile("Decisions changed", f"{c.changed:,}", pct(c.changed_rate, 2) + " of rows"))
    if s.rows_with_errors:
        tiles.append(_tile("Rows with faults", f"{s.rows_with_errors:,}", pct(s.rows_with_errors / s.rows, 2)))
    return '<div class="kpis">' + "".join(tiles) + "</div>"


def _score(s: Summary) -> str:
    sc = s.score
    h = sc.histogram
    hist = (svg.histogram(h.edges, [("goods (label 0)", h.good, svg.GOOD), ("bads (label 1)", h.bad, svg.BAD),
                                    ("unlabelled", h.unlabelled, svg.SHADOW)], xlabel="blended score")
            if h else svg.empty(sc.note or "no scores"))
    if sc.auc is not None:
        curves = (f'<div class="grid2"><div><h3>ROC</h3>{svg.roc(sc.roc_fpr, sc.roc_tpr, sc.auc)}</div>'
                  f'<div><h3>KS: cumulative distribution by label</h3>'
                  f'{svg.ks(sc.ks_scores, sc.ks_cum_bad, sc.ks_cum_good, sc.ks, sc.ks_score)}</div></div>')
    else:
        curves = f'<p class="caption">{esc(sc.note or "")}</p>'
    cols = ["scored", "missing", "mean", "std", "min", *sc.quantiles, "max"]
    vals = [f"{sc.count:,}", f"{sc.missing:,}", num(sc.mean, 1), num(sc.std, 1), num(sc.min, 1),
            *(num(v, 1) for v in sc.quantiles.values()), num(sc.max, 1)]
    stats = ("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr><tr>"
             + "".join(f"<td>{esc(v)}</td>" for v in vals) + "</tr></table>")
    return (f'<section><h2>Blended score</h2><p class="caption">{esc(sc.direction)}. '
            f'Each group is scaled to its own total so the shapes compare.</p>'
            f'{hist}{curves}<div style="overflow-x:auto;margin-top:12px">{stats}</div></section>')


def _outcomes(s: Summary) -> str:
    rows = "".join(
        f'<tr><td class="l">{_pill(o.outcome)}</td><td>{o.count:,}</td><td>{pct(o.share)}</td>'
        f'<td class="l"><span class="bar" style="width:{o.share * 240:.0f}px"></span></td>'
        f'<td>{o.labelled:,}</td><td>{o.bads:,}</td><td>{pct(o.bad_rate, 2)}</td></tr>' for o in s.outcomes)
    return ('<section><h2>Outcome mix</h2><table><tr><th class="l">outcome</th><th>rows</th><th>share</th>'
            '<th class="l"></th><th>labelled</th><th>bads</th><th>bad rate</th></tr>' + rows + "</table>"
            f'<p class="caption">Approval rate {pct(s.approval_rate)}; bad rate among labelled approvals '
            f'{pct(s.approved_bad_rate, 2)}.</p></section>')


def _rules(result: BacktestResult) -> str:
    rules = sorted(result.rules, key=lambda r: (-r.hits, r.id))
    top = [r for r in rules if r.hits][:25]
    bars = svg.hbars([(f"{r.id} {r.name}" if r.name != r.id else r.id, r.hits,
                       svg.SHADOW if r.status == "shadow" else svg.ACCENT,
                       f"{r.id} — {r.name}: {r.hits:,} hits ({pct(r.hit_rate, 2)}), {r.status}") for r in top],
                     value_label=lambda v: f"{v:,.0f}")
    ov = result.overlap
    by_id = {r.id: r for r in result.rules}
    k = min(15, len(ov.ids))
    ids = ov.ids[:k]
    texts = [[_short(ov.both[a][b]) for b in range(k)] for a in range(k)]
    tips = [[(f"{ids[a]}: {ov.both[a][a]:,} hits" if a == b else
              f"{ids[a]} & {ids[b]}: {ov.both[a][b]:,} rows, Jaccard {num(ov.jaccard[a][b])}")
             + (f" — {by_id[ids[a]].name}" if ids[a] in by_id else "") for b in range(k)] for a in range(k)]
    heat = svg.heatmap(ids, [row[:k] for row in ov.jaccard[:k]], texts, tips)
    table = _rules_table(rules)
    return ('<section><h2>Rules</h2><div class="grid2">'
            f'<div><h3>Hits (top {len(top)}; grey = shadow)</h3>{bars}</div>'
            f'<div><h3>Overlap (top {k} by hits): rows where both fire, colour = Jaccard</h3>{heat}</div></div>'
            f'<h3 style="margin-top:18px">All rules</h3><div class="scroll">{table}</div>'
            '<p class="caption">Unique: rows where no other active rule fired (shadow rules: no active rule '
            'fired — what promoting it would add). Precision: share of its labelled hits that went bad; '
            'recall: share of all labelled bads it hits; lift: precision ÷ book bad rate.</p></section>')


def _short(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k" if n >= 1e4 else f"{n:,}"


def _rules_table(rules: list[RuleStats]) -> str:
    head = ("<tr><th class=\"l\">rule</th><th class=\"l\">name</th><th class=\"l\">status</th>"
            "<th class=\"l\">action</th><th class=\"l\">reason</th><th>hits</th><th>hit rate</th><th>unique</th>"
            "<th>precision</th><th>recall</th><th>lift</th></tr>")
    rows = "".join(
        f'<tr><td class="l"><code>{esc(r.id)}</code></td><td class="l name">{esc(r.name)}</td>'
        f'<td class="l">{_pill(r.status, r.status if r.status in ("active", "shadow") else "unknown")}</td>'
        f'<td class="l">{_pill(r.action)}</td><td class="l"><code>{esc(r.reason or "")}</code></td>'
        f'<td>{r.hits:,}</td><td>{pct(r.hit_rate, 2)}</td><td>{r.unique_hits:,}</td><td>{pct(r.precision)}</td>'
        f'<td>{pct(r.recall)}</td><td>{num(r.lift, 2)}</td></tr>' for r in rules)
    return f"<table>{head}{rows}</table>"


def _delta(v: float | None, *, good_when_up: bool) -> str:
    if v is None or v == 0:
        return esc(pp(v))
    cls = "delta-pos" if (v > 0) == good_when_up else "delta-neg"
    return f'<span class="{cls}">{esc(pp(v))}</span>'


def _comparison(c: Comparison, ch: Summary) -> str:
    b = c.champion
    kpi = ("<table class=\"kv\"><tr><th class=\"l\"></th><th>champion</th><th>challenger</th><th>delta</th></tr>"
           f'<tr><td class="l">approval rate</td><td>{pct(b.approval_rate)}</td><td>{pct(ch.approval_rate)}</td>'
           f'<td>{_delta(c.approval_rate_delta, good_when_up=True)}</td></tr>'
           f'<tr><td class="l">bad rate among approved</td><td>{pct(b.approved_bad_rate, 2)}</td>'
           f'<td>{pct(ch.approved_bad_rate, 2)}</td><td>{_delta(c.approved_bad_rate_delta, good_when_up=False)}'
           f'</td></tr><tr><td class="l">AUC / KS</td><td>{num(b.score.auc)} / {num(b.score.ks)}</td>'
           f'<td>{num(ch.score.auc)} / {num(ch.score.ks)}</td><td></td></tr>'
           f'<tr><td class="l">swap-in: approved by challenger only</td><td></td><td>{c.swap_in:,}</td>'
           f'<td>bad {pct(c.swap_in_bad_rate, 2)} <span class="meta">({c.swap_in_labelled:,} labelled)</span></td></tr>'
           f'<tr><td class="l">swap-out: approved by champion only</td><td>{c.swap_out:,}</td><td></td>'
           f'<td>bad {pct(c.swap_out_bad_rate, 2)} <span class="meta">({c.swap_out_labelled:,} labelled)</span>'
           "</td></tr></table>")
    total = sum(map(sum, c.transitions)) or 1
    off = max([c.transitions[i][j] for i in range(len(c.outcomes)) for j in range(len(c.outcomes)) if i != j] or [1])
    cells = ""
    for i, o in enumerate(c.outcomes):
        cells += f'<tr><td class="l">{_pill(o)}</td>'
        for j, v in enumerate(c.transitions[i]):
            if i == j:
                cells += f'<td class="diag" title="unchanged">{v:,}</td>'
            else:
                bg = svg.shade(v / off) if off else "#fff"
                fg = "#fff" if off and v / off > 0.55 else "inherit"
                cells += (f'<td style="background:{bg};color:{fg};font-weight:600" '
                          f'title="{esc(o)} → {esc(c.outcomes[j])}: {v / total:.2%} of rows">{v:,}</td>')
        cells += "</tr>"
    matrix = ('<table class="matrix"><tr><th class="l">champion ↓ / challenger →</th>'
              + "".join(f"<th>{_pill(o)}</th>" for o in c.outcomes) + "</tr>" + cells + "</table>")
    attribution = svg.diverging([(r.id + (f" {r.name}" if r.name != r.id else ""), r.newly_fired,
                                  r.no_longer_fired, f"{r.id} — {r.name}: newly fires on {r.newly_fired:,} "
                                  f"changed rows, no longer on {r.no_longer_fired:,} "
                                  f"(all rows: +{r.newly_fired_all:,} / −{r.no_longer_fired_all:,})")
                                 for r in c.rules[:20]])
    sample = ""
    if c.sample:
        sample = ('<h3 style="margin-top:18px">Sample of changed decisions</h3><div class="scroll"><table>'
                  '<tr><th>row</th><th class="l">id</th><th class="l">champion</th><th class="l">challenger</th>'
                  '<th>score</th><th class="l">newly fired</th><th class="l">no longer fired</th></tr>'
                  + "".join(f'<tr><td>{r.row:,}</td><td class="l"><code>{esc("" if r.id is None else r.id)}</code>'
                            f'</td><td class="l">{_pill(r.champion)}</td><td class="l">{_pill(r.challenger)}</td>'
                            f'<td>{num(r.champion_score, 1)} → {num(r.challenger_score, 1)}</td>'
                            f'<td class="l"><code>{esc(", ".join(r.newly_fired))}</code></td>'
                            f'<td class="l"><code>{esc(", ".join(r.no_longer_fired))}</code></td></tr>'
                            for r in c.sample) + "</table></div>")
    return ('<section><h2>Champion vs challenger</h2><div class="grid2">'
            f'<div><h3>Book</h3>{kpi}</div><div><h3>Decision transitions</h3>{matrix}'
            f'<p class="caption">{c.changed:,} decisions change ({pct(c.changed_rate, 2)}); '
            f'{c.changed_without_rule_difference:,} of them with no rule difference (moved by the score, '
            f'a band or a table).</p></div></div>'
            f'<h3 style="margin-top:18px">Which rules changed them (changed rows)</h3>{attribution}'
            f'{sample}</section>')
