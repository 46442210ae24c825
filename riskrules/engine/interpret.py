"""The reference backend: a small tree-walking interpreter of the IR.

It follows the same order, laziness and fault containment as the generated
code, which the conformance suite and a hypothesis test check, and it can
record a trace of every node's value (``decide(..., trace=True)``).
"""
from __future__ import annotations

import operator

from . import functions, ir
from .codegen import U
from .functions import money
from .irtext import show
from .program import Evaluation, Fault

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": operator.mod}


class _Run(ir.Visitor):
    prefix = "ev_"
    __slots__ = ("inp", "now", "memo", "cell", "late", "trace", "models", "prog", "cell_bound")

    def __init__(self, prog, inp, now, trace, cell_bound):
        self.prog = prog
        self.cell_bound = cell_bound
        self.inp = inp
        self.now = now
        self.memo: dict[int, object] = {}
        self.cell = None
        self.late: dict[str, object] = {}
        self.trace = trace
        self.models = {name: U for name in prog.models}

    def ev(self, n):
        key = id(n)
        if key in self.memo:
            return self.memo[key]
        v = self.handlers[type(n)](self, n)
        if key not in self.cell_bound:  # a value that depends on the table cell is not remembered
            self.memo[key] = v
            if self.trace is not None and not isinstance(n, ir.Const):
                self.trace.append({"node": show(n), "at": _at(n), "value": v})
        return v

    def truth(self, n) -> bool:
        return self.ev(n) is True

    def ev_Const(self, n):
        return n.value

    def ev_Path(self, n):
        v = self.inp[n.steps[0]]
        for step in n.steps[1:]:
            if v is None:
                return None
            v = v[step]
        return v

    def ev_Feat(self, n):
        return self.ev(self.prog.features[n.name])

    def ev_ModelOut(self, n):
        m = self.models[n.model]
        if m is U:
            model = self.prog.models[n.model]
            m = model.model(tuple(self.ev(a) for a in model.inputs))
            self.models[n.model] = m
        return getattr(m, n.output)

    def ev_RulesAgg(self, n):
        return self.late[f"rules.{n.name}"]

    def ev_TableOut(self, n):
        return self.late[f"tables.{n.table}.{n.output}"]

    def ev_DecisionRef(self, n):
        return self.late[f"decision.{n.name}"]

    def ev_Now(self, n):
        return self.now

    def ev_Cell(self, n):
        return self.cell

    def ev_Op(self, n):
        op = n.op
        if op == "and":
            return all(self.truth(a) for a in n.args)
        if op == "or":
            return any(self.truth(a) for a in n.args)
        if op == "not":
            return not self.truth(n.args[0])
        if n.type.is_decimal:
            vals = self.vals(n.args)
            return None if vals is None else money.OPS[op](*vals, n.type.scale)
        if op == "neg":
            v = self.ev(n.args[0])
            return None if v is None else -v
        vals = self.vals(n.args)
        if vals is None:
            return False if op in _CMP else None
        return (_CMP.get(op) or _ARITH[op])(*vals)

    def vals(self, nodes):
        """Argument values in the generated code's order: nullable ones first (stopping at a
        missing one), then the rest; None when any is missing."""
        out = [None] * len(nodes)
        for i, a in enumerate(nodes):
            if a.nullable:
                v = self.ev(a)
                if v is None:
                    return None
                out[i] = v
        for i, a in enumerate(nodes):
            if not a.nullable:
                out[i] = self.ev(a)
        return out

    def ev_Member(self, n):
        vals = self.vals((n.item, n.container))
        if vals is None:
            return False
        item, cont = vals
        return (item not in cont) if n.negated else (item in cont)

    def ev_Between(self, n):
        vals = self.vals((n.value, n.low, n.high))
        return vals is not None and vals[1] <= vals[0] <= vals[2]

    def ev_Missing(self, n):
        v = self.ev(n.value)
        return (v is not None) if n.negated else (v is None)

    def ev_If(self, n):
        v = self.ev(n.then) if self.truth(n.cond) else self.ev(n.other)
        return money.fit(v, n.type.scale) if n.type.is_decimal else v

    def ev_Coalesce(self, n):
        for a in n.args:
            v = self.ev(a)
            if v is not None:
                return money.fit(v, n.type.scale) if n.type.is_decimal else v
        return None

    def ev_Call(self, n):
        fn = functions.get(n.func)
        head = (self.now,) if fn.context == "now" else ()
        if fn.null_safe:
            v = fn.impl(*head, *(self.ev(a) for a in n.args))
        else:
            vals = self.vals(n.args)
            v = None if vals is None else fn.impl(*head, *vals)
        return money.fit(v, n.type.scale) if n.type.is_decimal else v


def _fit(tab, values) -> tuple:
    """A row's outputs, a decimal one at its column's scale (as the generated code does)."""
    types = (t.item if t.name == "list" and t.item is not None else t for t in tab.output_types)  # collect
    return tuple(money.fit(v, t.scale) if t.is_decimal else v for v, t in zip(values, types))


def _cell_bound(prog) -> frozenset[int]:
    """Ids of the nodes whose value depends on the table cell being matched (a Cell or above one)."""
    bound: set[int] = set()

    def has_cell(n) -> bool:
        if isinstance(n, ir.Cell):
            bound.add(id(n))
            return True
        found = False
        for k in ir.children(n):
            found |= has_cell(k)
        if found:
            bound.add(id(n))
        return found

    for tab in prog.tables.values():
        for row in tab.rows:
            for c in row.cells:
                has_cell(c)
    return frozenset(bound)


def _at(n) -> str:
    s = n.span
    return f"{s.file}:{s.line}:{s.col}"


class Interpreter:
    def __init__(self, prog, resolve, table_hits):
        self.prog = prog
        self.resolve = resolve
        self.table_hits = table_hits
        self.points = [r.score for r in prog.all_rules]
        # both fixed by the program: worked out once here, not on every run
        self.cell_bound = _cell_bound(prog)
        self.score_first = bool(prog.tables) and "decision.score" in prog.uses()

    def run(self, inp, now, trace=None):
        p = self.prog
        run = _Run(p, inp, now, trace, self.cell_bound)
        fired, shadow, errors = [], [], []
        matched = False
        for r in p.rules:
            if matched:
                break
            try:
                if run.truth(r.cond):
                    fired.append(r.index)
                    matched = p.policy == "first_match" and r.action is not None
            except Exception as exc:
                errors.append(Fault(r.index, exc))
            self._trace_rule(trace, r, fired, errors)
        run.late["rules.score"] = sum(self.points[i] for i in fired)
        run.late["rules.any_fired"] = len(fired) > 0
        run.late["rules.count"] = len(fired)
        tables = {}
        score_first = self.score_first
        if score_first:
            self._score(run, errors)
        for name, tab in p.tables.items():
            out = self._table(run, name, tab, errors)
            tables[name] = dict(zip(tab.outputs, out))
            for o, v in zip(tab.outputs, out):
                run.late[f"tables.{name}.{o}"] = v
        if not score_first:
            self._score(run, errors)
        score = run.late["decision.score"]
        models = dict(run.models)
        outcome, reasons = self.resolve(fired, errors, score, models)
        run.late["decision.outcome"] = outcome
        for r in p.shadow:
            try:
                if run.truth(r.cond):
                    shadow.append(r.index)
            except Exception as exc:
                errors.append(Fault(r.index, exc))
            self._trace_rule(trace, r, shadow, errors)

        unexplained = None
        if p.unexplained is not None:
            try:
                unexplained = run.truth(p.unexplained)
            except Exception as exc:
                errors.append(Fault("review", exc))
                unexplained = True
        if trace is not None:
            trace.append({"node": "decision", "at": None, "value": {"outcome": outcome, "score": score}})
        return Evaluation(fired, shadow, errors, tables, score, outcome, reasons, unexplained, models)

    @staticmethod
    def _trace_rule(trace, r, hits, errors):
        if trace is not None:
            err = next((f.error for f in errors if f.where == r.index), None)
            trace.append({"node": f"rule {r.id}", "at": f"{r.span.file}:{r.span.line}:{r.span.col}",
                          "value": f"error: {type(err).__name__}: {err}" if err else (r.index in hits)})

    def _score(self, run, errors):
        score = None
        if self.prog.score is not None:
            try:
                score = run.ev(self.prog.score)
            except Exception as exc:
                errors.append(Fault("score", exc))
        run.late["decision.score"] = score

    def _table(self, run, name, tab, errors):
        n_out = len(tab.outputs)
        try:
            ins = [run.ev(x) for x in tab.inputs]

            def match(row):
                for k, c in enumerate(row.cells):
                    if isinstance(c, ir.Const) and c.value is True:
                        continue
                    run.cell = ins[k]
                    ok = run.truth(c)
                    run.cell = None
                    if not ok:
                        return False
                return True

            def default():  # only when no row matches, as in the generated code
                return _fit(tab, (run.ev(d) for d in tab.default)) if tab.default is not None else (None,) * n_out

            if tab.hit == "first":
                for row in tab.rows:
                    if match(row):
                        return _fit(tab, (run.ev(o) for o in row.outputs))
                return default()
            hits = []
            for i, row in enumerate(tab.rows):
                if match(row):
                    hits.append((row.priority, i, _fit(tab, (run.ev(o) for o in row.outputs))))
            hit, empty = self.table_hits[name]
            return hit(hits) if hits else empty(default())
        except Exception as exc:
            errors.append(Fault(f"table:{name}", exc))
            return (None,) * n_out
