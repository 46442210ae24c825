"""The outcome under the ruleset's policy, ranked reasons and the id lists (fired, errors)."""
from __future__ import annotations

import polars as pl

from ..program import Program
from ..providers import by_index as _by_bin
from .effects import MAX_MODEL_REASONS, _truth


def _outcome(prog: Program, late_errors) -> list[list[pl.Expr]]:
    """Stages computing ``outcome``, ``score`` and ``__band_reason`` (policies.py, vectorised).

    Each candidate outcome gets a sortable key — severity first, then the earliest firing
    rule (the base outcome wins ties, as the per-event loop keeps it) — and the largest
    key wins; intermediate columns keep every expression small.
    """
    sev = {name: s for name, (s, _) in prog.outcomes.items()}
    acting = [r for r in prog.rules if r.action is not None]
    actions = list(dict.fromkeys(r.action for r in acting))
    on_error = prog.on_error
    BIG = 10_000_000
    first = []
    for k, a in enumerate(actions):
        rs = [r for r in acting if r.action == a]
        first.append(_first_index([(pl.col(f"rule:{r.id}"), r.index) for r in rs]).alias(f"__first{k}"))
    band = pl.lit(None, dtype=pl.String)
    if prog.policy == "score":
        bands = sorted([b for b in prog.bands if b.min is not None], key=lambda b: -b.min)
        catch = next((b for b in prog.bands if b.min is None), None)
        base = pl.lit(catch.outcome if catch else prog.default_outcome)
        band = pl.lit(catch.reason if catch else None, dtype=pl.String)
        for b in reversed(bands):
            hit = pl.col("__d_score") >= b.min
            base = pl.when(hit).then(pl.lit(b.outcome)).otherwise(base)
            band = pl.when(hit).then(pl.lit(b.reason, dtype=pl.String)).otherwise(band)
        base = pl.when(pl.col("__d_score").is_null()).then(pl.lit(on_error)).otherwise(base)
        band = pl.when(pl.col("__d_score").is_null()).then(None).otherwise(band)
    else:
        base = pl.lit(prog.default_outcome)
    stage1 = first + [base.alias("__base"), band.alias("__band_reason")]
    if prog.policy == "first_match":
        keys = [pl.when(pl.col(f"__first{k}").is_not_null()).then(BIG - pl.col(f"__first{k}")) for k in range(len(actions))]
        base_key = pl.lit(0)
    else:
        keys = [pl.when(pl.col(f"__first{k}").is_not_null()).then(sev[a] * BIG - pl.col(f"__first{k}"))
                for k, a in enumerate(actions)]
        base_key = _sev_of(pl.col("__base"), sev) * BIG + 1
    stage2 = [pl.max_horizontal([base_key] + keys).alias("__win")]
    outcome = pl.col("__base")
    for k, a in enumerate(actions):
        outcome = pl.when(pl.col("__win") == keys[k]).then(pl.lit(a)).otherwise(outcome)
    errs = [pl.col(f"__re{r.index}") for r in prog.rules] + [e for _, e in late_errors]
    any_err = pl.any_horizontal(errs) if errs else pl.lit(False)
    stage3 = [outcome.alias("__picked"), any_err.alias("__any_err")]
    worse = pl.col("__any_err") & (pl.lit(sev[on_error]) > _sev_of(pl.col("__picked"), sev))
    stage4 = [pl.when(worse).then(pl.lit(on_error)).otherwise(pl.col("__picked")).alias("outcome"),
              pl.col("__d_score").alias("score")]
    return [stage1, stage2, stage3, stage4]


def _first_index(conds: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """The smallest index whose condition holds, or null: a coalesce in index order is about
    9x cheaper than min_horizontal in polars 2.1."""
    return pl.coalesce([pl.when(c).then(pl.lit(i, dtype=pl.Int64)) for c, i in sorted(conds, key=lambda x: x[1])])


def _sev_of(outcome: pl.Expr, sev: dict) -> pl.Expr:
    e = pl.lit(0)
    for name, s in sev.items():
        e = pl.when(outcome == name).then(s).otherwise(e)
    return e


def _first_distinct(candidates: list[pl.Expr], n: int) -> list[pl.Expr]:
    """Columns 0..n-1: the first ``n`` distinct non-null values of ``candidates``, in order."""
    out = []
    for p in range(n):
        pick = pl.lit(None, dtype=pl.String)
        for c in reversed(candidates):
            fresh = c.is_not_null()
            for q in out:
                fresh = fresh & ((c != pl.col(q)) | pl.col(q).is_null())
            pick = pl.when(fresh).then(c).otherwise(pick)
        name = f"__reason{p}"
        out.append(name)
        yield pick.alias(name)


def _reasons(prog: Program, contribs_by_model, late_errors, model_codes) -> tuple[list, list]:
    """Stages computing ``reasons``: at most four codes, ranked as in policies.py.

    Two lists of stages: those that read only the rule flags (run once per combination of
    flags), then those that also read the outcome, the band and the model reason codes.
    """
    plain = [name for name, (s, adverse) in prog.outcomes.items() if s == 0 and not adverse]
    acting = [r for r in prog.rules if r.action is not None and r.severity > 0]
    stages, combo_stages = [], []
    if contribs_by_model:  # the model reason codes' text, from their numbers
        combo_stages.append([_by_bin(pl.col(f"__mrank{p}"), model_codes, pl.String).alias(f"__mcode{p}")
                             for p in range(MAX_MODEL_REASONS)])
    if prog.policy == "first_match":
        win = pl.lit(None, dtype=pl.String)
        for r in reversed([r for r in prog.rules if r.action is not None]):
            code = pl.lit(r.reason or r.id) if r.severity > 0 else pl.lit(None, dtype=pl.String)
            win = pl.when(pl.col(f"rule:{r.id}")).then(code).otherwise(win)
        stages.append([win.alias("__rc0")])
        rule_codes = [pl.col("__rc0")]
    else:
        ranked = sorted(acting, key=lambda r: (-r.severity, -r.score, r.index))
        rule_codes = []
        # the first four distinct codes of fired rules, in rank order: one chain per position
        for p in range(4):
            pick = pl.lit(None, dtype=pl.String)
            for r in reversed(ranked):
                code = r.reason or r.id
                fresh = pl.col(f"rule:{r.id}")
                for q in range(p):
                    fresh = fresh & (pl.col(f"__rc{q}").is_null() | (pl.col(f"__rc{q}") != code))
                pick = pl.when(fresh).then(pl.lit(code)).otherwise(pick)
            stages.append([pick.alias(f"__rc{p}")])
        rule_codes = [pl.col(f"__rc{p}") for p in range(4)]
    cands = list(rule_codes)
    errs = []
    rule_errs = [pl.col(f"__re{r.index}") for r in prog.rules]
    if rule_errs:
        errs.append(pl.when(pl.any_horizontal(rule_errs)).then(pl.lit("RULE_ERROR")).alias("__rule_error"))
    if late_errors:
        errs.append(pl.when(pl.any_horizontal([e for _, e in late_errors])).then(pl.lit("EVALUATION_ERROR"))
                    .alias("__evaluation_error"))
    if errs:
        stages.append(errs)
    cands += [pl.col(e.meta.output_name()) for e in errs]
    cands.append(pl.col("__band_reason"))
    if contribs_by_model:
        cands += [pl.col(f"__mcode{p}") for p in range(MAX_MODEL_REASONS)]
    cand_stage = [c.cast(pl.String).alias(f"__cand{i}") for i, c in enumerate(cands)]
    combo_stages.append(cand_stage)
    cols = [pl.col(f"__cand{i}") for i in range(len(cands))]
    for e in _first_distinct(cols, 4):
        combo_stages.append([e])
    codes = _string_list([pl.col(f"__reason{p}") for p in range(4)], _reason_codes(prog))
    combo_stages.append([pl.when(pl.col("outcome").is_in(plain)).then(pl.lit([], dtype=pl.List(pl.String)))
                         .otherwise(codes).alias("reasons")])
    return stages, combo_stages


def _model_reason_ranks(contribs_by_model) -> list[list[pl.Expr]]:
    """Stages giving the model reason codes of each row in order (most points lost first), as
    numbers into the generator's ``model_codes``.

    A feature counts when its model was computed for the row, it lost points and its bin
    has a reason code; ties keep model, then feature order (as the per-event sort does).
    Each feature gets one integer key (points lost, then order), so the p-th code is the
    p-th largest key: four max_horizontal passes instead of sorting lists.
    """
    feats = []
    for name, contribs in contribs_by_model.items():
        for k in range(len(contribs)):
            lost, code = pl.col(f"__ml_{name}_{k}"), pl.col(f"__mr_{name}_{k}")
            ok = _truth(pl.col(f"__mu_{name}") & (lost > 0) & code.is_not_null())
            feats.append((ok, lost, code))
    n = len(feats)
    if n == 0:  # models without reason codes (e.g. scikit-learn estimators)
        return [[pl.lit(None, dtype=pl.Int32).alias(f"__mrank{p}") for p in range(MAX_MODEL_REASONS)]]
    # -1 rather than null for "none": max_horizontal is about 3x faster without nulls
    keys = [pl.when(ok).then((lost * 1000).round().cast(pl.Int64) * n + (n - 1 - i)).otherwise(-1).alias(f"__mk{i}")
            for i, (ok, lost, _) in enumerate(feats)]
    stages = [keys]
    prev = None
    for p in range(MAX_MODEL_REASONS):
        cols = [pl.col(f"__mk{i}") for i in range(n)]
        if prev is not None:
            cols = [pl.when(c < pl.col(prev)).then(c).otherwise(-1) for c in cols]
        stages.append([pl.max_horizontal(cols).alias(f"__mtop{p}")])
        prev = f"__mtop{p}"
    out = []
    for p in range(MAX_MODEL_REASONS):
        idx = pl.when(pl.col(f"__mtop{p}") >= 0).then((n - 1) - pl.col(f"__mtop{p}") % n)
        code = pl.lit(None, dtype=pl.Int32)
        for i, (_, _, c) in enumerate(feats):
            code = pl.when(idx == i).then(c).otherwise(code)
        out.append(code.alias(f"__mrank{p}"))
    stages.append(out)
    return stages


def _reason_codes(prog: Program) -> set[str]:
    """Every code a reason column can hold."""
    codes = {r.reason or r.id for r in prog.rules} | {"RULE_ERROR", "EVALUATION_ERROR"}
    codes |= {b.reason for b in prog.bands if b.reason is not None}
    for m in prog.models.values():
        codes |= m.model.reason_codes()
    return codes


_SEPARATORS = "\x1f\x1e\x1d\x1c\x00"


def _string_list(parts: list[pl.Expr], items) -> pl.Expr:
    """The non-null values of the String ``parts`` (which only ever hold ``items``) as a list, in order.

    concat_list + drop_nulls costs about 8 µs a row in polars 2.1; joining with a separator that
    no item contains and splitting again is about 10x faster. An empty item would vanish that
    way, so then (and without a free separator) the slow form is used.
    """
    if not parts:
        return pl.lit([], dtype=pl.List(pl.String))
    sep = next((c for c in _SEPARATORS if not any(c in i for i in items)), None)
    if sep is None or "" in items:
        return pl.concat_list(parts).list.drop_nulls()
    joined = pl.concat_str(parts, separator=sep, ignore_nulls=True)
    return pl.when(joined == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(joined.str.split(sep))


def _lists(prog: Program, late_errors) -> list[pl.Expr]:
    def ids(exprs_ids):
        return _string_list([pl.when(e).then(pl.lit(i)) for e, i in exprs_ids], [i for _, i in exprs_ids])

    fired = ids([(pl.col(f"rule:{r.id}"), r.id) for r in prog.rules])
    shadow = ids([(pl.col(f"rule:{r.id}"), r.id) for r in prog.shadow])
    # the per-event order: active rules, tables and score, shadow rules, review
    late = [(e, w) for w, e in late_errors if w != "review"]
    review = [(e, w) for w, e in late_errors if w == "review"]
    errs = [(pl.col(f"__re{r.index}"), f"rule:{r.id}") for r in prog.rules] + late
    errs += [(pl.col(f"__re{r.index}"), f"rule:{r.id}") for r in prog.shadow] + review
    return [fired.alias("fired"), shadow.alias("shadow_fired"), ids(errs).alias("errors")]
