"""IR nodes as polars expressions: the visitor that compiles each node to (value, effects)."""
from __future__ import annotations

from decimal import Decimal
import datetime as dt

import polars as pl

from .. import functions, ir
from ..functions import money
from ..functions._common import now_expr
from ..program import Program
from ..types import BOOL
from .effects import FAULT, _CMP, _and, _eff_columns, _gate, _merge, _path_column, _truth
from .input import polars_type


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
