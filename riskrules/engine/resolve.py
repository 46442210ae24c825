"""Name resolution and type checking of expressions: AST -> typed IR.

One :class:`Resolver` per ruleset. ``lower(expr, where)`` returns an IR node
(or ``None`` when the expression has errors) and appends positioned
diagnostics; ``where`` says which references are allowed at that place, which
keeps the evaluation one-way (features -> models -> rules -> tables ->
decision -> review) and free of forward chaining.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..dsl import ast as A
from ..dsl.diagnostics import Diagnostic, did_you_mean, error, warning
from . import functions
from . import ir
from .types import (ANY, BOOL, DATE, DATETIME, DURATION, INT, MAX_PRECISION, NULL, NUMBER, STRING, Type,
                    assignable, comparable, decimal_of, enum_of, list_of, unify)

LITERAL_TYPES = {"int": INT, "number": NUMBER, "string": STRING, "bool": BOOL, "null": NULL,
                 "duration": DURATION, "date": DATE, "datetime": DATETIME, "decimal": decimal_of(0)}

# places, from most to least restricted: what each may reference
FEATURE, MODEL_INPUT, RULE, TABLE, DECISION, REVIEW = "feature", "model input", "rule", "table", "decision", "review"
_ALLOWS = {
    FEATURE: {"features"},
    MODEL_INPUT: {"features"},
    RULE: {"features", "models"},
    TABLE: {"features", "models", "rules", "tables", "decision.score"},
    DECISION: {"features", "models", "rules", "tables"},
    REVIEW: {"features", "models", "rules", "tables", "decision.score", "decision.outcome"},
}

RULE_AGGS = {"score": NUMBER, "any_fired": BOOL, "count": INT}


@dataclass
class Scope:
    schema: Type  # object type of the input
    lists: dict[str, tuple[Type, frozenset, frozenset | None]]  # name -> (item type, values, as text)
    features: dict[str, A.Feature]
    models: dict[str, tuple[dict[str, Type], str]]  # name -> (outputs and their types, the default output)
    tables: dict[str, A.Table]
    outcomes: tuple[str, ...]


@dataclass
class Resolver:
    scope: Scope
    intern: ir.Interner
    diags: list[Diagnostic] = field(default_factory=list)
    feature_ir: dict[str, object] = field(default_factory=dict)  # name -> IR (None: broken)
    feature_deps: dict[str, set[str]] = field(default_factory=dict)
    table_types: dict[str, dict[str, Type]] = field(default_factory=dict)
    _visiting: list[str] = field(default_factory=list)
    _bad_names: set = field(default_factory=set)

    # -- entry points --------------------------------------------------------
    def lower(self, expr: A.Expr, where: str, *, cell: ir.Cell | None = None):
        self._where = where
        self._cell = cell
        self._ok = True
        try:
            node = self._lower(expr)
        except _Abort:
            return None
        return self.intern(node) if self._ok and node is not None else None

    def lower_feature(self, name: str):
        """The IR of feature ``name``, lowering it (and what it needs) on first use."""
        if name in self.feature_ir:
            return self.feature_ir[name]
        if name in self._visiting:
            cycle = self._visiting[self._visiting.index(name):] + [name]
            f = self.scope.features[name]
            self.diags.append(error("E301", "features depend on each other in a cycle: " + " -> ".join(cycle), f.span,
                                    "a feature may only use features that do not use it"))
            self.feature_ir[name] = None
            return None
        self._visiting.append(name)
        saved = (getattr(self, "_where", None), getattr(self, "_cell", None), getattr(self, "_ok", True))
        node = self.lower(self.scope.features[name].expr, FEATURE)
        self._where, self._cell, self._ok = saved
        self._visiting.pop()
        self.feature_ir.setdefault(name, node)
        return self.feature_ir[name]

    # -- helpers -------------------------------------------------------------
    def _err(self, code, msg, span, hint=None):
        self._ok = False
        self.diags.append(error(code, msg, span, hint))

    def _warn(self, code, msg, span, hint=None):
        self.diags.append(warning(code, msg, span, hint))

    def _lower(self, e):
        method = getattr(self, "_lower_" + type(e).__name__, None)
        if method is None:
            self._err("E203", f"{type(e).__name__} is not allowed here", e.span)
            return None
        return method(e)

    # -- leaves ---------------------------------------------------------------
    def _lower_Literal(self, e: A.Literal):
        t = decimal_of(-e.value.as_tuple().exponent) if e.kind == "decimal" else LITERAL_TYPES[e.kind]
        v = e.value
        if e.kind == "number" and isinstance(v, float) and not math.isfinite(v):
            self._err("E102", "number literal is not finite", e.span)
        return ir.Const(v, t, e.span, nullable=e.kind == "null")

    def _lower_Placeholder(self, e: A.Placeholder):
        if self._cell is None:
            self._err("E203", "a table cell placeholder is only allowed in decision-table cells", e.span)
            return None
        return self._cell

    def _lower_ListLit(self, e: A.ListLit):
        items = [self._lower(x) for x in e.items]
        if any(x is None for x in items):
            return None
        t = NULL
        for x, src in zip(items, e.items):
            if isinstance(x, ir.Const) and x.value is None:
                self._err("E203", "list items may not be null", src.span,
                          "a missing value is never in a list; test it with 'is missing'")
                return None
            u = unify(t, x.type)
            if u == ANY:
                self._err("E203", f"list items mix {t} and {x.type}", src.span)
                return None
            t = u
        if all(isinstance(x, ir.Const) for x in items):
            # a list keeps its order and repeats (count(['a', 'a']) is 2); 'in' makes it a set (_lower_In)
            return ir.Const(tuple(x.value for x in items), list_of(t), e.span)
        self._err("E204", "list literal items must be literals", e.span,
                  "compare with each value using 'or', or declare a list")
        return None

    def _lower_Name(self, e: A.Name):
        parts = e.parts
        for p in parts:
            if p.startswith("_"):
                self._err("E206", f"names may not start with '_': '{p}'", e.span)
                return None
        head = parts[0]
        if head == "features" and len(parts) == 2:
            return self._feature(parts[1], e)
        if head == "models" and len(parts) >= 2 and parts[1] in self.scope.models:
            return self._model(e)
        if head == "rules" and len(parts) == 2 and not self._schema_has(head):
            return self._rules_agg(e)
        if head == "tables" and len(parts) >= 2 and parts[1] in self.scope.tables:
            return self._table(e)
        if head == "decision" and len(parts) == 2 and not self._schema_has(head):
            return self._decision(e)
        if len(parts) == 1 and head in self.scope.features:
            return self._feature(head, e)
        if len(parts) == 1 and head in self.scope.lists:
            item, values, _ = self.scope.lists[head]
            return ir.Const(values, list_of(item), e.span)
        return self._path(e)

    def _schema_has(self, name):
        return self.scope.schema.field(name) is not None

    def _feature(self, name, e):
        if name not in self.scope.features:
            self._err("E200", f"unknown feature '{name}'", e.span, did_you_mean(name, self.scope.features))
            return None
        if self._where not in (FEATURE, MODEL_INPUT, RULE, TABLE, DECISION, REVIEW):
            self._err("E208", f"feature '{name}' cannot be used in a {self._where}", e.span)
        if self._visiting:
            self.feature_deps.setdefault(self._visiting[-1], set()).add(name)
        node = self.lower_feature(name)
        if node is None:
            self._ok = False
            return None
        return ir.Feat(name, node.type, node.nullable, e.span)

    def _model(self, e):
        parts = e.parts
        if "models" not in _ALLOWS[self._where]:
            self._err("E208", f"model scores cannot be used in a {self._where}", e.span,
                      "models are computed after features; use them in rules, tables or the decision")
            return None
        outputs, default = self.scope.models[parts[1]]
        output = parts[2] if len(parts) == 3 else default
        if len(parts) > 3 or output not in outputs:
            self._err("E200", f"unknown model output '{e.dotted}'", e.span,
                      did_you_mean(output, outputs) or "outputs: " + ", ".join(outputs))
            return None
        return ir.ModelOut(parts[1], output, outputs[output], e.span)

    def _rules_agg(self, e):
        name = e.parts[1]
        if name not in RULE_AGGS:
            self._err("E200", f"unknown rules aggregate 'rules.{name}'", e.span,
                      did_you_mean(name, RULE_AGGS) or "rules.score, rules.any_fired or rules.count")
            return None
        if "rules" not in _ALLOWS[self._where]:
            self._err("E208", f"'rules.{name}' cannot be used in a {self._where}", e.span,
                      "rules are evaluated in one pass; rules.* is available to tables, the decision and the review block")
            return None
        return ir.RulesAgg(name, RULE_AGGS[name], e.span)

    def _table(self, e):
        parts = e.parts
        if "tables" not in _ALLOWS[self._where]:
            self._err("E208", f"table outputs cannot be used in a {self._where}", e.span)
            return None
        table = self.scope.tables[parts[1]]
        if len(parts) != 3 or parts[2] not in table.outputs:
            out = parts[2] if len(parts) > 2 else ""
            self._err("E200", f"unknown output '{out}' of table '{table.name}'", e.span,
                      did_you_mean(out, table.outputs) or "outputs: " + ", ".join(table.outputs))
            return None
        t = self.table_types.get(table.name, {}).get(parts[2], ANY)
        return ir.TableOut(table.name, parts[2], t, e.span)

    def _decision(self, e):
        name = e.parts[1]
        key = f"decision.{name}"
        if name not in ("score", "outcome"):
            self._err("E200", f"unknown '{key}'", e.span, "decision.score or decision.outcome")
            return None
        if key not in _ALLOWS[self._where]:
            self._err("E208", f"'{key}' cannot be used in a {self._where}", e.span)
            return None
        if name == "score":
            return ir.DecisionRef("score", NUMBER, True, e.span)
        return ir.DecisionRef("outcome", enum_of(self.scope.outcomes), False, e.span)

    def _path(self, e: A.Name):
        t = self.scope.schema
        optional = []
        for i, p in enumerate(e.parts):
            if t.name != "object":
                self._err("E200", f"'{'.'.join(e.parts[:i])}' is a {t}, it has no field '{p}'", e.span)
                return None
            found = t.field(p)
            if found is None:
                prefix = ".".join(e.parts[:i])
                candidates = [f"{prefix}.{n}" if prefix else n for n, _, _ in t.fields]
                if i == 0:
                    candidates += list(self.scope.features) + list(self.scope.lists)
                    candidates += [f"models.{m}" for m in self.scope.models]
                what = "name" if i == 0 else "field"
                self._err("E200", f"unknown {what} '{e.dotted}'", e.span,
                          did_you_mean(e.dotted, candidates) or did_you_mean(".".join(e.parts[: i + 1]), candidates))
                return None
            t, opt = found
            optional.append(opt)
        return ir.Path(tuple(e.parts), t, tuple(optional), e.span)

    # -- operators ------------------------------------------------------------
    def _value(self, e):
        """Lower ``e`` and insist that it is a value (not an object or a list used as a value)."""
        n = self._lower(e)
        if n is not None and n.type.name == "object":
            self._err("E211", f"'{_show(e)}' is an object; compare one of its fields", e.span)
            return None
        return n

    def _lower_Unary(self, e: A.Unary):
        x = self._value(e.operand)
        if x is None:
            return None
        if e.op == "not":
            self._need_bool(x, e.operand)
            return ir.Op("not", (x,), BOOL, False, e.span)
        if not (x.type.is_numeric or x.type == DURATION or x.type.is_decimal):
            self._err("E203", f"cannot negate a {x.type}", e.span)
            return None
        if isinstance(x, ir.Const) and x.value is not None and not x.type.is_decimal:
            return ir.Const(-x.value, x.type, e.span)
        return ir.Op("neg", (x,), x.type, x.nullable, e.span)

    def _need_bool(self, x, src):
        if x.type not in (BOOL, NULL, ANY):
            self._err("E209", f"expected a condition (bool), got {x.type}", src.span,
                      "compare it, e.g. 'x > 0' or 'x is present'")

    def _lower_Binary(self, e: A.Binary):
        a, b = self._value(e.left), self._value(e.right)
        if a is None or b is None:
            return None
        op = e.op
        if op in ("and", "or"):
            self._need_bool(a, e.left)
            self._need_bool(b, e.right)
            return ir.Op(op, (a, b), BOOL, False, e.span)
        if op in ir.COMPARE:
            if not comparable(a.type, b.type):
                self._err("E203", f"cannot compare {a.type} with {b.type}", e.span, _mix_hint(a.type, b.type))
                return None
            if op not in ("==", "!=") and (a.type.name in ("bool", "list") or b.type.name in ("bool", "list")):
                self._err("E203", f"'{op}' does not order {a.type}", e.span)
                return None
            for x, y, src in ((a, b, e.right), (b, a, e.left)):
                if isinstance(x, ir.Const) and x.value is None:
                    self._warn("W403", "comparing with null is always false", src.span,
                               "use 'is missing' or 'is present'")
                if y.type.name == "enum" and isinstance(x, ir.Const) and isinstance(x.value, str) \
                        and x.value not in y.type.values:
                    self._err("E212", f"'{x.value}' is not a value of {y.type}", src.span,
                              did_you_mean(x.value, y.type.values))
            return ir.Op(op, (a, b), BOOL, False, e.span)
        t = _arith_type(op, a.type, b.type)
        if t is None:
            self._err("E203", f"'{op}' is not defined for {a.type} and {b.type}", e.span,
                      "use concat() to join strings" if a.type.is_stringy and op == "+" else _mix_hint(a.type, b.type, op))
            return None
        return ir.Op(op, (a, b), t, a.nullable or b.nullable, e.span)

    def _lower_In(self, e: A.In):
        item = self._value(e.item)
        if isinstance(e.container, A.Name) and len(e.container.parts) == 1 \
                and e.container.parts[0] not in self.scope.lists and e.container.parts[0] not in self.scope.features \
                and not self._schema_has(e.container.parts[0]):
            name = e.container.parts[0]
            self._err("E207", f"unknown list '{name}'", e.container.span, did_you_mean(name, self.scope.lists))
            return None
        cont = self._lower(e.container)
        if item is None or cont is None:
            return None
        if item.type.is_stringy and isinstance(e.container, A.Name) and len(e.container.parts) == 1:
            as_text = self.scope.lists.get(e.container.parts[0], (None, None, None))[2]
            if as_text is not None:  # a file of digit-only lines matched against text
                cont = ir.Const(as_text, list_of(STRING), e.container.span)
        if cont.type.name != "list":
            self._err("E203", f"'in' needs a list on the right, got {cont.type}", e.container.span)
            return None
        if cont.type.item is not None and not comparable(item.type, cont.type.item):
            self._err("E203", f"cannot look for a {item.type} in a list of {cont.type.item}", e.span)
            return None
        if item.type.name == "enum" and isinstance(cont, ir.Const):
            for v in cont.value:
                if isinstance(v, str) and v not in item.type.values:
                    self._err("E212", f"'{v}' is not a value of {item.type}", e.container.span,
                              did_you_mean(v, item.type.values))
        list_name = e.container.parts[0] if isinstance(e.container, A.Name) and len(e.container.parts) == 1 else None
        if isinstance(cont, ir.Const) and isinstance(cont.value, tuple):
            cont = ir.Const(frozenset(cont.value), cont.type, cont.span)  # looked up, not walked
        return ir.Member(item, cont, e.negated, e.span, list_name=list_name)

    def _lower_Between(self, e: A.Between):
        v, lo, hi = self._value(e.value), self._value(e.low), self._value(e.high)
        if v is None or lo is None or hi is None:
            return None
        for b, src in ((lo, e.low), (hi, e.high)):
            if not comparable(v.type, b.type) or v.type.name in ("bool", "list"):
                self._err("E203", f"cannot compare {v.type} with {b.type}", src.span)
                return None
        if isinstance(lo, ir.Const) and isinstance(hi, ir.Const) and lo.value is not None \
                and hi.value is not None and lo.value > hi.value:
            self._warn("W400", "the lower bound is above the upper bound: this is always false", e.span)
        return ir.Between(v, lo, hi, e.span)

    def _lower_IsMissing(self, e: A.IsMissing):
        v = self._lower(e.value)
        if v is None:
            return None
        return ir.Missing(v, e.negated, e.span)

    def _lower_IfElse(self, e: A.IfElse):
        c, a, b = self._value(e.cond), self._value(e.then), self._value(e.other)
        if c is None or a is None or b is None:
            return None
        self._need_bool(c, e.cond)
        t = unify(a.type, b.type)
        if t == ANY and ANY not in (a.type, b.type):
            self._err("E203", f"the branches have different types: {a.type} and {b.type}", e.span)
            return None
        return ir.If(c, a, b, t, a.nullable or b.nullable, e.span)

    def _lower_Call(self, e: A.Call):
        fspan = e.func_span or e.span
        if e.func.startswith("_"):
            self._err("E206", f"names may not start with '_': '{e.func}'", fspan)
            return None
        fn = functions.get(e.func)
        if fn is None:
            self._err("E201", f"unknown function '{e.func}'", fspan,
                      did_you_mean(e.func, functions.all_builtins()) or "riskrules functions lists them")
            return None
        n_params = len(fn.params)
        n_args = len(e.args)
        least = n_params if fn.min_args is None else fn.min_args
        if (not fn.variadic and not least <= n_args <= n_params) or (fn.variadic and n_args < n_params):
            want = f"at least {n_params}" if fn.variadic else str(n_params) if least == n_params \
                else f"{least} to {n_params}"
            self._err("E202", f"{e.func}() takes {want} argument{'s' if want != '1' else ''}, got {n_args}", e.span,
                      fn.signature())
            return None
        args = [self._value(a) for a in e.args]
        if any(a is None for a in args):
            return None
        literals = {}
        for i, (a, src) in enumerate(zip(args, e.args)):
            want = fn.params[min(i, n_params - 1)]
            if not assignable(a.type, want):
                self._err("E203", f"argument {i + 1} of {e.func}() must be {want}, got {a.type}", src.span,
                          fn.signature())
                return None
            if i in fn.literal_params:
                if not isinstance(a, ir.Const):
                    self._err("E204", f"argument {i + 1} of {e.func}() must be a literal", src.span)
                    return None
                literals[i] = a.value
        if fn.validate is not None and literals:
            problem = fn.validate(literals)
            if problem:
                self._err("E205", f"{e.func}(): {problem}", e.span)
                return None
        try:
            rtype = fn.result_type([a.type for a in args], literals)
        except (TypeError, ValueError) as exc:
            self._err("E203", f"{e.func}(): {exc}", e.span, fn.signature())
            return None
        if e.func == "coalesce":
            return ir.Coalesce(tuple(args), rtype, all(a.nullable for a in args), e.span)
        if fn.context == "now" and not args:
            return ir.Call(e.func, (), rtype, False, e.span)
        return ir.Call(e.func, tuple(args), rtype, True, e.span)

    def _lower_Range(self, e: A.Range):
        if self._cell is None:
            self._err("E203", "a range is only allowed in decision-table cells", e.span)
            return None
        v = self._cell
        parts = []
        for bound, closed, lo in ((e.low, e.low_closed, True), (e.high, e.high_closed, False)):
            if bound is None:
                continue
            b = self._value(bound)
            if b is None:
                return None
            if not comparable(v.type, b.type):
                self._err("E203", f"cannot compare {v.type} with {b.type}", bound.span)
                return None
            op = (">=" if closed else ">") if lo else ("<=" if closed else "<")
            parts.append(ir.Op(op, (v, b), BOOL, False, e.span))
        if not parts:
            return ir.Const(True, BOOL, e.span)
        return parts[0] if len(parts) == 1 else ir.Op("and", tuple(parts), BOOL, False, e.span)


class _Abort(Exception):
    pass


def _show(e) -> str:
    return e.dotted if isinstance(e, A.Name) else type(e).__name__


def _mix_hint(a: Type, b: Type, op: str = "") -> str | None:
    """What to write instead of mixing exact money with a binary number (or dividing it)."""
    if not (a.is_decimal or b.is_decimal):
        return None
    if {a.name, b.name} <= {"decimal", "int"}:
        if op in ("/", "%"):
            return "decimal division rounds: say how, e.g. div(a, b, 2, \"half_up\")"
        return f"the result would have more than {MAX_PRECISION} digits after the point; round() an operand first"
    if "number" in (a.name, b.name):
        return "decimal and number do not mix: convert one explicitly, decimal(x, 2) or number(x)"
    return None


def _arith_type(op: str, a: Type, b: Type) -> Type | None:
    if a.name in ("null", "any"):
        a = b
    if b.name in ("null", "any"):
        b = a
    if a.is_decimal or b.is_decimal:  # exact: scales add under *, the larger one under + and -
        if {a.name, b.name} <= {"decimal", "int"} and op in ("+", "-", "*"):
            sa, sb = (a.scale if a.is_decimal else 0), (b.scale if b.is_decimal else 0)
            scale = sa + sb if op == "*" else max(sa, sb)
            return decimal_of(scale) if scale <= MAX_PRECISION else None
        return None
    if a.is_numeric and b.is_numeric:
        if op == "/":
            return NUMBER
        return INT if a == INT and b == INT else NUMBER
    names = (a.name, b.name)
    table = {
        ("-", "datetime", "datetime"): DURATION,
        ("-", "date", "date"): DURATION,
        ("+", "datetime", "duration"): DATETIME,
        ("-", "datetime", "duration"): DATETIME,
        ("+", "duration", "datetime"): DATETIME,
        ("+", "date", "duration"): DATE,
        ("-", "date", "duration"): DATE,
        ("+", "duration", "duration"): DURATION,
        ("-", "duration", "duration"): DURATION,
        ("/", "duration", "duration"): NUMBER,
    }
    if (op, *names) in table:
        return table[(op, *names)]
    if op in ("*",) and (names == ("duration", "int") or names == ("duration", "number")
                         or names == ("int", "duration") or names == ("number", "duration")):
        return DURATION
    if op == "/" and a == DURATION and b.is_numeric:
        return DURATION
    return None
