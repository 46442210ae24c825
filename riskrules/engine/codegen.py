"""The checked program -> one readable Python function, compiled once per digest.

Generated code reaches data only through locals bound from the validated
input, escaped literals (``repr`` of str/int/float) and constants handed in
through the function's globals (``K*`` for sets, dates and durations, ``F_*``
for builtins, ``M_*`` for models). Rule text never becomes Python identifiers
or attribute access, so it cannot run arbitrary code.

Semantics match ``interpret.py`` exactly (the conformance suite checks it):
missing values make comparisons false and arithmetic missing; features,
shared sub-expressions and models are computed lazily, at most once, when
first needed (``x if x is not U else (x := ...)``); each rule, table, the
score and the review condition run in their own ``try`` so one fault never
escapes.
"""
from __future__ import annotations

import functools
import linecache
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from . import functions, ir
from .functions import money
from .program import Evaluation, Fault, Program
from .validate import build_prelude

U = object()  # "not computed yet" marker for lazy locals

_PRIMITIVE = (bool, int, float, str, type(None))


@dataclass
class Compiled:
    source: str
    fn: object  # decide(data, now) -> Evaluation; raises InputError
    line_map: dict[int, str] = field(default_factory=dict)  # generated line -> "rule KYC-001 (file:line)"


class _Gen(ir.Visitor):
    prefix = "x_"

    def __init__(self, prog: Program, strict: bool = False):
        self.p = prog
        self.strict = strict
        self.lines: list[str] = []
        self.line_map: dict[int, str] = {}
        self.consts: dict[str, object] = {}
        self._const_ids: dict = {}
        self.tmp = 0
        self.locals: dict[int, str] = {}  # id(node) -> lazy local name (features, shared nodes)
        self.cell_var: str | None = None
        self.top_names: dict[str, str] = {}

    # -- naming -----------------------------------------------------------------
    def t(self) -> str:
        self.tmp += 1
        return f"_t{self.tmp}"

    def const(self, value) -> str:
        if type(value) in _PRIMITIVE and not (isinstance(value, float) and value != value):
            return repr(value)
        # repr keeps 1.0d and 1.00d (equal, and equal hashes) apart
        key = (type(value).__name__, value if not isinstance(value, (float, Decimal)) else repr(value))
        name = self._const_ids.get(key)
        if name is None:
            name = f"K{len(self._const_ids)}"
            self._const_ids[key] = name
            self.consts[name] = value
        return name

    def emit(self, line: str, where: str | None = None) -> None:
        self.lines.append(line)
        if where:
            self.line_map[len(self.lines)] = where

    # -- expressions ------------------------------------------------------------
    def x(self, n) -> str:
        local = self.locals.get(id(n))
        if local is not None:
            return local
        return self.visit(n)

    def x_Const(self, n):
        return self.const(n.value)

    def x_Path(self, n):
        steps = n.steps
        if steps in self.inline_objects:
            return self.object_value(steps)
        k = len(steps)  # the deepest step with a local of its own (every one, unless in a list)
        while k > 1 and steps[:k] not in self.field_names:
            k -= 1
        code = self.local_of(steps[:k])
        for i, step in enumerate(steps[k:], start=k):
            if n.optional[i - 1]:
                t = self.t()
                code = f"(None if ({t} := {code}) is None else {t}[{step!r}])"
            else:
                code = f"{code}[{step!r}]"
        return code

    def local_of(self, path: tuple) -> str:
        return self.top_names[path[0]] if len(path) == 1 else self.field_names[path]

    def object_value(self, at: tuple) -> str:
        """An object checked inline, read whole: its normalised dict rebuilt from the fields' locals."""
        items = ", ".join(f"{f!r}: {self.object_value(at + (f,)) if at + (f,) in self.inline_objects else self.field_names[at + (f,)]}"
                          for f in self.inline_objects[at])
        return f"(None if {self.local_of(at)} is None else {{{items}}})"

    def name_fields(self, t, at: tuple) -> None:
        """A local for every field of the nested objects under ``at``, for the inline input checks."""
        for fname, ft, _ in t.fields:
            if ft.name == "object" and ft.fields:
                self.inline_objects[at + (fname,)] = [f for f, _, _ in ft.fields]
                for f, _, _ in ft.fields:
                    self.field_names[at + (fname, f)] = _ident("in", len(self.top_names) + len(self.field_names), f)
                self.name_fields(ft, at + (fname,))

    def x_Feat(self, n):
        return self.lazy_name(("f", n.name))

    def x_ModelOut(self, n):
        m = self.lazy_name(("m", n.model))
        return f"{m}.{n.output}"

    def x_RulesAgg(self, n):
        return f"r_{n.name}"

    def x_TableOut(self, n):
        return self.table_local(n.table, n.output)

    def x_DecisionRef(self, n):
        return f"d_{n.name}"

    def x_Now(self, n):
        return "now"

    def x_Cell(self, n):
        assert self.cell_var is not None
        return self.cell_var

    def guard(self, parts: list[tuple[str, bool]]) -> tuple[list[str], list[str]]:
        """Bind nullable operands to temps; return (value codes, 'is not None' checks)."""
        vals, checks = [], []
        for code, nullable in parts:
            if nullable:
                t = self.t()
                checks.append(f"({t} := {code}) is not None")
                vals.append(t)
            else:
                vals.append(code)
        return vals, checks

    def x_Op(self, n):
        op = n.op
        if op in ("and", "or"):
            parts = [self.boolish(a) for a in n.args]
            return "(" + f" {op} ".join(parts) + ")"
        if op == "not":
            return f"(not {self.boolish(n.args[0])})"
        if n.type.is_decimal:  # exact money: one helper per operator, the result at the checked scale
            return self.decimal_op(n)
        if op == "neg":
            a = n.args[0]
            if not a.nullable:
                return f"(-{self.x(a)})"
            t = self.t()
            return f"(None if ({t} := {self.x(a)}) is None else -{t})"
        a, b = n.args
        vals, checks = self.guard([(self.x(a), a.nullable), (self.x(b), b.nullable)])
        expr = f"{vals[0]} {op} {vals[1]}"
        if op in ir.COMPARE:
            return "(" + " and ".join(checks + [expr]) + ")"
        if not checks:
            return f"({expr})"
        return f"({expr} if {' and '.join(checks)} else None)"

    def decimal_op(self, n) -> str:
        name = f"D_{money.OPS[n.op].__name__}"
        self.consts[name] = money.OPS[n.op]
        vals, checks = self.guard([(self.x(a), a.nullable) for a in n.args])
        call = f"{name}({', '.join(vals)}, {n.type.scale})"
        return f"({call} if {' and '.join(checks)} else None)" if checks else call

    def fitted(self, code: str, node, t) -> str:
        """``code`` brought to the scale of the decimal type ``t`` (an int or a narrower decimal branch)."""
        t = t.item if t.name == "list" and t.item is not None else t  # a collect table's values
        if not t.is_decimal or node.type == t:
            return code
        self.consts["D_fit"] = money.fit
        return f"D_fit({code}, {t.scale})"

    def boolish(self, n) -> str:
        code = self.x(n)
        return f"({code} is True)" if n.nullable else code

    def x_Member(self, n):
        item, cont = n.item, n.container
        vals, checks = self.guard([(self.x(item), item.nullable), (self.x(cont), cont.nullable)])
        rel = "not in" if n.negated else "in"
        return "(" + " and ".join(checks + [f"{vals[0]} {rel} {vals[1]}"]) + ")"

    def x_Between(self, n):
        vals, checks = self.guard([(self.x(k), k.nullable) for k in (n.value, n.low, n.high)])
        return "(" + " and ".join(checks + [f"{vals[1]} <= {vals[0]} <= {vals[2]}"]) + ")"

    def x_Missing(self, n):
        v = n.value
        # an object checked inline: its own local is None exactly when it is missing
        code = self.local_of(v.steps) if isinstance(v, ir.Path) and v.steps in self.inline_objects else self.x(v)
        return f"({code} is {'not ' if n.negated else ''}None)"

    def x_If(self, n):
        then, other = self.fitted(self.x(n.then), n.then, n.type), self.fitted(self.x(n.other), n.other, n.type)
        return f"({then} if {self.boolish(n.cond)} else {other})"

    def x_Coalesce(self, n):
        code = self.x(n.args[-1])
        for a in reversed(n.args[:-1]):
            if not a.nullable:
                code = self.x(a)
                continue
            t = self.t()
            code = f"({t} if ({t} := {self.x(a)}) is not None else {code})"
        if n.type.is_decimal:  # a present argument of a narrower scale, or an int
            self.consts["D_fit"] = money.fit
            code = f"D_fit({code}, {n.type.scale})"
        return code

    def x_Call(self, n):
        if n.type.is_decimal:  # min(), max(), abs() give an argument as it is: bring it to the call's scale
            self.consts["D_fit"] = money.fit
            return f"D_fit({self.x_call(n)}, {n.type.scale})"
        return self.x_call(n)

    def x_call(self, n):
        fn = functions.get(n.func)
        fname = f"F_{n.func}"
        self.consts[fname] = fn.impl
        if n.func in ("now",) and not n.args:
            return "now"
        head = ["now"] if fn.context == "now" else []
        if fn.null_safe:
            return f"{fname}({', '.join(head + [self.x(a) for a in n.args])})"
        vals, checks = self.guard([(self.x(a), a.nullable) for a in n.args])
        call = f"{fname}({', '.join(head + vals)})"
        if not checks:
            return call
        return f"({call} if {' and '.join(checks)} else None)"

    # -- lazy locals --------------------------------------------------------------
    def lazy_name(self, key) -> str:
        local = self.lazies[key]
        return f"({local} if {local} is not U else ({local} := {self.lazy_source(key)}))"

    def lazy_source(self, key) -> str:
        """The code computing a feature or model, generated on first need (features form a DAG)."""
        code = self.lazy_expr.get(key)
        if code is None:
            kind, name = key
            if kind == "f":
                code = self.x(self.p.features[name])
            else:
                m = self.p.models[name]
                fn = f"M{list(self.p.models).index(name)}"
                self.consts[fn] = m.model
                args = ", ".join(self.x(a) for a in m.inputs)
                code = f"{fn}(({args}{',' if len(m.inputs) == 1 else ''}))"
            self.lazy_expr[key] = code
        return code

    def table_local(self, table: str, output: str) -> str:
        return self.table_names[(table, output)]

    # -- program --------------------------------------------------------------------
    def build(self) -> str:
        p = self.p
        self.lazies: dict = {}
        self.lazy_expr: dict = {}
        self.table_names = {}
        for i, name in enumerate(p.schema.fields):
            self.top_names[name[0]] = _ident("in", i, name[0])
        self.field_names: dict[tuple, str] = {}  # path in a nested object -> local
        self.inline_objects: dict[tuple, list[str]] = {}  # path of a nested object -> its field names
        self.name_fields(p.schema, ())
        for i, (t, tab) in enumerate(p.tables.items()):
            for j, out in enumerate(tab.outputs):
                self.table_names[(t, out)] = _ident(f"t{i}_", j, out)
        # lazy features and models; their expressions refer to each other lazily too
        for i, name in enumerate(p.features):
            self.lazies[("f", name)] = _ident("f", i, name)
        for i, name in enumerate(p.models):
            self.lazies[("m", name)] = _ident("m", i, name)
        self._share_common_nodes()
        for key in list(self.lazies):
            self.lazy_source(key)

        e = self.emit
        e(f"def {FUNCTION}(inp, now):")
        e(f"    {_comment(f'{p.name} {p.version} ({p.policy}), generated by riskrules from {p.source}')!r}")
        # the input checks, straight into one local per field (see validate.build_prelude)
        prelude, self.prelude_env = build_prelude(p.schema, {**self.top_names, **self.field_names}, strict=self.strict)
        e("    # --- the input: every field checked against the schema; one InputError names each bad one")
        for line in prelude:
            e("    " + line)
        lazy_locals = list(self.lazies.values()) + list(self.shared_names)
        for chunk in range(0, len(lazy_locals), 8):
            e("    " + " = ".join(lazy_locals[chunk:chunk + 8]) + " = U")
        e("    fired = []; shadow = []; errors = []")
        used = p.uses()
        first_match = p.policy == "first_match"
        if first_match:
            e("    matched = False")
        for r in p.rules:
            self.rule_block(r, "fired", first_match)
        if "rules.score" in used:
            e("    r_score = sum([POINTS[i] for i in fired])")
        if "rules.any_fired" in used:
            e("    r_any_fired = len(fired) > 0")
        if "rules.count" in used:
            e("    r_count = len(fired)")
        e("    tables = {}")
        if "decision.score" in used and p.tables:
            # tables may read the blended score: compute it before them
            self.score_block()
            for name, tab in p.tables.items():
                self.table_block(name, tab)
        else:
            for name, tab in p.tables.items():
                self.table_block(name, tab)
            self.score_block()
        e("    models = {" + ", ".join(f"{name!r}: {self.lazies[('m', name)]}" for name in p.models) + "}")
        e("    d_outcome, reasons = RESOLVE(fired, errors, d_score, models)")
        if p.shadow:
            # after the outcome and its reasons: a model only a shadow rule needs adds no reason
            e("    # --- shadow rules: evaluated and reported, never change the outcome or its reasons")
        for r in p.shadow:
            self.rule_block(r, "shadow", False)
        if p.unexplained is not None:
            e("    # review: what the rules cannot explain goes to a person", "review.unexplained")
            e("    try:")
            e(f"        unexplained = {self.boolish(p.unexplained)}", "review.unexplained")
            e("    except Exception as exc:")
            e("        errors.append(FAULT('review', exc)); unexplained = True")
        else:
            e("    unexplained = None")
        e("    # the Evaluation (engine/program.py), made by tuple.__new__: no constructor call per decision")
        e("    return NEW(EVALUATION, (fired, shadow, errors, tables, d_score, d_outcome, reasons, unexplained, models))")
        return "\n".join(self.lines) + "\n"

    def rule_block(self, r, target: str, first_match: bool) -> None:
        e = self.emit
        where = f"rule {r.id} ({r.span.file}:{r.span.line})"
        title = f"{r.id} — {r.name}" if r.name else r.id
        e("    # " + _comment(f"{title}  [{r.action or 'points'}{', ' + r.status if r.status != 'active' else ''}]"))
        ind = "    "
        if first_match:
            e("    if not matched:")
            ind = "        "
        e(f"{ind}try:", where)
        e(f"{ind}    if {self.x(r.cond)}:", where)
        e(f"{ind}        {target}.append({r.index})", where)
        if first_match and r.action is not None:
            e(f"{ind}        matched = True")
        e(f"{ind}except Exception as exc:")
        e(f"{ind}    errors.append(FAULT({r.index}, exc))")

    def score_block(self) -> None:
        e = self.emit
        if self.p.score is None:
            e("    d_score = None")
            return
        e("    # decision score", "decision.score")
        e("    try:")
        e(f"        d_score = {self.x(self.p.score)}", "decision.score")
        e("    except Exception as exc:")
        e("        errors.append(FAULT('score', exc)); d_score = None")

    def table_block(self, name: str, tab) -> None:
        e = self.emit
        where = f"table {name} ({tab.span.file}:{tab.span.line})"
        outs = [self.table_names[(name, o)] for o in tab.outputs]
        n_out = len(outs)
        e("    # " + _comment(f"table {name} (hit policy {tab.hit}{', ' + tab.aggregate if tab.aggregate else ''})"))
        e("    try:", where)
        ins = []
        for k, node in enumerate(tab.inputs):
            v = f"ti{k}"
            e(f"        {v} = {self.x(node)}", where)
            ins.append(v)

        def cond(row):
            parts = []
            for k, c in enumerate(row.cells):
                if isinstance(c, ir.Const) and c.value is True:
                    continue
                self.cell_var = ins[k]
                parts.append(self.x(c))
            self.cell_var = None
            return " and ".join(parts) or "True"

        def values(exprs):
            return "(" + "".join(self.fitted(self.x(o), o, t) + ", " for o, t in zip(exprs, tab.output_types)) + ")"

        default = values(tab.default) if tab.default is not None else "(" + "None, " * n_out + ")"
        if tab.hit == "first":
            for i, row in enumerate(tab.rows):
                e(f"        {'if' if i == 0 else 'elif'} {cond(row)}:", where)
                e(f"            out = {values(row.outputs)}", where)
            if tab.rows:
                e("        else:")
                e(f"            out = {default}", where)
            else:
                e(f"        out = {default}", where)
        else:
            e("        hits = []")
            for i, row in enumerate(tab.rows):
                e(f"        if {cond(row)}:", where)
                e(f"            hits.append(({row.priority}, {i}, {values(row.outputs)}))", where)
            e(f"        out = TABLE_HITS[{name!r}][0](hits) if hits else TABLE_HITS[{name!r}][1]({default})", where)
        e("    except Exception as exc:")
        e(f"        errors.append(FAULT({'table:' + name!r}, exc)); out = ({'None, ' * n_out})")
        e(f"    {', '.join(outs)}{',' if n_out == 1 else ''} = out")
        e(f"    tables[{name!r}] = {{" + ", ".join(f"{o!r}: {v}" for o, v in zip(tab.outputs, outs)) + "}")

    def _share_common_nodes(self) -> None:
        """Give nodes used in several places one lazy local (common sub-expression sharing)."""
        p = self.p
        roots = [r.cond for r in p.all_rules] + list(p.features.values())
        roots += [a for m in p.models.values() for a in m.inputs]
        roots += [x for x in (p.score, p.unexplained) if x is not None]
        counts: Counter = Counter()
        nodes = {}

        def count(n):
            counts[id(n)] += 1
            nodes[id(n)] = n
            if counts[id(n)] == 1:
                for k in ir.children(n):
                    count(k)

        for r in roots:
            count(r)
        self.shared_names = []
        for key, c in reversed(list(counts.items())):  # children before parents
            n = nodes[key]
            if c < 2 or isinstance(n, (ir.Const, ir.Path, ir.Feat, ir.ModelOut, ir.RulesAgg, ir.TableOut,
                                        ir.DecisionRef, ir.Now, ir.Cell)):
                continue
            if ir.cost(n) < 4 or any(isinstance(k, ir.Cell) for k in ir.walk(n)):
                continue
            name = f"s{len(self.shared_names)}"
            self.shared_names.append(name)
            code = self.visit(n)
            self.locals[key] = f"({name} if {name} is not U else ({name} := {code}))"


FUNCTION = "decide_ruleset"


def _ident(prefix: str, i: int, name: str) -> str:
    """A local name for the i-th item of a kind: unique by its index, readable by its name.

    User names never become identifiers on their own (``in0_applicant``, ``f3_dti``), so
    no field, feature or output name can collide with another or with generated names.
    """
    tail = name if name.isascii() and name.isidentifier() else ""
    return f"{prefix}{i}_{tail}" if tail else f"{prefix}{i}"


def _comment(text: str) -> str:
    """Text safe inside a one-line ``#`` comment (no line breaks, controls or NULs)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def generate(prog: Program, strict: bool = False) -> tuple[str, dict, dict]:
    """(source, globals needed, generated line -> where)."""
    g = _Gen(prog, strict)
    src = g.build()
    # the validator's helpers keep their own globals; only their names come across, never __builtins__
    env = {k: v for k, v in g.prelude_env.items() if k != "__builtins__"}
    return src, {**env, **g.consts}, g.line_map


@functools.lru_cache(maxsize=32)
def _compile_source(src: str, filename: str):
    """Bytecode of generated source; a reload of an unchanged ruleset (same digest) reuses it."""
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    return compile(src, filename, "exec")


def compile_program(prog: Program, resolve, table_hits, *, strict: bool = False) -> Compiled:
    """``Compiled.fn(data, now)`` checks ``data`` against the schema (raising InputError) and decides."""
    src, consts, line_map = generate(prog, strict)
    # strict input checks make other source from the same digest: a name of its own, or the
    # two would share one linecache entry and tracebacks would quote the wrong lines
    code = _compile_source(src, f"<riskrules {prog.name} {prog.digest}{' strict' if strict else ''}>")
    # type, isinstance and the scalar types are for the input checks (validate.build_prelude)
    env = {"__builtins__": {"len": len, "sum": sum, "type": type, "isinstance": isinstance, "int": int,
                            "float": float, "str": str, "bool": bool, "Exception": Exception}, "U": U,
           "RESOLVE": resolve, "TABLE_HITS": table_hits, "NEW": tuple.__new__, "EVALUATION": Evaluation, "FAULT": Fault,
           "POINTS": [r.score for r in prog.all_rules]}
    env.update(consts)
    exec(code, env)  # noqa: S102 - our own generated source, see module docstring
    fn = env[FUNCTION]
    return Compiled(src, fn, line_map)
