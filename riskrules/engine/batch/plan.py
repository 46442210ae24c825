"""The compiled batch program: features by level, models, rules, tables, outcome and reasons
as ``with_columns`` stages over one lazy frame.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from .. import ir
from ..program import Program
from .effects import ENGINE, FAULT, MAX_MODEL_REASONS, _eff_columns, _truth
from .input import INPUT_ERROR
from .nodes import _Gen, _model
from .reasons import _outcome, _first_index, _model_reason_ranks, _reasons, _lists
from .tables import _table


def feature_stages(g: _Gen, prog: Program) -> list[list[pl.Expr]]:
    """The features as ``with_columns`` stages, ``__f_<name>`` each, by dependency level: one
    stage per level, so a level reads earlier levels' columns and polars can share common
    work (an ID parsed once) within a level. Calls over input fields that ``g`` shares are
    in ``g.shared_stages``, which must run first."""
    stages: list[list[pl.Expr]] = []
    level: dict[str, int] = {}
    for name, node in prog.features.items():  # dependency order
        deps = [x.name for x in ir.walk(node) if isinstance(x, ir.Feat)]
        level[name] = 1 + max((level[d] for d in deps), default=-1)
    for lv in sorted(set(level.values())):
        stage = []
        for name in [n for n in prog.features if level[n] == lv]:
            v, eff = g.x(prog.features[name])
            g.cols[f"__f_{name}"] = (v, eff)
            stage += _eff_columns(f"__f_{name}", v, eff)
        stages.append(stage)
    return stages


def build_plan(prog: Program, now: dt.datetime | pl.Expr):
    """(function frame -> results, the generator) — the compiled batch program."""
    g = _Gen(prog, now)
    stages = feature_stages(g, prog)
    contribs_by_model = {}
    before_stage, model_stage, effect_stage = [], [], []
    for name, m in prog.models.items():
        st, eff, bm = _model(g, name, m)
        before_stage += bm.before
        eff = dict(eff)
        eff[f"m:{name}"] = pl.lit(True)
        g.cols[f"__m_{name}"] = (st, eff)
        # the value first, its effects a stage later: a fault may read the value's column
        model_stage.append(st.alias(f"__m_{name}"))
        effect_stage += [e.alias(f"__m_{name}{k}") for k, e in eff.items()]
        contribs_by_model[name] = bm.contributions
        for k, (lost, code) in enumerate(bm.contributions):
            model_stage += [lost.alias(f"__ml_{name}_{k}"), code.alias(f"__mr_{name}_{k}")]
    for stage in (before_stage, model_stage, effect_stage):
        if stage:
            stages.append(stage)

    rules = prog.all_rules
    n_active = len(prog.rules)
    conds = []
    for r in rules:
        v, eff = g.x(r.cond)
        conds.append((v, eff))
    stage = []
    for r, (v, eff) in zip(rules, conds):
        stage.append(_truth(v).alias(f"__rt{r.index}"))
        stage.append((eff.get(FAULT, pl.lit(False))).alias(f"__rf{r.index}"))
        for k, e in eff.items():
            if k != FAULT:
                stage.append(e.alias(f"__rm{r.index}{k}"))
    stages.append(stage)
    # first_match: rules after the first acting hit are not evaluated
    evaluated = {}
    if prog.policy == "first_match":
        acting = [r for r in prog.rules if r.action is not None]
        first = _first_index([(pl.col(f"__rt{r.index}") & ~pl.col(f"__rf{r.index}"), r.index) for r in acting]) \
            if acting else pl.lit(None, dtype=pl.Int64)
        stages.append([first.alias("__first")])
        for r in prog.rules:
            evaluated[r.index] = pl.col("__first").is_null() | (pl.lit(r.index) <= pl.col("__first"))
    fired_cols, err_cols = [], []
    for r in rules:
        ev = evaluated.get(r.index, pl.lit(True))
        fired_cols.append((ev & pl.col(f"__rt{r.index}") & ~pl.col(f"__rf{r.index}")).alias(f"rule:{r.id}"))
        err_cols.append((ev & pl.col(f"__rf{r.index}")).alias(f"__re{r.index}"))
    stages.append(fired_cols + err_cols)
    model_used = {name: [] for name in prog.models}
    for r, (v, eff) in zip(rules[:n_active], conds):  # shadow rules run after the reasons are set
        ev = evaluated.get(r.index, pl.lit(True))
        for k in eff:
            if k.startswith("m:"):
                model_used[k[2:]].append(ev & pl.col(f"__rm{r.index}{k}"))
    # rules without points add exact zeros: leave them out of the sum
    points = [pl.when(pl.col(f"rule:{r.id}")).then(r.score).otherwise(0.0) for r in prog.rules if r.score]
    agg = [
        (pl.sum_horizontal(points) if points else pl.lit(0.0)).alias("__rules_score"),
        (pl.any_horizontal([pl.col(f"rule:{r.id}") for r in prog.rules]) if prog.rules else pl.lit(False)).alias("__rules_any_fired"),
        (pl.sum_horizontal([pl.col(f"rule:{r.id}") for r in prog.rules]).cast(pl.Int64) if prog.rules else pl.lit(0)).alias("__rules_count"),
    ]
    used_aggs = _used_rules_aggregates(prog)
    stages.append([a for a in agg if a.meta.output_name().removeprefix("__rules_") in used_aggs])

    late_errors: list[tuple[str, pl.Expr]] = []
    score_first = "decision.score" in prog.uses() and prog.tables

    def score_stage():
        if prog.score is None:
            stages.append([pl.lit(None, dtype=pl.Float64).alias("__d_score")])
            return
        v, eff = g.x(prog.score)
        f = eff.get(FAULT)
        stages.append([(pl.when(f).then(None).otherwise(v) if f is not None else v).cast(pl.Float64).alias("__d_score")]
                      + ([f.alias("__score_fault")] if f is not None else []))
        if f is not None:
            late_errors.append(("score", pl.col("__score_fault")))
        for k, e in eff.items():
            if k.startswith("m:"):
                model_used[k[2:]].append(e)

    if score_first:
        score_stage()
    for name, tab in prog.tables.items():
        out, fault, used, pre = _table(g, name, tab)
        if pre:
            stages.append(pre)
        stages.append([o.alias(f"__t_{name}.{col}") for o, col in zip(out, tab.outputs)]
                      + [fault.alias(f"__tf_{name}")])
        late_errors.append((f"table:{name}", pl.col(f"__tf_{name}")))
        for k, e in used.items():
            model_used[k].append(e)
    if not score_first:
        score_stage()
    stages.append([(pl.any_horizontal(m) if m else pl.lit(False)).alias(f"__mu_{name}") for name, m in model_used.items()])
    stages.extend(_outcome(prog, late_errors))
    if contribs_by_model:
        stages.extend(_model_reason_ranks(contribs_by_model))
    # the rest of the reasons is computed per distinct combination of its inputs (run() below)
    flag_stages, combo_stages = _reasons(prog, contribs_by_model, late_errors, g.model_codes)
    per_key = []
    review_cols = []
    if prog.unexplained is not None:
        v, eff = g.x(prog.unexplained)
        f = eff.get(FAULT)
        review_cols.append((_truth(v) | f if f is not None else _truth(v)).alias("unexplained"))
        if f is not None:
            review_cols.append(f.alias("__review_fault"))
            late_errors.append(("review", pl.col("__review_fault")))
    else:
        review_cols.append(pl.lit(None, dtype=pl.Boolean).alias("unexplained"))
    stages.append(review_cols)
    per_key += _lists(prog, late_errors)
    # Reasons and id lists depend only on which rules fired or faulted, the outcome, the band
    # and the scorecard bins hit: few distinct combinations. Computing the list expressions once
    # per combination and joining back is ~50x faster than per row.
    flags = [f"rule:{r.id}" for r in rules] + [f"__re{r.index}" for r in rules] + [e.meta.output_name() for _, e in late_errors]
    keys = [pl.sum_horizontal([pl.when(pl.col(f)).then(pl.lit(1 << k, dtype=pl.Int64)).otherwise(pl.lit(0, dtype=pl.Int64))
                               for k, f in enumerate(flags[i:i + 62])])
            .alias(f"__key{i // 62}") for i in range(0, len(flags), 62)] or [pl.lit(0, dtype=pl.Int64).alias("__key0")]
    # each combination's flags come back from its key's bits, rather than carried through unique()
    unpack = [((pl.col(f"__key{i // 62}") // (1 << (i % 62))) % 2 == 1).alias(f) for i, f in enumerate(flags)]
    key_names = [k.meta.output_name() for k in keys]
    key_names += ["outcome", "__band_reason"]
    if contribs_by_model:
        key_names += [f"__mrank{p}" for p in range(MAX_MODEL_REASONS)]
    result_names = ["reasons"] + [e.meta.output_name() for e in per_key]
    flag_keys = [k.meta.output_name() for k in keys]
    flag_results = [e.meta.output_name() for st in flag_stages + [per_key] for e in st]

    list_names = ["fired", "shadow_fired", "errors"]
    table_cols = {f"__t_{n}.{o}": f"table:{n}.{o}" for n, t in prog.tables.items() for o in t.outputs}
    model_cols = {f"model:{n}" + ("" if o == m.model.default_output else f".{o}"): pl.col(f"__m_{n}").struct.field(o)
                  for n, m in prog.models.items() for o in m.model.outputs}

    stages[:0] = [g.shared_stages[lv] for lv in sorted(g.shared_stages)]

    def run(frame: pl.DataFrame) -> pl.DataFrame:
        lf = frame.lazy()
        for s in stages:
            lf = lf.with_columns(s)
        bad = pl.col(INPUT_ERROR).is_not_null()

        def masked(e: pl.Expr, name: str) -> pl.Expr:
            return pl.when(bad).then(None).otherwise(e).alias(name)

        scalars = ["outcome", "score", "unexplained"] + [f"rule:{r.id}" for r in rules]
        out = lf.select([masked(pl.col(c), c) for c in scalars]
                        + [masked(pl.col(c), name) for c, name in table_cols.items()]
                        + [masked(e, name) for name, e in model_cols.items()]
                        + [pl.col(INPUT_ERROR).alias("input_error")]
                        + keys + [pl.col(n) for n in key_names[len(keys):] if n not in scalars]).collect(engine=ENGINE)
        # Reasons and id lists depend only on which rules fired or faulted, the outcome, the
        # band and the scorecard bins hit: a few thousand combinations in a million rows.
        # Computing them once per combination and spreading them back is ~10x faster than per row.
        # first once per combination of rule flags (a tenth as many), then per combination of all keys
        per_flags = out.lazy().select(flag_keys).unique().with_columns(unpack)
        for stage in flag_stages + [per_key]:
            per_flags = per_flags.with_columns(stage)
        per_flags = per_flags.select(flag_keys + flag_results)
        reps = out.lazy().select(key_names).unique().join(per_flags, on=flag_keys, how="left")
        for stage in combo_stages:
            reps = reps.with_columns(stage)
        reps = reps.select(key_names + result_names).collect(engine=ENGINE)
        out = _spread(out, reps, key_names, result_names)
        order = ["outcome", "score"] + list_names[:2] + ["reasons"] + list_names[2:] + ["unexplained"]
        order += [f"rule:{r.id}" for r in rules] + list(table_cols.values()) + list(model_cols) + ["input_error"]
        failed = pl.col("input_error").is_not_null()
        return out.lazy().with_columns([pl.when(failed).then(None).otherwise(pl.col(n)).alias(n)
                                        for n in list_names + ["reasons"]]).select(order).collect(engine=ENGINE)

    run.stages = stages + flag_stages + combo_stages  # for profiling: the plan's with_columns stages, in order
    run.row_stages = len(stages)  # the rest run once per distinct combination of keys, not per row
    return run, g


def _used_rules_aggregates(prog: Program) -> set[str]:
    """Which of rules.score / any_fired / count anything reads (Program.uses walks table defaults too)."""
    return {u.removeprefix("rules.") for u in prog.uses() if u.startswith("rules.")}


def _key_hash(key_names: list[str]) -> pl.Expr:
    return pl.struct(key_names).hash()


def _spread(out: pl.DataFrame, reps: pl.DataFrame, key_names: list[str], result_names: list[str]) -> pl.DataFrame:
    """``out`` with the ``result_names`` of the row of ``reps`` that has its ``key_names``.

    A left join on the eight key columns took 0.10 s CPU per 200k rows, mostly hashing them
    and copying list columns. Instead each row's keys are hashed to one integer, mapped to
    their combination's position and the results gathered (0.02 s). That is exact only when
    no two combinations share a hash, which is checked; if they do, the join.
    """
    hashes = reps.select(_key_hash(key_names)).to_series()
    if hashes.n_unique() != reps.height:
        return out.join(reps, on=key_names, how="left", nulls_equal=True, maintain_order="left")
    position = out.select(_key_hash(key_names).replace_strict(
        hashes, pl.Series(range(reps.height), dtype=pl.UInt32), return_dtype=pl.UInt32)).to_series()
    return out.with_columns([reps[n].gather(position) for n in result_names])
