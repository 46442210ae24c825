"""Champion versus challenger: which decisions a rule change moves, and why.

The champion is the ruleset live today (``--against``); the challenger is the one
being backtested. Both results frames come from the same input rows, in the same
order. A changed row is attributed to the active rules that fire in one ruleset and
not the other (matched by rule id); rows that changed with no such difference were
moved by the score, a band or a table.
"""
from __future__ import annotations

import math

import polars as pl

from .._common.json import to_jsonable
from .metrics import BacktestError, label_or_unlabelled, outcome_order, ratio
from .result import ChangedRow, Comparison, RuleChange, RuleMeta, Summary


def compare(challenger: pl.DataFrame, champion: pl.DataFrame, *, label: pl.Series | None,
            challenger_summary: Summary, champion_summary: Summary,
            rules: list[RuleMeta], champion_rules: list[RuleMeta],
            ids: pl.Series | None = None, approve=("approve",), sample: int = 20) -> Comparison:
    if challenger.height != champion.height:
        raise BacktestError(f"champion results have {champion.height:,} rows but the challenger's have "
                            f"{challenger.height:,}; both must come from the same input rows")
    n = challenger.height
    bad = label_or_unlabelled(label, n)
    w = pl.DataFrame({
        "row": pl.int_range(0, n, eager=True, dtype=pl.Int64),
        "b_out": champion["outcome"], "c_out": challenger["outcome"],
        "b_fired": _fired(champion), "c_fired": _fired(challenger),
        "b_score": _score(champion), "c_score": _score(challenger),
        "bad": bad,
    })
    w = w.with_columns(
        changed=pl.col("b_out").ne_missing(pl.col("c_out")),
        added=pl.col("c_fired").list.set_difference("b_fired"),
        removed=pl.col("b_fired").list.set_difference("c_fired"),
        b_ok=pl.col("b_out").is_in(list(approve)).fill_null(False),
        c_ok=pl.col("c_out").is_in(list(approve)).fill_null(False),
    )
    changed = w.filter("changed")
    outcomes = outcome_order(set(w["b_out"].drop_nulls().unique()) | set(w["c_out"].drop_nulls().unique()))
    pos = {o: i for i, o in enumerate(outcomes)}
    matrix = [[0] * len(outcomes) for _ in outcomes]
    for b, c, k in w.group_by("b_out", "c_out").len().iter_rows():  # one row per transition
        if b in pos and c in pos:
            matrix[pos[b]][pos[c]] = int(k)

    swap_in, swap_out = pl.col("c_ok") & ~pl.col("b_ok"), pl.col("b_ok") & ~pl.col("c_ok")
    labelled, bad_row = pl.col("bad").is_not_null(), pl.col("bad")
    swaps = w.select(
        swap_in=swap_in.sum(), swap_in_lab=(swap_in & labelled).sum(), swap_in_bad=(swap_in & bad_row).sum(),
        swap_out=swap_out.sum(), swap_out_lab=(swap_out & labelled).sum(), swap_out_bad=(swap_out & bad_row).sum(),
        silent=(pl.col("changed") & (pl.col("added").list.len() == 0)
                & (pl.col("removed").list.len() == 0)).sum(),
    ).row(0, named=True)
    swaps = {k: int(v or 0) for k, v in swaps.items()}

    ca, cr = challenger_summary.approval_rate, champion_summary.approval_rate
    cb, bb = challenger_summary.approved_bad_rate, champion_summary.approved_bad_rate
    return Comparison(
        champion=champion_summary, outcomes=outcomes, transitions=matrix,
        changed=changed.height, changed_rate=ratio(changed.height, n),
        changed_without_rule_difference=swaps["silent"],
        approval_rate_delta=None if ca is None or cr is None else ca - cr,
        approved_bad_rate_delta=None if cb is None or bb is None else cb - bb,
        swap_in=swaps["swap_in"], swap_in_labelled=swaps["swap_in_lab"],
        swap_in_bad_rate=ratio(swaps["swap_in_bad"], swaps["swap_in_lab"]),
        swap_out=swaps["swap_out"], swap_out_labelled=swaps["swap_out_lab"],
        swap_out_bad_rate=ratio(swaps["swap_out_bad"], swaps["swap_out_lab"]),
        rules=_attribution(w, changed, rules, champion_rules),
        sample=_sample(changed, ids, sample),
    )


def _fired(results: pl.DataFrame) -> pl.Series:
    if "fired" not in results.columns:
        raise BacktestError("results have no 'fired' column; the comparison needs it")
    return results["fired"].cast(pl.List(pl.Utf8)).fill_null([])


def _score(results: pl.DataFrame) -> pl.Series:
    if "score" in results.columns:
        return results["score"].cast(pl.Float64)
    return pl.repeat(None, results.height, dtype=pl.Float64, eager=True)


def _counts(frame: pl.DataFrame, col: str) -> dict[str, int]:
    vc = frame.select(pl.col(col).explode().drop_nulls().alias("id")).group_by("id").len()
    return {k: int(v) for k, v in vc.iter_rows()}


def _attribution(w: pl.DataFrame, changed: pl.DataFrame, rules, champion_rules) -> list[RuleChange]:
    names = {r.id: r.name for r in list(champion_rules) + list(rules)}
    new, gone = _counts(changed, "added"), _counts(changed, "removed")
    new_all, gone_all = _counts(w, "added"), _counts(w, "removed")
    ids = set(new) | set(gone) | set(new_all) | set(gone_all)
    out = [RuleChange(id=i, name=names.get(i) or i, newly_fired=new.get(i, 0), no_longer_fired=gone.get(i, 0),
                      newly_fired_all=new_all.get(i, 0), no_longer_fired_all=gone_all.get(i, 0))
           for i in ids]
    return sorted(out, key=lambda r: (-(r.newly_fired + r.no_longer_fired),
                                      -(r.newly_fired_all + r.no_longer_fired_all), r.id))


def _sample(changed: pl.DataFrame, ids: pl.Series | None, k: int) -> list[ChangedRow]:
    """A reproducible sample of changed rows (seeded, shown in input order)."""
    if changed.height == 0 or k <= 0:
        return []
    picked = changed if changed.height <= k else changed.sample(k, seed=0)
    picked = picked.sort("row")
    rows = picked["row"].to_list()
    id_vals = to_jsonable(ids.gather(rows).to_list()) if ids is not None else [None] * len(rows)
    return [ChangedRow(row=int(r["row"]), id=i, champion=r["b_out"], challenger=r["c_out"],
                       champion_score=_finite(r["b_score"]), challenger_score=_finite(r["c_score"]),
                       newly_fired=sorted(r["added"]), no_longer_fired=sorted(r["removed"]))
            for r, i in zip(picked.iter_rows(named=True), id_vals)]  # at most ``k`` rows


def _finite(v: float | None) -> float | None:
    return v if v is None or math.isfinite(v) else None

