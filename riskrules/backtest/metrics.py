"""Book-level and per-rule metrics over a batch results frame, all vectorised.

The results frame follows the batch contract (``riskrules.engine.batch.decide_frame``):
``outcome``, ``score``, ``fired``, ``shadow_fired``, ``errors``, ``unexplained`` and one
Boolean ``rule:<ID>`` column per rule. The label is a Boolean series aligned with
it: True = bad, null = no performance (declined applications usually have none), so
label metrics use labelled rows only.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from .result import Histogram, OutcomeStats, Overlap, RuleMeta, RuleStats, ScoreStats, Summary

QUANTILES = (0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)
CURVE_POINTS = 256  # ROC/KS curves are thinned to this many points for reports
_OUTCOME_ORDER = {"approve": 0, "review": 1, "decline": 2}
BAD = "__bad"  # the label column inside the working frame


class BacktestError(ValueError):
    """The results frame does not fit the batch contract (missing column, wrong length)."""


def ratio(a, b) -> float | None:
    return None if not b else float(a) / float(b)


def label_or_unlabelled(label: pl.Series | None, rows: int) -> pl.Series:
    """The label, or (without one) a Boolean column of ``rows`` nulls: every row unlabelled."""
    return label if label is not None else pl.repeat(None, rows, dtype=pl.Boolean, eager=True).alias(BAD)


def rule_column(rule_id: str) -> str:
    return f"rule:{rule_id}"


def fired_expr(results: pl.DataFrame, rule: RuleMeta) -> pl.Expr:
    """True where the rule fired: its ``rule:<ID>`` column, else the fired lists."""
    col = rule_column(rule.id)
    if col in results.columns:
        return pl.col(col).fill_null(False)
    lists = "shadow_fired" if rule.status == "shadow" else "fired"
    if lists in results.columns:
        return pl.col(lists).list.contains(rule.id).fill_null(False)
    raise BacktestError(f"results have neither a {col!r} column nor a {lists!r} list")


def known_rules(results: pl.DataFrame, rules: list[RuleMeta]) -> list[RuleMeta]:
    """The given rules plus any ``rule:`` column nobody described (so no hit goes unreported)."""
    seen = {r.id for r in rules}
    extra = [RuleMeta(id=c[5:], name=c[5:], status="unknown") for c in results.columns
             if c.startswith("rule:") and c[5:] not in seen]
    return list(rules) + extra


def outcome_order(names) -> list[str]:
    return sorted({n for n in names if n is not None}, key=lambda n: (_OUTCOME_ORDER.get(n, 9), n))


def summarise(results: pl.DataFrame, label: pl.Series | None, *,
              approve=("approve",), bins: int = 20) -> Summary:
    """Outcome mix, approval and bad rates, score distribution, KS and AUC for one ruleset."""
    if "outcome" not in results.columns:
        raise BacktestError("results have no 'outcome' column")
    bad = label_or_unlabelled(label, results.height)
    frame = results.select("outcome").with_columns(bad.alias(BAD))
    mix = (frame.group_by("outcome")
           .agg(pl.len().alias("count"), pl.col(BAD).sum().alias("bads"),
                pl.col(BAD).is_not_null().sum().alias("labelled")))
    by = {r["outcome"]: r for r in mix.iter_rows(named=True)}  # one row per outcome, not per input
    n = results.height
    undecided = [None] if None in by else []  # rows that broke the input schema come last
    outcomes = [OutcomeStats("(none)" if o is None else o, by[o]["count"], by[o]["count"] / n,
                             by[o]["labelled"], by[o]["bads"], ratio(by[o]["bads"], by[o]["labelled"]))
                for o in outcome_order(by) + undecided]
    approved = [o for o in outcomes if o.outcome in approve]
    labelled, bads = int(bad.is_not_null().sum()), int(bad.sum() or 0)
    errors, where = error_counts(results)
    unexplained = (int(results["unexplained"].sum() or 0) if "unexplained" in results.columns else None)
    return Summary(
        rows=n, labelled=labelled, bads=bads, bad_rate=ratio(bads, labelled),
        approval_rate=ratio(sum(o.count for o in approved), n),
        approved_bad_rate=ratio(sum(o.bads for o in approved), sum(o.labelled for o in approved)),
        outcomes=outcomes,
        score=score_stats(results["score"] if "score" in results.columns else None, label, bins=bins),
        rows_with_errors=errors, error_locations=where, unexplained=unexplained,
        input_errors=int(results["input_error"].is_not_null().sum()) if "input_error" in results.columns else 0)


def error_counts(results: pl.DataFrame, top: int = 20) -> tuple[int, dict[str, int]]:
    if "errors" not in results.columns:
        return 0, {}
    errs = results["errors"]
    rows = int((errs.list.len().fill_null(0) > 0).sum())
    if rows == 0:
        return 0, {}
    vc = errs.explode().drop_nulls().cast(pl.Utf8).value_counts(sort=True).head(top)
    return rows, {str(k): int(v) for k, v in vc.iter_rows()}


def rule_stats(results: pl.DataFrame, rules: list[RuleMeta], label: pl.Series | None) -> list[RuleStats]:
    """Hits, precision / recall / lift against the label, and unique hits, for every rule.

    A hit is *unique* when no other active rule fired on that row — the rows this rule
    alone is responsible for. For a shadow rule: rows no active rule caught, i.e. what
    promoting it would add.
    """
    rules = known_rules(results, rules)
    if not rules:
        return []
    n = results.height
    bad = label_or_unlabelled(label, n)
    names = [f"r{i}" for i in range(len(rules))]
    active = [nm for nm, r in zip(names, rules) if r.status == "active"]
    work = results.select([fired_expr(results, r).alias(nm) for nm, r in zip(names, rules)])
    work = work.with_columns(bad.alias(BAD))
    n_active = (pl.sum_horizontal([pl.col(a).cast(pl.UInt16) for a in active]) if active else pl.lit(0))
    work = work.with_columns(n_active.alias("__n_active"))
    aggs = []
    for nm, r in zip(names, rules):
        f = pl.col(nm)
        alone = f & (pl.col("__n_active") == (1 if nm in active else 0))
        aggs += [f.sum().alias(f"{nm}.hits"), alone.sum().alias(f"{nm}.unique"),
                 (f & pl.col(BAD).is_not_null()).sum().alias(f"{nm}.lab"),
                 (f & pl.col(BAD)).sum().alias(f"{nm}.bad"),
                 (alone & pl.col(BAD)).sum().alias(f"{nm}.ubad")]
    agg = work.select(aggs).row(0, named=True)
    total_bads = int(bad.sum() or 0)
    base = ratio(total_bads, int(bad.is_not_null().sum()))
    out = []
    for nm, r in zip(names, rules):
        hits, lab, bh = int(agg[f"{nm}.hits"]), int(agg[f"{nm}.lab"]), int(agg[f"{nm}.bad"] or 0)
        precision = ratio(bh, lab)
        out.append(RuleStats(
            id=r.id, name=r.name or r.id, status=r.status, action=r.action, reason=r.reason,
            hits=hits, hit_rate=ratio(hits, n), unique_hits=int(agg[f"{nm}.unique"]),
            labelled_hits=lab, bad_hits=bh, precision=precision, recall=ratio(bh, total_bads),
            lift=None if precision is None or not base else precision / base,
            unique_bad_hits=int(agg[f"{nm}.ubad"] or 0)))
    return out


def overlap(results: pl.DataFrame, rules: list[RuleMeta], stats: list[RuleStats], *, top: int = 20) -> Overlap:
    """Pairwise co-firing counts and Jaccard for the ``top`` rules by hits (hits > 0)."""
    by_id = {r.id: r for r in known_rules(results, rules)}
    chosen = [s.id for s in sorted(stats, key=lambda s: (-s.hits, s.id)) if s.hits > 0][:top]
    k = len(chosen)
    if k == 0:
        return Overlap([], [], [])
    cols = [fired_expr(results, by_id[i]).alias(f"r{j}") for j, i in enumerate(chosen)]
    work = results.select(cols)
    pairs = [(pl.col(f"r{a}") & pl.col(f"r{b}")).sum().alias(f"{a},{b}")
             for a in range(k) for b in range(a, k)]
    row = work.select(pairs).row(0, named=True)
    both = [[0] * k for _ in range(k)]
    for a in range(k):
        for b in range(a, k):
            both[a][b] = both[b][a] = int(row[f"{a},{b}"])
    jac = [[ratio(both[a][b], both[a][a] + both[b][b] - both[a][b]) for b in range(k)] for a in range(k)]
    return Overlap(chosen, both, jac)


def score_stats(score: pl.Series | None, label: pl.Series | None, *, bins: int = 20) -> ScoreStats:
    """Distribution of the blended score, and KS / AUC of -score against the label."""
    if score is None:
        return ScoreStats(count=0, missing=0, note="results have no 'score' column")
    s = score.cast(pl.Float64)
    present = s.is_not_null() & s.is_finite()
    vals = s.filter(present)
    st = ScoreStats(count=vals.len(), missing=s.len() - vals.len())
    if vals.len() == 0:
        st.note = "no row has a score"
        return st
    st.mean, st.min, st.max = float(vals.mean()), float(vals.min()), float(vals.max())
    st.std = None if vals.len() < 2 else float(vals.std())
    st.quantiles = {f"p{round(q * 100)}": float(vals.quantile(q, "linear")) for q in QUANTILES}
    lab = label.filter(present) if label is not None else None
    st.histogram = _histogram(vals.to_numpy(), lab, bins)
    _ranking(st, vals, lab)
    return st


def _histogram(x: np.ndarray, lab: pl.Series | None, bins: int) -> Histogram:
    lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    if lab is None:
        groups = {"good": np.zeros(0), "bad": np.zeros(0), "unlabelled": x}
    else:
        y = lab.to_numpy()  # Boolean with nulls -> object array; compare explicitly
        groups = {"good": x[y == False], "bad": x[y == True],  # noqa: E712
                  "unlabelled": x[lab.is_null().to_numpy()]}
    counts = {k: np.histogram(v, bins=edges)[0].astype(int).tolist() for k, v in groups.items()}
    return Histogram(edges=[float(e) for e in edges], **counts)


def _ranking(st: ScoreStats, vals: pl.Series, lab: pl.Series | None) -> None:
    if lab is None:
        st.note = "no label given: AUC and KS need a label column (1 = bad)"
        return
    keep = lab.is_not_null()
    y = lab.filter(keep).cast(pl.Int8).to_numpy()
    x = vals.filter(keep).to_numpy()
    nb = int(y.sum())
    if nb == 0 or nb == len(y):
        kind = "no labelled rows" if len(y) == 0 else ("every labelled row is bad" if nb else "no labelled row is bad")
        st.note = f"AUC and KS need both good and bad rows among scored, labelled rows: {kind} (n={len(y):,})"
        return
    from sklearn.metrics import roc_auc_score, roc_curve  # slow to import; only needed here

    st.auc = float(roc_auc_score(y, -x))
    st.gini = 2 * st.auc - 1
    # every distinct score kept: thinning by index then spreads points over score ranks,
    # where sklearn's collinear-point dropping would leave long false plateaus in the KS plot
    fpr, tpr, thr = roc_curve(y, -x, drop_intermediate=False)
    gap = tpr - fpr  # = F_bad(s) - F_good(s) at s = -threshold
    i = int(np.argmax(np.abs(gap)))
    st.ks, st.ks_score = float(abs(gap[i])), float(-thr[i])
    pick = _thin(len(fpr), i)
    st.roc_fpr, st.roc_tpr = [float(v) for v in fpr[pick]], [float(v) for v in tpr[pick]]
    finite = pick[np.isfinite(thr[pick])]
    order = finite[np.argsort(-thr[finite], kind="stable")]
    st.ks_scores = [float(-t) for t in thr[order]]
    st.ks_cum_bad = [float(v) for v in tpr[order]]
    st.ks_cum_good = [float(v) for v in fpr[order]]
    if st.auc < 0.5:
        st.note = "AUC < 0.5: the score ranks bads as safer than goods — check its direction"


def _thin(n: int, keep: int) -> np.ndarray:
    """At most CURVE_POINTS indices spread over 0..n-1, always including ``keep``."""
    if n <= CURVE_POINTS:
        return np.arange(n)
    idx = np.unique(np.linspace(0, n - 1, CURVE_POINTS).round().astype(int))
    return np.unique(np.append(idx, keep))

