"""The batch backend: the same IR compiled to polars expressions over a whole frame.

Semantics are the per-event engine's, row by row (the differential tests
check it): missing values, short-circuit evaluation, faults per rule, the
three policies, decision tables, shadow rules, scorecards and reasons.

Per-event laziness and faults become *effects*: each compiled node carries,
besides its value, a mask per effect channel — ``!`` (evaluating it raised in
this row) and ``m:<model>`` (evaluating it computed that model) — combined
with the evaluation order of ``and``/``or``/``if``/``coalesce`` and the
missing-value guards, so that a fault behind a false guard is no fault, and a
model a row never needed gives that row no reasons.

A builtin without a vectorised form runs per row (``map_elements``); that is
listed by :func:`describe` (``riskrules compile --show --backend batch``).

Exact money is a ``Decimal(38, s)`` column at the scale the checker fixed.
Comparisons, ``-x``, ``if`` and ``coalesce`` are vectorised, and so are
``+ - *`` on rows far from 38 digits: the operands are first cast so that
polars' result scale (the larger one, so 12.50 * 0.021 would be 0.262) is the
exact one. Rows near the limit, where polars would stop the whole query on an
overflow while per event only that row's rule faults, and every call with a
decimal argument or result, run per row through the same functions as per
event (``functions/money.py``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from . import functions, ir, irtext
from .functions import money
from .batch_input import INPUT_ERROR, DataError, polars_type, prepare  # noqa: F401 - DataError: what decide_frame raises
from .functions._common import now_expr
from .program import Program
from .providers import by_index as _by_bin
from .types import BOOL

FAULT = "!"
AS_OF = "__as_of"  # a column of per-row decision times given by the caller
ENGINE = "in-memory"  # polars collect engine: shares common sub-expressions (half the CPU of streaming here)
MAX_MODEL_REASONS = 4
_CMP = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def _or(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _and(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _gate(eff: dict, mask) -> dict:
    return dict(eff) if mask is None else {k: v & mask for k, v in eff.items()}


def _merge(*effs: dict) -> dict:
    out: dict = {}
    for e in effs:
        for k, v in e.items():
            out[k] = _or(out.get(k), v)
    return out


def _truth(v: pl.Expr) -> pl.Expr:
    return v.fill_null(False)


class _Gen(ir.Visitor):
    prefix = "x_"

    def __init__(self, prog: Program, now: dt.datetime | pl.Expr):
        self.p = prog
        self.now = now
        self.memo: dict = {}
        self.cell: tuple | None = None
        self.cols: dict[str, tuple[pl.Expr, dict]] = {}
        self.per_row: list[str] = []
        self.per_model: list[str] = []  # models whose batch adapter runs in Python (provider's per_row)
        # calls over input fields only: computed once per distinct call, before the features
        self.shared: dict[tuple, tuple[pl.Expr, dict]] = {}
        self.shared_level: dict[str, int] = {}
        self.shared_stages: dict[int, list[pl.Expr]] = {}
        # scorecard reason codes travel as numbers into this list until the distinct combinations
        self.model_codes: list[str] = []

    def model_code(self, reason: str | None) -> int | None:
        if reason is None:
            return None
        if reason not in self.model_codes:
            self.model_codes.append(reason)
        return self.model_codes.index(reason)

    # -- nodes -> (value, effects) ---------------------------------------------------
    def x(self, n) -> tuple[pl.Expr, dict]:
        key = (id(n), id(self.cell) if self.cell is not None else None)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.visit(n)
            self.memo[key] = hit
        return hit

    def lit(self, v, t):
        if isinstance(v, dt.datetime):
            return now_expr(v).dt.convert_time_zone("UTC")
        if v is None:
            return pl.lit(None, dtype=polars_type(t) if t.name not in ("null", "any") else pl.Null)
        if isinstance(v, bool):
            return pl.lit(v, dtype=pl.Boolean)
        if isinstance(v, int):
            return pl.lit(v, dtype=pl.Int64)
        if isinstance(v, float):
            return pl.lit(v, dtype=pl.Float64)
        if isinstance(v, Decimal):
            return pl.lit(v, dtype=pl.Decimal(38, max(0, -v.as_tuple().exponent)))
        return pl.lit(v)

    def fitted(self, value, eff, t):
        """A decimal value at the scale of ``t``; where that needs more than 38 digits the row
        faults, as ``money.fit`` does per event."""
        t = t.item if t.name == "list" and t.item is not None else t  # a collect table's values
        if not t.is_decimal:
            return value, eff
        out = value.cast(polars_type(t), strict=False)
        return out, _merge(eff, {FAULT: value.is_not_null() & out.is_null()})

    def x_Const(self, n):
        return self.lit(n.value, n.type), {}

    def x_Path(self, n):
        return _path_column(n.steps), {}

    def _col(self, name):
        v, eff = self.cols[name]
        return pl.col(name), {k: pl.col(f"{name}{k}") for k in eff}

    def x_Feat(self, n):
        return self._col(f"__f_{n.name}")

    def x_ModelOut(self, n):
        v, eff = self._col(f"__m_{n.model}")
        return pl.col(f"__m_{n.model}").struct.field(n.output), eff

    def x_RulesAgg(self, n):
        return pl.col(f"__rules_{n.name}"), {}

    def x_TableOut(self, n):
        return pl.col(f"__t_{n.table}.{n.output}"), {}

    def x_DecisionRef(self, n):
        # the outcome stage writes the decided outcome straight into "outcome" (_outcome)
        return pl.col("outcome" if n.name == "outcome" else f"__d_{n.name}"), {}

    def x_Now(self, n):
        return now_expr(self.now).dt.convert_time_zone("UTC"), {}

    def x_Cell(self, n):
        return self.cell

    def guarded(self, nodes):
        """Values, presence mask and effects in the generated code's order (nullable args first)."""
        order = [k for k, a in enumerate(nodes) if a.nullable] + [k for k, a in enumerate(nodes) if not a.nullable]
        vals = [None] * len(nodes)
        eff: dict = {}
        reach = None
        for k in order:
            v, e = self.x(nodes[k])
            vals[k] = v
            eff = _merge(eff, _gate(e, reach))
            if nodes[k].nullable:
                reach = _and(reach, v.is_not_null())
        return vals, reach, eff

    def x_Op(self, n):
        op = n.op
        if op in ("and", "or"):
            value, eff, reach = None, {}, None
            for a in n.args:
                v, e = self.x(a)
                t = _truth(v)
                eff = _merge(eff, _gate(e, reach))
                step = t if op == "and" else ~t
                if FAULT in e:
                    step = step & ~e[FAULT]
                reach = _and(reach, step)
                value = t if value is None else (value & t if op == "and" else value | t)
            return value, eff
        if op == "not":
            v, e = self.x(n.args[0])
            return ~_truth(v), e
        if op == "neg":
            v, e = self.x(n.args[0])
            return -v, e
        if n.type.is_decimal:  # exact (see the module docstring)
            vals, present, eff = self.guarded(n.args)
            return self._decimal_arith(n, vals, present, eff)
        (a, b), present, eff = self.guarded(n.args)
        if op in _CMP:
            return _truth(getattr(a, _CMP[op])(b)), eff
        if op in ("/", "%"):
            zero = b == 0
            fault = zero if present is None else (present & zero)
            eff = _merge(eff, {FAULT: _truth(fault)})
            if op == "/":
                value = pl.when(zero).then(None).otherwise(a / b)
            else:
                value = pl.when(zero).then(None).otherwise(a - b * (a / b).floor())
                if n.type.name == "int":
                    value = value.cast(pl.Int64)
            return value, eff
        value = {"+": a + b, "-": a - b, "*": a * b}[op]
        if n.type.name in ("date", "datetime"):
            # per event a date or datetime outside years 1..9999 is an OverflowError; polars
            # would go on with year 0 or 12000, so the same rows fault here
            year = value.dt.year()
            outside = (year < 1) | (year > 9999)
            eff = _merge(eff, {FAULT: _truth(outside if present is None else (present & outside))})
            value = pl.when(outside).then(None).otherwise(value)
        return value, eff

    def x_Member(self, n):
        if isinstance(n.container, ir.Const):
            (item,), present, eff = self.guarded((n.item,))
            cont = None
        else:
            (item, cont), present, eff = self.guarded((n.item, n.container))
        if isinstance(n.container, ir.Const):
            values = list(n.container.value)
            if n.item.type.is_numeric:
                item = item.cast(pl.Float64)
                values = [float(v) for v in values]
            if n.item.type.name == "datetime" or n.item.type.is_decimal:
                hit = pl.any_horizontal([item == self.lit(v, n.item.type) for v in values]) if values else pl.lit(False)
            else:
                hit = item.is_in(values) if values else pl.lit(False)
        else:
            hit = cont.list.contains(item)
        hit = ~hit if n.negated else hit
        ok = item.is_not_null() & cont.is_not_null() if not isinstance(n.container, ir.Const) else item.is_not_null()
        return _truth(hit & ok), eff

    def x_Between(self, n):
        (v, lo, hi), present, eff = self.guarded((n.value, n.low, n.high))
        return _truth((lo <= v) & (v <= hi)), eff

    def x_Missing(self, n):
        v, e = self.x(n.value)
        return (v.is_not_null() if n.negated else v.is_null()), e

    def x_If(self, n):
        c, ec = self.x(n.cond)
        t, et = self.fitted(*self.x(n.then), n.type)
        o, eo = self.fitted(*self.x(n.other), n.type)
        tc = _truth(c)
        return pl.when(tc).then(t).otherwise(o), _merge(ec, _gate(et, tc), _gate(eo, ~tc))

    def x_Coalesce(self, n):
        vals, eff, reach = [], {}, None
        for a in n.args:
            v, e = self.fitted(*self.x(a), n.type)
            vals.append(v)
            eff = _merge(eff, _gate(e, reach))
            if not a.nullable:
                break
            reach = _and(reach, v.is_null())
        return (pl.coalesce(vals) if len(vals) > 1 else vals[0]), eff

    def x_Call(self, n):
        fn = functions.get(n.func)
        if n.func == "now" and not n.args:
            return now_expr(self.now).dt.convert_time_zone("UTC"), {}
        key = _input_call_key(n)
        if key is None:
            return self._call(n, fn)
        hit = self.shared.get(key)
        if hit is None:
            hit = self.shared[key] = self._share(*self._call(n, fn))
        return hit

    def _share(self, value, eff):
        """Hidden columns for a call's value and effects, in a stage before the features."""
        name = f"__call{len(self.shared)}"
        cols = _eff_columns(name, value, eff)
        level = 1 + max((self.shared_level[r] for c in cols for r in c.meta.root_names() if r in self.shared_level),
                        default=-1)
        for c in cols:
            self.shared_level[c.meta.output_name()] = level
        self.shared_stages.setdefault(level, []).extend(cols)
        return pl.col(name), {k: pl.col(f"{name}{k}") for k in eff}

    def _call(self, n, fn):
        if fn.null_safe:
            pairs = [self.x(a) for a in n.args]
            vals, present, eff = [v for v, _ in pairs], None, _merge(*[e for _, e in pairs])
        else:
            vals, present, eff = self.guarded(n.args)
        if n.type.is_decimal or any(a.type.is_decimal for a in n.args):  # exact money: per row
            lits = [a.value if isinstance(a, ir.Const) else None for a in n.args]
            return self._per_row(n, fn, vals, present, eff, fn.impl,
                                 n.type.scale if n.type.is_decimal else None, lits)
        literal = all(isinstance(n.args[i], ir.Const) for i in fn.literal_params if i < len(n.args))
        head = [now_expr(self.now)] if fn.context == "now" else []
        if fn.polars is not None and literal:
            args = head + [n.args[i].value if i in fn.literal_params else v for i, v in enumerate(vals)]
            value = fn.polars(*args)
            fault = fn.polars_fault(*args) if fn.polars_fault is not None else None
            if fn.requires is not None:  # faults where the predicate fails; over inputs, one column for all
                ok, _ = self.x_Call(ir.Call(fn.requires, n.args, BOOL, n.nullable))
                value, fault = pl.when(ok).then(value), ~ok
            if fault is not None:
                f = _truth(fault)
                eff = _merge(eff, {FAULT: f if present is None else (present & f)})
            if present is not None and not fn.null_safe:
                value = pl.when(present).then(value)
            return value, eff
        return self._per_row(n, fn, vals, present, eff)

    def _decimal_arith(self, n, vals, present, eff):
        """``a + b``, ``a - b``, ``a * b`` on amounts: vectorised where the result is far from 38
        digits (a bound on the operands, so no row can overflow), per row, exactly, elsewhere."""
        a, b = vals
        scales = [x.type.scale if x.type.is_decimal else 0 for x in n.args]
        s = n.type.scale
        if n.op == "*":  # polars keeps the larger scale: give `a` the product's, so nothing is cut
            a, b = a.cast(pl.Decimal(38, s), strict=False), b.cast(pl.Decimal(38, scales[1]), strict=False)
            # unscaled operands below 1e18 each: their i128 product stays below 1e36
            near = [(x.cast(pl.Float64).abs() * 10.0 ** sc) >= 1e18 for x, sc in ((a, s), (b, scales[1]))]
        else:
            a, b = a.cast(pl.Decimal(38, s), strict=False), b.cast(pl.Decimal(38, s), strict=False)
            near = [(x.cast(pl.Float64).abs() * 10.0 ** s) >= 4e37 for x in (a, b)]
        # a cast past 38 digits is null (so is `near`): that row goes per row too, and faults there
        slow = (near[0] | near[1]).fill_null(True) & vals[0].is_not_null() & vals[1].is_not_null()
        fast_a, fast_b = pl.when(~slow).then(a), pl.when(~slow).then(b)
        fast = {"+": fast_a + fast_b, "-": fast_a - fast_b, "*": fast_a * fast_b}[n.op].cast(polars_type(n.type))
        exact, s_ = money.OPS[n.op], s
        rtype = pl.Struct({"v": polars_type(n.type), "f": pl.Boolean})

        def rows(batch: pl.Series) -> pl.Series:
            frame = batch.struct.unnest()
            n_rows = len(frame)
            v = pl.Series("v", [None] * n_rows, dtype=rtype.fields[0].dtype)
            f = pl.Series("f", [False] * n_rows, dtype=pl.Boolean)
            idx = frame.select(pl.col("a").is_not_null() & pl.col("b").is_not_null()).to_series().arg_true()
            got, bad = [], []
            for i in idx.to_list():  # only the rows near 38 digits: rare
                try:
                    got.append((i, exact(frame["a"][i], frame["b"][i], s_)))
                except Exception:  # a fault of the calling rule, as per event
                    bad.append(i)
            if got:
                v = v.scatter([i for i, _ in got], pl.Series([x for _, x in got], dtype=rtype.fields[0].dtype))
            if bad:
                f = f.scatter(bad, True)
            return pl.DataFrame([v, f]).to_struct("out")

        self.per_row.append(f"decimal {n.op} (near 38 digits)")
        out = pl.struct([pl.when(slow).then(vals[0]).alias("a"), pl.when(slow).then(vals[1]).alias("b")]) \
            .map_batches(rows, return_dtype=rtype)
        value = pl.when(slow).then(out.struct.field("v")).otherwise(fast)
        f = slow & _truth(out.struct.field("f"))
        return value, _merge(eff, {FAULT: f if present is None else (present & f)})

    def _per_row(self, n, fn, vals, present, eff, impl=None, scale=None, lits=None):
        """No vectorised form: call the implementation row by row, catching faults.

        ``impl`` overrides the builtin's (``fn`` is None for an operator); a decimal result is
        brought to ``scale``; ``lits`` gives literal arguments as written (not as a column holds them)."""
        self.per_row.append(n.func if fn is not None else f"decimal {n.op}")
        impl, now = impl or fn.impl, self.now
        null_safe = fn is not None and fn.null_safe
        wants_now = fn is not None and fn.context == "now"
        per_row_now = wants_now and isinstance(now, pl.Expr)
        ctx = (now,) if wants_now and not per_row_now else ()
        extra = (scale,) if fn is None else ()
        names = [f"a{i}" for i in range(len(vals))]
        rtype = polars_type(n.type) if n.type.name not in ("any", "null") else pl.String
        if per_row_now:  # the row's decision time travels as the struct's first field
            vals, names = [now] + list(vals), ["now"] + names
            lits = None if lits is None else [None] + list(lits)

        def call(row):
            row = row or {}  # polars hands a struct of nulls over as None
            args = [row.get(k) if lits is None or lits[i] is None else lits[i] for i, k in enumerate(names)]
            if per_row_now and args[0] is None:  # an input-error row: not decided
                return {"v": None, "f": False}
            if not null_safe and any(a is None for a in args):
                return {"v": None, "f": False}
            try:
                v = impl(*ctx, *args, *extra)
                return {"v": v if scale is None or fn is None else money.fit(v, scale), "f": False}
            except Exception:  # a fault of the calling rule, as per event
                return {"v": None, "f": True}

        if not vals:
            out = pl.lit(0).map_elements(lambda _: call({}), return_dtype=pl.Struct({"v": rtype, "f": pl.Boolean}))
        else:
            out = pl.struct([v.alias(k) for v, k in zip(vals, names)]).map_elements(
                call, return_dtype=pl.Struct({"v": rtype, "f": pl.Boolean}), skip_nulls=False)
        f = _truth(out.struct.field("f"))
        return out.struct.field("v"), _merge(eff, {FAULT: f if present is None else (present & f)})


def _input_call_key(n) -> tuple | None:
    """(function, arguments) of a call that reads input fields and literals only, else None."""
    nodes = list(ir.walk(n))[1:] if n.args else []
    if not any(isinstance(x, ir.Path) for x in nodes) or not all(isinstance(x, (ir.Path, ir.Const)) for x in nodes):
        return None
    key = (n.func, n.args)
    try:
        hash(key)
    except TypeError:  # a literal that does not hash
        return None
    return key


def _used_rules_aggregates(prog: Program) -> set[str]:
    """Which of rules.score / any_fired / count anything reads (Program.uses walks table defaults too)."""
    return {u.removeprefix("rules.") for u in prog.uses() if u.startswith("rules.")}


def _eff_columns(name: str, value: pl.Expr, eff: dict) -> list[pl.Expr]:
    return [value.alias(name)] + [e.alias(f"{name}{k}") for k, e in eff.items()]


def _model(gen: _Gen, name: str, m) -> tuple[pl.Expr, dict, object]:
    """A model through its provider's batch adapter: (value, effects, the adapter's BatchModel).

    Inputs are evaluated in order, as per event: a fault in one means the later ones were
    never evaluated; the model's own fault counts where no input faulted.
    """
    eff, reach, inputs = {}, None, []
    for node in m.inputs:
        v, e = gen.x(node)
        eff = _merge(eff, _gate(e, reach))
        if FAULT in e:
            reach = _and(reach, ~e[FAULT])
        inputs.append((v, node.type))
    column = f"__m_{name}"
    bm = m.model.batch(inputs, prefix=column, code=gen.model_code)
    if bm.fault is not None:
        eff = _merge(eff, {FAULT: bm.fault if reach is None else (reach & bm.fault)})
    if bm.per_row:
        gen.per_model.append(f"{name}: {bm.per_row}")
    return bm.value, eff, bm


def decide_frame(engine, df: pl.DataFrame, *, now: dt.datetime | pl.Series | None = None) -> pl.DataFrame:
    """Decide every row of ``df``; one result row per input row, same order.

    Each row is decided as of its own ``decision_time`` field (see :func:`as_of`);
    ``now`` overrides it: one time for every row, or a Series of one time per row.

    Columns: ``outcome``, ``score``, ``fired``, ``shadow_fired``, ``reasons``,
    ``errors`` (lists), ``unexplained``, ``input_error`` (rows that break the
    schema are not decided), ``rule:<id>`` per rule, ``table:<name>.<out>``,
    ``model:<name>`` and ``model:<name>.points``.
    """
    prog = engine.program if hasattr(engine, "program") else engine
    frame, now = as_of(prog, prepare(df, prog.schema), now)
    plan, _ = build_plan(prog, now)
    return plan(frame)


def as_of(prog: Program, frame: pl.DataFrame, now: dt.datetime | pl.Series | None = None):
    """(frame, decision time) for a prepared frame: what ``now()`` is in each row.

    An explicit ``now`` (naive is UTC) is every row's time; a Series of datetimes
    gives each row its own (a replay of logged decisions). Otherwise the
    ruleset's ``decision_time`` column, per row. A row without its time becomes
    an input-error row (never the wall clock); a ruleset that declares no
    decision time decides as of the wall clock.
    """
    if isinstance(now, pl.Series):
        if len(now) != frame.height or not isinstance(now.dtype, pl.Datetime):
            raise DataError(f"one decision time per row is needed: got {len(now)} of {now.dtype} "
                            f"for {frame.height} rows")
        times = now.dt.convert_time_zone("UTC") if now.dtype.time_zone else now.dt.replace_time_zone("UTC")
        frame = frame.with_columns(times.dt.cast_time_unit("us").alias(AS_OF))
        return _unless_missing(frame, pl.col(AS_OF), "the decision time"), pl.col(AS_OF)
    if now is not None:
        return frame, now if now.tzinfo is not None else now.replace(tzinfo=dt.timezone.utc)
    path = prog.decision_time
    if path is None:
        return frame, dt.datetime.now(dt.timezone.utc)
    column = _path_column(path.steps)
    return _unless_missing(frame, column, f"{'.'.join(path.steps)}: the decision time (decision_time)"), column


def _path_column(steps: tuple[str, ...]) -> pl.Expr:
    """An input field of the prepared frame: a top-level column, then struct fields."""
    e = pl.col(steps[0])
    for s in steps[1:]:
        e = e.struct.field(s)
    return e


def _unless_missing(frame: pl.DataFrame, time: pl.Expr, what: str) -> pl.DataFrame:
    """``frame`` with rows whose decision time is missing marked as input errors."""
    missing = pl.col(INPUT_ERROR).is_null() & time.is_null()
    err = pl.when(missing).then(pl.lit(f"{what} is missing")).otherwise(pl.col(INPUT_ERROR))
    return frame.with_columns(err.alias(INPUT_ERROR))


def build_plan(prog: Program, now: dt.datetime | pl.Expr):
    """(function frame -> results, the generator) — the compiled batch program."""
    g = _Gen(prog, now)
    stages: list[list[pl.Expr]] = []
    # features by dependency level: one stage per level, so a level reads earlier levels'
    # columns and polars can share common work (an ID parsed once) within a level
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


def _table(g: _Gen, name, tab):
    """(outputs, fault, model use, columns for a stage before the outputs) of a decision table."""
    ins = [g.x(i) for i in tab.inputs]
    eff = _merge(*[e for _, e in ins])
    fault = eff.get(FAULT, pl.lit(False))
    used = {k[2:]: v for k, v in eff.items() if k.startswith("m:")}
    n_out = len(tab.outputs)
    matches = []
    for row in tab.rows:
        m, reach, rfault = pl.lit(True), None, None
        for k, c in enumerate(row.cells):
            if isinstance(c, ir.Const) and c.value is True:
                continue
            g.cell = ins[k]
            v, e = g.x(c)
            g.cell = None
            if FAULT in e:
                rfault = _or(rfault, e[FAULT] if reach is None else (reach & e[FAULT]))
            for key, val in e.items():
                if key.startswith("m:"):
                    used[key[2:]] = _or(used.get(key[2:]), val if reach is None else (reach & val))
            reach = _and(reach, _truth(v))
            m = m & _truth(v)
        outs = [g.fitted(*g.x(o), t) for o, t in zip(row.outputs, tab.output_types)]
        for _, e in outs:
            for key, val in e.items():
                if key.startswith("m:"):
                    used[key[2:]] = _or(used.get(key[2:]), m & val)
        ofault = _merge(*[e for _, e in outs]).get(FAULT)
        matches.append((m, rfault, [v for v, _ in outs], ofault))
    defaults = [g.fitted(*g.x(d), t) for d, t in zip(tab.default, tab.output_types)] if tab.default is not None else []
    default = [v for v, _ in defaults] if defaults else [pl.lit(None)] * n_out
    default_eff = _merge(*[e for _, e in defaults]) if defaults else {}
    pre = []
    if tab.hit == "first" and matches:
        # the first matching row's number, each row's condition evaluated once; the outputs and
        # faults read it rather than repeating the conditions of every earlier row
        first = pl.when(matches[0][0]).then(pl.lit(0, dtype=pl.Int32))
        for i, (m, *_) in enumerate(matches[1:], 1):
            first = first.when(m).then(pl.lit(i, dtype=pl.Int32))
        pre.append(first.otherwise(pl.lit(None, dtype=pl.Int32)).alias(f"__tm_{name}"))
        hit = pl.col(f"__tm_{name}")
        no_match = hit.is_null()
    else:
        no_match = ~pl.any_horizontal([m for m, *_ in matches]) if matches else pl.lit(True)
    if FAULT in default_eff:  # the default is evaluated only when no row matches
        fault = fault | (no_match & default_eff[FAULT])
    for key, val in default_eff.items():
        if key.startswith("m:"):
            used[key[2:]] = _or(used.get(key[2:]), no_match & val)
    if tab.hit == "first":
        chosen = [None] * n_out
        for i, (m, rfault, vals, ofault) in enumerate(matches):
            if rfault is not None:  # row i is reached when no earlier row matched
                fault = fault | ((no_match | (hit >= i)) & rfault)
            if ofault is not None:
                fault = fault | ((hit == i).fill_null(False) & ofault)
            for k in range(n_out):
                chosen[k] = pl.when(hit == i).then(vals[k]) if chosen[k] is None else chosen[k].when(hit == i).then(vals[k])
        out = [c.otherwise(d) if c is not None else d for c, d in zip(chosen, default)] if matches else default
    else:
        for m, rfault, vals, ofault in matches:
            if rfault is not None:
                fault = fault | rfault
            if ofault is not None:
                fault = fault | (m & ofault)
        ms = [m for m, *_ in matches]
        count = pl.sum_horizontal([m.cast(pl.Int64) for m in ms]) if ms else pl.lit(0)
        by_priority = sorted(range(len(matches)), key=lambda i: (-tab.rows[i].priority, i))
        if tab.hit == "unique":
            fault = fault | (count > 1)
            out = _pick(matches, default, n_out, list(range(len(matches))))
        elif tab.hit == "any":
            out = _pick(matches, default, n_out, list(range(len(matches))))
            for m, _, vals, _ in matches:  # a matching row that disagrees with the first one
                for k in range(n_out):
                    fault = fault | (m & vals[k].ne_missing(out[k])).fill_null(False)
        elif tab.hit == "priority":
            out = _pick(matches, default, n_out, by_priority)
        elif tab.aggregate is None:  # rule_order, output_order, collect: one aligned list per output
            order = by_priority if tab.hit == "output_order" else range(len(matches))
            out = []
            for k in range(n_out):
                ty = pl.List(polars_type(tab.output_types[k].item))
                # a matching row adds its value (null when missing), so the lists stay aligned by row
                col = [pl.when(matches[i][0]).then(pl.concat_list([matches[i][2][k].cast(ty.inner)]))
                       .otherwise(pl.lit([], dtype=ty)) for i in order]
                out.append(pl.concat_list(col) if col else pl.lit([], dtype=ty))
        else:
            out = []
            for k in range(n_out):
                col = [pl.when(m).then(vals[k]) for m, _, vals, _ in matches]
                if tab.aggregate == "count":
                    out.append(pl.sum_horizontal([c.is_not_null().cast(pl.Int64) for c in col]) if col else pl.lit(0))
                else:
                    fn = {"sum": pl.sum_horizontal, "min": pl.min_horizontal, "max": pl.max_horizontal}[tab.aggregate]
                    if not col:
                        out.append(default[k])
                        continue
                    present = pl.any_horizontal([c.is_not_null() for c in col])
                    hit = pl.any_horizontal(ms)
                    out.append(pl.when(present).then(fn(col)).when(hit).then(None).otherwise(default[k]))
    out = [pl.when(fault).then(None).otherwise(o) for o in out]
    return out, fault, used, pre


def _pick(matches, default, n_out, order):
    out = []
    for k in range(n_out):
        e = None
        for i in order:
            m, _, vals, _ = matches[i]
            e = pl.when(m).then(vals[k]) if e is None else e.when(m).then(vals[k])
        out.append(e.otherwise(default[k]) if e is not None else default[k])
    return out


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


def describe(engine, now: dt.datetime | None = None) -> str:
    """The batch plan as text: each rule's polars expression, and what runs per row."""
    prog = engine.program if hasattr(engine, "program") else engine
    if now is None:  # the plan as decide_frame builds it: the declared time per row, else the wall clock
        now = _path_column(prog.decision_time.steps) if prog.decision_time is not None \
            else dt.datetime.now(dt.timezone.utc)
    _, g = build_plan(prog, now)
    out = [f"# batch plan of {prog.name} {prog.version} ({prog.digest})"]
    for r in prog.all_rules:
        v, eff = g.x(r.cond)
        out.append(f"# rule {r.id}")
        out.append(f"rule:{r.id} = {v}")
        if FAULT in eff:
            out.append(f"  faults where: {eff[FAULT]}")
    if g.shared:
        out.append("# builtin calls over input fields, computed once before the features")
        for (func, args), (col, _) in g.shared.items():
            out.append(f"{col.meta.output_name()} = {func}({', '.join(irtext.show(a) for a in args)})")
    per_row = sorted(set(g.per_row))
    out.append("# functions evaluated per row (no vectorised form): " + (", ".join(per_row) or "none"))
    out.append("# models evaluated in Python, a batch at a time: " + (", ".join(g.per_model) or "none"))
    return "\n".join(out) + "\n"
