"""A backtest in the terminal: rich tables, compact enough for a 120-column screen.

Every user-supplied string (rule names, outcomes, ids) goes in as ``rich.text.Text``,
so a name like ``[bold]`` or ``<script>`` is printed as written, never as markup.
"""
from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .result import BacktestResult, Comparison, ScoreStats, Summary

_OUTCOME_STYLE = {"approve": "green", "review": "yellow", "decline": "red"}


def pct(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{100 * v:.{digits}f}%"


def num(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def pp(v: float | None) -> str:
    """A rate difference in percentage points, signed."""
    return "–" if v is None else f"{100 * v:+.2f} pp"


def render_rich(result: BacktestResult, console: Console | None = None, *,
                top_rules: int = 40, top_overlap: int = 8) -> None:
    """Print the backtest as rich tables (header, KPIs, outcomes, score, rules, overlap, comparison)."""
    console = console or Console()
    for part in renderables(result, top_rules=top_rules, top_overlap=top_overlap):
        console.print(part)


def renderables(result: BacktestResult, *, top_rules: int = 40, top_overlap: int = 8) -> list:
    s = result.summary
    parts = [_header(result), Group(_kpis(s), _outcomes(s)), _score(s.score), _rules(result, top_rules)]
    if len(result.overlap.ids) > 1:
        parts.append(_overlap(result, top_overlap))
    if result.comparison is not None:
        parts += _comparison(result.comparison, s)
    if result.notes:
        parts.append(Panel(Text("\n".join(f"• {n}" for n in result.notes)), title="notes",
                           border_style="yellow", box=box.ROUNDED))
    return parts


def _header(result: BacktestResult) -> Panel:
    rs = result.ruleset or {}
    t = Text()
    t.append(f"{rs.get('name', 'ruleset')} ", style="bold")
    t.append(str(rs.get("version", "")), style="cyan")
    if rs.get("digest"):
        t.append(f"  digest {str(rs['digest'])[:12]}", style="dim")
    if result.data:
        t.append(f"\ndata {result.data}", style="dim")
    if result.label:
        t.append(f"   label {result.label} (1 = bad)", style="dim")
    return Panel(t, title="backtest", box=box.ROUNDED, expand=False)


def _kpis(s: Summary) -> Table:
    t = Table(box=box.SIMPLE_HEAVY, title="book", title_justify="left")
    for c in ("rows", "labelled", "bad rate", "approval rate", "bad rate (approved)", "AUC", "KS", "errors"):
        t.add_column(c, justify="right")
    t.add_row(f"{s.rows:,}", f"{s.labelled:,}", pct(s.bad_rate, 2), pct(s.approval_rate),
              pct(s.approved_bad_rate, 2), num(s.score.auc), num(s.score.ks),
              f"{s.rows_with_errors:,}")
    return t


def _outcomes(s: Summary) -> Table:
    t = Table(box=box.SIMPLE, title="outcome mix", title_justify="left")
    for c, j in (("outcome", "left"), ("rows", "right"), ("share", "right"), ("labelled", "right"),
                 ("bad rate", "right")):
        t.add_column(c, justify=j)
    for o in s.outcomes:
        t.add_row(Text(o.outcome, style=_OUTCOME_STYLE.get(o.outcome, "")), f"{o.count:,}",
                  pct(o.share), f"{o.labelled:,}", pct(o.bad_rate, 2))
    return t


def _score(sc: ScoreStats) -> Table:
    t = Table(box=box.SIMPLE, title="blended score", title_justify="left",
              caption=sc.direction + (f"\n{sc.note}" if sc.note else ""), caption_justify="left")
    shown = [q for q in ("p5", "p25", "p50", "p75", "p95") if q in sc.quantiles]
    for c in ("scored", "missing", "mean", "std", "min", *shown, "max", "AUC", "Gini", "KS", "KS at"):
        t.add_column(c, justify="right", no_wrap=True)
    t.add_row(f"{sc.count:,}", f"{sc.missing:,}", num(sc.mean, 1), num(sc.std, 1), num(sc.min, 1),
              *(num(sc.quantiles[q], 1) for q in shown), num(sc.max, 1),
              num(sc.auc), num(sc.gini), num(sc.ks), num(sc.ks_score, 1))
    return t


def _rules(result: BacktestResult, top: int) -> Table:
    rules = sorted(result.rules, key=lambda r: (-r.hits, r.id))
    t = Table(box=box.SIMPLE_HEAD, title=f"rules by hits ({len(rules)} rules)", title_justify="left")
    for c, j in (("rule", "left"), ("name", "left"), ("status", "left"), ("action", "left"),
                 ("hits", "right"), ("hit rate", "right"), ("unique", "right"), ("precision", "right"),
                 ("recall", "right"), ("lift", "right")):
        t.add_column(c, justify=j, overflow="fold", max_width=36 if c == "name" else None)
    for r in rules[:top]:
        t.add_row(Text(r.id, style="bold"), Text(r.name), Text(r.status, style="dim" if r.status == "shadow" else ""),
                  Text(r.action or "", style=_OUTCOME_STYLE.get(r.action or "", "")),
                  f"{r.hits:,}", pct(r.hit_rate, 2), f"{r.unique_hits:,}", pct(r.precision),
                  pct(r.recall), num(r.lift, 2))
    if len(rules) > top:
        t.caption = f"… {len(rules) - top} more rules (see --format json or --report)"
    return t


def _overlap(result: BacktestResult, top: int) -> Table:
    ov = result.overlap
    k = min(top, len(ov.ids))
    t = Table(box=box.SIMPLE, title=f"overlap: rows where both fire (top {k} rules by hits; "
              "colour = Jaccard)", title_justify="left")
    t.add_column("")
    for i in ov.ids[:k]:
        t.add_column(Text(i), justify="right")
    for a in range(k):
        cells = []
        for b in range(k):
            j = ov.jaccard[a][b] or 0.0
            style = "bold" if a == b else ("red" if j >= 0.5 else "yellow" if j >= 0.2 else "dim" if j == 0 else "")
            cells.append(Text(f"{ov.both[a][b]:,}", style=style))
        t.add_row(Text(ov.ids[a], style="bold"), *cells)
    return t


def _comparison(c: Comparison, challenger: Summary) -> list:
    champ = c.champion
    title = "champion vs challenger"
    if c.ruleset:
        title += f" (champion: {c.ruleset.get('name', '')} {c.ruleset.get('version', '')})"
    k = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left")
    for col in ("", "champion", "challenger", "delta"):
        k.add_column(col, justify="right")
    k.add_row("approval rate", pct(champ.approval_rate), pct(challenger.approval_rate), pp(c.approval_rate_delta))
    k.add_row("bad rate (approved)", pct(champ.approved_bad_rate, 2), pct(challenger.approved_bad_rate, 2),
              pp(c.approved_bad_rate_delta))
    k.add_row("AUC", num(champ.score.auc), num(challenger.score.auc), "")
    k.add_row("decisions changed", "", f"{c.changed:,}", pct(c.changed_rate, 2))
    k.add_row("swap-in (challenger approves only)", "", f"{c.swap_in:,}", f"bad {pct(c.swap_in_bad_rate, 2)}")
    k.add_row("swap-out (champion approves only)", "", f"{c.swap_out:,}", f"bad {pct(c.swap_out_bad_rate, 2)}")

    m = Table(box=box.SIMPLE, title="transitions (rows: champion, columns: challenger)", title_justify="left")
    m.add_column("champion \\ challenger")
    for o in c.outcomes:
        m.add_column(Text(o, style=_OUTCOME_STYLE.get(o, "")), justify="right")
    for i, o in enumerate(c.outcomes):
        m.add_row(Text(o, style=_OUTCOME_STYLE.get(o, "")),
                  *(Text(f"{v:,}", style="dim" if i == j else "bold") for j, v in enumerate(c.transitions[i])))

    a = Table(box=box.SIMPLE_HEAD, title="which rules changed them (changed rows)", title_justify="left",
              caption=f"{c.changed_without_rule_difference:,} changed rows have no rule difference "
                      "(score, band or table moved them)", caption_justify="left")
    for col, j in (("rule", "left"), ("name", "left"), ("newly fired", "right"), ("no longer fired", "right"),
                   ("all rows +", "right"), ("all rows −", "right")):
        a.add_column(col, justify=j, overflow="fold", max_width=36 if col == "name" else None)
    for r in c.rules[:20]:
        a.add_row(Text(r.id, style="bold"), Text(r.name), f"{r.newly_fired:,}", f"{r.no_longer_fired:,}",
                  f"{r.newly_fired_all:,}", f"{r.no_longer_fired_all:,}")

    parts = [k, m, a]
    if c.sample:
        s = Table(box=box.SIMPLE_HEAD, title=f"sample of changed rows ({len(c.sample)})", title_justify="left")
        for col in ("row", "id", "champion", "challenger", "score", "newly fired", "no longer fired"):
            s.add_column(col, overflow="fold")
        for r in c.sample:
            s.add_row(str(r.row), Text("" if r.id is None else str(r.id)),
                      Text(r.champion or "", style=_OUTCOME_STYLE.get(r.champion or "", "")),
                      Text(r.challenger or "", style=_OUTCOME_STYLE.get(r.challenger or "", "")),
                      f"{num(r.champion_score, 1)} → {num(r.challenger_score, 1)}",
                      Text(", ".join(r.newly_fired)), Text(", ".join(r.no_longer_fired)))
        parts.append(s)
    return parts
