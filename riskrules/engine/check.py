"""The checker: a parsed ruleset -> a :class:`Program`, or every problem at once.

Every name resolves, every operator and call type-checks; duplicate ids,
unknown lists, cycles among features and tables, rules that can never fire,
rules shadowed under first-match, and decision-table gaps and overlaps are
reported as positioned diagnostics (see ``analysis.py`` for the last three).
"""
from __future__ import annotations

import dataclasses
import hashlib

from ..dsl import ast as A
from ..dsl.diagnostics import Diagnostic, RulesetError, did_you_mean, error, warning
from ..dsl.fmt_expr import format_expr
from . import ir, providers
from .irtext import show
from .program import ModelIR, Program, RowIR, RuleIR, TableIR
from .resolve import DECISION, MODEL_INPUT, REVIEW, RULE, TABLE, Resolver, Scope
from .types import ANY, BOOL, NULL, SCALARS, STRING, Type, decimal_of, enum_of, list_of, object_of, unify


def schema_type(schema: A.Schema) -> Type:
    return object_of((f.name, _type(f.type), f.optional) for f in schema.fields)


def _type(t: A.TypeRef) -> Type:
    if t.name == "enum":
        return enum_of(t.values)
    if t.name == "list":
        return list_of(_type(t.item) if t.item else ANY)
    if t.name == "object":
        return object_of((f.name, _type(f.type), f.optional) for f in t.fields)
    if t.name == "decimal" and t.scale is not None:
        return decimal_of(t.scale)
    return SCALARS.get(t.name, ANY)


def check(rs: A.Ruleset) -> tuple[Program | None, list[Diagnostic]]:
    """Check ``rs``; return the program (None when there are errors) and all diagnostics, sorted.

    The program is what every compiler stage made of ``rs`` (engine/passes: lower, fold,
    order, analyse); its ``diagnostics`` are the warnings they found. No file is opened
    here: lists and models are bound from the bytes the loader read (``rs.extra["files"]``,
    see :mod:`riskrules.dsl.loader`), and the digest covers those bytes.
    """
    from .passes import Context, run_stages

    try:
        prog, _ = run_stages(rs, Context())
    except RulesetError as exc:
        return None, exc.diagnostics
    return prog, sorted(prog.diagnostics, key=Diagnostic.sort_key)


def lower(rs: A.Ruleset, ctx) -> Program:
    """The first compiler stage: resolve every name, type-check, lower to one interned IR DAG.

    Raises :class:`RulesetError` with every diagnostic when there are errors; warnings
    travel on the program (``Program.diagnostics``).
    """
    diags: list[Diagnostic] = []
    outcomes = _outcomes(rs, diags)
    lists = _lists(rs, diags)
    _duplicates(rs, diags)
    scope = Scope(
        schema=schema_type(rs.schema),
        lists=lists,
        features={f.name: f for f in rs.features},
        models={m.name: _model_outputs(m) for m in rs.models},
        tables={t.name: t for t in rs.tables},
        outcomes=tuple(outcomes),
    )
    res = Resolver(scope, ir.Interner())
    for f in rs.features:
        res.lower_feature(f.name)
    features = {name: res.feature_ir[name] for name in _feature_order(res, rs)}

    models = _models(rs, res, diags)
    rules, shadow = _rules(rs, res, outcomes, diags)
    tables = _tables(rs, res, diags)

    score = res.lower(rs.decision.score, DECISION) if rs.decision and rs.decision.score else None
    if score is not None and not score.type.is_numeric:
        diags.append(error("E203", f"the decision score must be a number, got {score.type}", rs.decision.score.span))
    _decision(rs, outcomes, diags)
    decision_time = _decision_time(rs, scope.schema, diags)
    unexplained = None
    if rs.review and rs.review.unexplained is not None:
        unexplained = res.lower(rs.review.unexplained, REVIEW)
        if unexplained is not None and unexplained.type not in (BOOL, NULL):
            diags.append(error("E209", f"review.unexplained must be a condition, got {unexplained.type}",
                               rs.review.unexplained.span))
    if rs.review:
        _review_fields(rs.review, res, diags)
    diags.extend(res.diags)
    if rs.on_error not in outcomes:
        diags.append(error("E210", f"unknown on_error outcome '{rs.on_error}'", rs.span, did_you_mean(rs.on_error, outcomes)))

    if any(d.is_error for d in diags):
        raise RulesetError(diags, rs.extra.get("sources"))
    dec = rs.decision or A.DecisionBlock("worst", rs.span)
    return Program(
        name=rs.name, version=rs.version, digest=digest(rs), policy=dec.policy,
        default_outcome=dec.default, on_error=rs.on_error, outcomes=outcomes, schema=scope.schema,
        features=features, models=models, rules=tuple(rules), shadow=tuple(shadow), tables=tables, score=score,
        bands=dec.bands, unexplained=unexplained, ast=rs, source=rs.source, review=rs.review,
        diagnostics=tuple(diags), decision_time=decision_time,
    )


def _review_fields(review: A.ReviewBlock, res: Resolver, diags) -> None:
    """``review.amount`` and ``review.id`` name input fields (the review loop reads them
    from logged inputs, not through the engine): a path of the schema, a number for amount."""
    for key, numeric in (("amount", True), ("id", False)):
        expr = getattr(review, key)
        if expr is None:
            continue
        node = res.lower(expr, REVIEW)
        if node is None:
            continue  # the resolver said why (unknown field, with "did you mean")
        if not isinstance(node, ir.Path):
            diags.append(error("E214", f"review.{key} must name an input field (a path of the schema), "
                                       "not an expression", expr.span))
        elif numeric and not node.type.is_numeric:
            diags.append(error("E214", f"review.{key} must be a number field, got {node.type}", expr.span))
        elif not numeric and node.type.name not in ("string", "int", "enum"):
            diags.append(error("E214", f"review.{key} must be a text or number field, got {node.type}", expr.span))


def _outcomes(rs: A.Ruleset, diags) -> dict[str, tuple[int, bool]]:
    out = {"approve": (0, False), "review": (50, False), "decline": (100, True)}
    for o in rs.outcomes:
        if o.name in out:
            diags.append(error("E300", f"outcome '{o.name}' is already defined", o.span))
        out[o.name] = (o.severity, o.adverse)
    return out


def _lists(rs: A.Ruleset, diags) -> dict:
    """name -> (item type, values, the same values as text or None): see ``providers.bind_list``."""
    lists = {}
    for ld in rs.lists:
        bound, problems = providers.bind_list(ld)
        diags.extend(problems)
        lists[ld.name] = bound.scope_entry()
    return lists


def _duplicates(rs: A.Ruleset, diags) -> None:
    def dup(kind, items, name_of, span_of):
        seen: dict[str, A.Span] = {}
        for it in items:
            n = name_of(it)
            if n in seen:
                first = seen[n]
                diags.append(error("E300", f"duplicate {kind} '{n}' (first defined at line {first.line})", span_of(it)))
            else:
                seen[n] = span_of(it)

    dup("rule id", rs.rules, lambda r: r.id, lambda r: r.id_span or r.span)
    dup("feature", rs.features, lambda f: f.name, lambda f: f.span)
    dup("list", rs.lists, lambda x: x.name, lambda x: x.span)
    dup("model", rs.models, lambda m: m.name, lambda m: m.span)
    dup("table", rs.tables, lambda t: t.name, lambda t: t.span)
    labelled = [("rule id", r.id, r.id_span or r.span) for r in rs.rules]
    labelled += [("rule name", r.name, r.span) for r in rs.rules]
    labelled += [("reason", r.reason or "", r.span) for r in rs.rules]
    labelled += [("outcome", o.name, o.span) for o in rs.outcomes]
    labelled += [("table", t.name, t.span) for t in rs.tables]
    labelled += [("table output", o, t.span) for t in rs.tables for o in t.outputs]
    labelled += [("ruleset name", rs.name, rs.span), ("version", rs.version, rs.span)]
    for kind, text, span in labelled:
        if any(not ch.isprintable() for ch in text):
            diags.append(error("E213", f"{kind} {text!r} contains a line break or control character", span,
                               "names and codes are one line of printable text"))
    names = {f.name for f in rs.features}
    for ld in rs.lists:
        if ld.name in names:
            diags.append(error("E300", f"'{ld.name}' is both a list and a feature", ld.span))


def _feature_order(res: Resolver, rs: A.Ruleset) -> list[str]:
    order: list[str] = []
    done: set[str] = set()

    def visit(n, stack=()):
        if n in done or n in stack:
            return
        for d in sorted(res.feature_deps.get(n, ())):
            visit(d, stack + (n,))
        done.add(n)
        if res.feature_ir.get(n) is not None:
            order.append(n)

    for f in rs.features:
        visit(f.name)
    return order


def _model_outputs(m: A.ModelRef) -> tuple[dict[str, Type], str]:
    """What rules may read of model ``m`` (an unknown kind: the usual outputs; _models reports it)."""
    kind = providers.model_kind(m.kind) or providers.ModelProvider
    return kind.outputs, kind.default_output


def _models(rs: A.Ruleset, res: Resolver, diags) -> dict[str, ModelIR]:
    from ..dsl.resources import resolve as resolve_path  # dsl.limits loads lark: not at import riskrules

    out = {}
    files = rs.extra.get("files")
    for m in rs.models:
        kind = providers.model_kind(m.kind)
        if kind is None:
            diags.append(error("E302", f"model '{m.name}': unknown model type '{m.kind}'", m.span,
                               did_you_mean(m.kind, providers.model_kinds())
                               or "types: " + ", ".join(providers.model_kinds())))
            continue
        if kind.runs_code:
            diags.append(warning("W407", f"model '{m.name}' ({m.kind}): loading it runs code from {m.path}",
                                 m.span, "only use model files your team produced"))
        path = resolve_path(rs.source, m.path)
        data = files.get(path) if files is not None else None
        if data is None:
            found = files.failed.get(path) if files is not None else None
            diags.extend(found or [error("E302", f"model '{m.name}': its file '{m.path}' was not loaded", m.span,
                                         "load rulesets with riskrules.dsl.loader, which reads every file they name")])
            continue
        try:
            model = kind.bind(m, data)
        except providers.ProviderError as exc:
            diags.append(error("E302", f"model '{m.name}': {exc}", m.span))
            continue
        declared = {i.name: i for i in m.inputs}
        missing = [n for n in model.input_names if n not in declared]
        extra = [i for i in m.inputs if i.name not in model.input_names]
        for n in missing:
            diags.append(error("E302", f"model '{m.name}' needs input '{n}', which is not mapped", m.span,
                               f"add '{n}: <expression>' to its inputs"))
        for i in extra:
            diags.append(error("E302", f"model '{m.name}' has no input '{i.name}'", i.span,
                               did_you_mean(i.name, model.input_names)))
        nodes = []
        for n in model.input_names:
            if n in declared:
                node = res.lower(declared[n].expr, MODEL_INPUT)
                if node is not None and node.type.is_decimal:  # models bin and weigh binary numbers
                    diags.append(error("E203", f"model '{m.name}' input '{n}' is an amount ({node.type})",
                                       declared[n].span, "convert it explicitly: number(x)"))
                    node = None
                nodes.append(node)
        if missing or extra or any(x is None for x in nodes):
            continue
        problems = model.check_inputs(m, tuple(x.type for x in nodes))
        diags.extend(problems)
        if any(d.is_error for d in problems):
            continue
        version = m.version or model.version
        out[m.name] = ModelIR(m.name, m.kind, version, tuple(nodes), model, m.span)
    return out


def _rules(rs: A.Ruleset, res: Resolver, outcomes, diags):
    active, shadow = [], []
    for r in rs.rules:
        cond = res.lower(r.when, RULE)
        if cond is not None and cond.type not in (BOOL, NULL):
            diags.append(error("E209", f"rule {r.id}: 'when' must be a condition, got {cond.type}", r.when.span,
                               "compare it, e.g. 'x > 0'"))
            cond = None
        if r.action is not None and r.action not in outcomes:
            diags.append(error("E210", f"unknown action '{r.action}'", r.action_span or r.span,
                               did_you_mean(r.action, outcomes) or "declare custom outcomes under 'outcomes:'"))
            continue
        if r.status not in A.RULE_STATUSES:
            diags.append(error("E210", f"unknown status '{r.status}'", r.span, "active, shadow or disabled"))
            continue
        if r.action is None and not r.score and rs.decision and rs.decision.policy != "score":
            diags.append(warning("W405", f"rule {r.id} has neither an action nor score points: firing changes nothing",
                                 r.span))
        if cond is None or r.status == "disabled":
            continue
        sev = r.severity if r.severity is not None else (outcomes[r.action][0] if r.action else 0)
        item = (r, cond, sev)
        (shadow if r.status == "shadow" else active).append(item)
    if rs.decision and rs.decision.policy == "first_match":
        order = {id(r): i for i, r in enumerate(rs.rules)}
        active.sort(key=lambda x: (-x[0].priority, order[id(x[0])]))
    built = []
    for i, (r, cond, sev) in enumerate(active + shadow):
        built.append(RuleIR(i, r.id, r.name, cond, r.action, r.reason, sev, float(r.score), r.priority, r.status,
                            r.span, r.tags))
    return built[: len(active)], built[len(active):]


def _tables(rs: A.Ruleset, res: Resolver, diags) -> dict[str, TableIR]:
    # output types first (so tables.X.y used elsewhere types right), then lower in dependency order
    order = _table_order(rs, diags)
    out: dict[str, TableIR] = {}
    for t in order:
        inputs = [res.lower(e, TABLE) for e in t.inputs]
        if any(x is None for x in inputs):
            continue
        ok = True
        rows = []
        out_types: list[Type] = [NULL] * len(t.outputs)
        for row in t.rows:
            if len(row.cells) != len(t.inputs):
                diags.append(error("E500", f"table '{t.name}': row has {len(row.cells)} cells for {len(t.inputs)} inputs",
                                   row.span))
                ok = False
                continue
            if len(row.outputs) != len(t.outputs):
                diags.append(error("E500", f"table '{t.name}': row has {len(row.outputs)} outputs, "
                                           f"the table declares {len(t.outputs)}", row.span))
                ok = False
                continue
            cells = []
            for cell, node in zip(row.cells, inputs):
                c = res.lower(cell, TABLE, cell=ir.Cell(node.type, node.nullable))
                if c is not None and c.type not in (BOOL, NULL):
                    diags.append(error("E503", f"table '{t.name}': a cell must be a test of the input", cell.span))
                    c = None
                cells.append(c)
            outs = [res.lower(o, TABLE) for o in row.outputs]
            if any(x is None for x in cells + outs):
                ok = False
                continue
            for i, o in enumerate(outs):
                u = unify(out_types[i], o.type)
                if u == ANY:
                    diags.append(error("E503", f"table '{t.name}': output '{t.outputs[i]}' mixes {out_types[i]} and {o.type}",
                                       row.outputs[i].span))
                    ok = False
                out_types[i] = u
            rows.append(RowIR(tuple(cells), tuple(outs), row.priority, row.span))
        allowed = _output_values(t, res, out_types, diags)
        ok = ok and allowed is not None
        default = None
        if t.default is not None:
            if len(t.default) != len(t.outputs):
                diags.append(error("E500", f"table '{t.name}': default has {len(t.default)} values for "
                                           f"{len(t.outputs)} outputs", t.span))
                ok = False
            else:
                default = tuple(res.lower(d, TABLE) for d in t.default)
                ok = ok and all(d is not None for d in default)
        if t.hit not in A.HIT_POLICIES:
            diags.append(error("E500", f"unknown hit policy '{t.hit}'", t.span, did_you_mean(t.hit, A.HIT_POLICIES)))
            ok = False
        if t.aggregate is not None and t.hit != "collect":
            diags.append(error("E500", f"table '{t.name}': an aggregate needs hit policy collect, not {t.hit}", t.span))
            ok = False
        if ok and allowed:
            ok = _outputs_allowed(t, allowed, diags)
        if ok:
            rows, ok = _ranked(t, rows, allowed, diags)
        if t.hit == "collect" and t.aggregate is not None:
            if t.aggregate not in A.AGGREGATES:
                diags.append(error("E500", f"unknown aggregate '{t.aggregate}'", t.span, did_you_mean(t.aggregate, A.AGGREGATES)))
                ok = False
            elif t.aggregate != "count" and not all(ty.is_numeric or ty == NULL for ty in out_types):
                diags.append(error("E503", f"table '{t.name}': {t.aggregate} needs numeric outputs", t.span))
                ok = False
        if not ok:
            continue
        if t.hit in ("rule_order", "output_order") or (t.hit == "collect" and t.aggregate is None):
            out_types = [list_of(ty) for ty in out_types]
        elif t.aggregate == "count":
            out_types = [SCALARS["int"]] * len(out_types)
        res.table_types[t.name] = dict(zip(t.outputs, out_types))
        out[t.name] = TableIR(t.name, t.hit, t.aggregate, tuple(inputs), tuple(n.type for n in inputs), t.outputs,
                              tuple(out_types), tuple(rows), default, t.span)
    return out


def _output_values(t: A.Table, res: Resolver, out_types: list, diags) -> list | None:
    """Per output, its allowed values (a list of constants) or None; None for the table when one is bad."""
    if not t.output_values:
        return [None] * len(t.outputs)
    if len(t.output_values) != len(t.outputs):  # the readers give one entry per output; a hand-built AST may not
        diags.append(error("E505", f"table '{t.name}': {len(t.output_values)} allowed-value lists for "
                                   f"{len(t.outputs)} outputs", t.span))
        return None
    out: list = []
    for i, values in enumerate(t.output_values):
        if values is None:
            out.append(None)
            continue
        if not values:
            diags.append(error("E505", f"table '{t.name}': output '{t.outputs[i]}' declares no allowed values", t.span))
            return None
        consts = []
        for v in values:
            c = res.lower(v, TABLE)
            if c is None:
                return None
            if not isinstance(c, ir.Const) or c.value is None:
                diags.append(error("E505", f"table '{t.name}': an allowed value of output '{t.outputs[i]}' must be "
                                           "a literal (not null)", v.span))
                return None
            if c.value in [x.value for x in consts]:
                diags.append(error("E505", f"table '{t.name}': output '{t.outputs[i]}' lists {show(c)} twice", v.span))
                return None
            u = unify(out_types[i], c.type)
            if u == ANY:
                diags.append(error("E503", f"table '{t.name}': output '{t.outputs[i]}' mixes {out_types[i]} and {c.type}",
                                   v.span))
                return None
            out_types[i] = u
            consts.append(c)
        out.append([c.value for c in consts])
    return out


def _outputs_allowed(t: A.Table, allowed: list, diags) -> bool:
    """Every row's (and the default's) value of an output with allowed values is one of them, or null."""
    ok = True
    entries = [(r.outputs, f"row {j + 1}") for j, r in enumerate(t.rows)] + ([(t.default, "the default")] if t.default else [])
    for outputs, where in entries:
        for i, values in enumerate(allowed):
            if values is None:
                continue
            e = outputs[i]
            if not (isinstance(e, A.Literal) and (e.value is None or e.value in values)):
                shown = ", ".join(format_expr(v) for v in t.output_values[i])
                diags.append(error("E506", f"table '{t.name}': {where} gives output '{t.outputs[i]}' "
                                           f"{format_expr(e)}, which is not one of its allowed values [{shown}]",
                                   e.span, "write one of the allowed values (or null), or add it to the list"))
                ok = False
    return ok


def _ranked(t: A.Table, rows: list, allowed: list, diags) -> tuple[list, bool]:
    """Rows with their priority from the outputs' allowed values (DMN P and O): lexicographic over
    the outputs that declare values, a value earlier in its list ranking higher, null lowest."""
    valued = [i for i, v in enumerate(allowed) if v is not None]
    if t.hit == "output_order" and not valued:
        diags.append(error("E505", f"table '{t.name}': hit policy output_order needs allowed values on an output",
                           t.span, "declare them: outputs: {tier: {values: [...]}} / outputs tier values [...]"))
        return rows, False
    if t.hit == "priority" and not valued and len(rows) > 1 and not any(r.priority for r in t.rows):
        diags.append(warning("W507", f"table '{t.name}': hit policy priority with neither allowed values nor row "
                                     "priorities takes the first matching row", t.span,
                             "declare the outputs' allowed values or give rows a priority (or use hit policy first)"))
    if t.hit not in ("priority", "output_order") or not valued:
        return rows, True
    if any(r.priority for r in t.rows):
        diags.append(error("E505", f"table '{t.name}': the rows' priorities and the outputs' allowed values both rank "
                                   "the rows; keep one", t.span))
        return rows, False

    def key(row):
        return tuple(allowed[i].index(row.outputs[i].value) if row.outputs[i].value is not None else len(allowed[i])
                     for i in valued)
    ranks = sorted({key(r) for r in rows})
    return [dataclasses.replace(r, priority=-ranks.index(key(r))) for r in rows], True


def _table_order(rs: A.Ruleset, diags) -> list[A.Table]:
    by_name = {t.name: t for t in rs.tables}
    deps: dict[str, set[str]] = {}
    for t in rs.tables:
        refs = set()
        exprs = list(t.inputs) + [c for r in t.rows for c in r.cells + r.outputs] + list(t.default or ())
        for e in exprs:
            for n in A.walk(e):
                if isinstance(n, A.Name) and len(n.parts) >= 2 and n.parts[0] == "tables" and n.parts[1] in by_name:
                    refs.add(n.parts[1])
        deps[t.name] = refs
    order, state = [], {}

    def visit(name, path):
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cyc = path[path.index(name):] + [name]
            diags.append(error("E301", "tables depend on each other in a cycle: " + " -> ".join(cyc), by_name[name].span))
            return
        state[name] = 1
        for d in sorted(deps[name]):
            visit(d, path + [name])
        state[name] = 2
        order.append(by_name[name])

    for t in rs.tables:
        visit(t.name, [])
    return order


def _decision(rs: A.Ruleset, outcomes, diags) -> None:
    d = rs.decision
    if d is None:
        return
    if d.policy not in A.POLICIES:
        diags.append(error("E303", f"unknown policy '{d.policy}'", d.span, did_you_mean(d.policy, A.POLICIES)))
    if d.default not in outcomes:
        diags.append(error("E210", f"unknown default outcome '{d.default}'", d.span, did_you_mean(d.default, outcomes)))
    for b in d.bands:
        if b.outcome not in outcomes:
            diags.append(error("E210", f"unknown band outcome '{b.outcome}'", b.span, did_you_mean(b.outcome, outcomes)))
    if d.policy == "score":
        if d.score is None:
            diags.append(error("E303", "the score policy needs a decision score expression", d.span))
        if not d.bands:
            diags.append(error("E303", "the score policy needs outcome bands", d.span,
                               "e.g. bands: [{min: 600, outcome: approve}, {outcome: decline}]"))
    elif d.bands:
        diags.append(warning("W406", f"bands are only used by the score policy, not '{d.policy}'", d.span))


def _decision_time(rs: A.Ruleset, schema: Type, diags) -> ir.Path | None:
    """The declared ``decision_time`` as an input path: a datetime field of the schema (E305, E306)."""
    name = rs.decision_time
    if name is None:
        return None
    t, optional = schema, []
    for i, part in enumerate(name.parts):
        found = t.field(part) if t.name == "object" else None
        if found is None:
            diags.append(error("E305", f"decision_time names no field of the schema: '{name.dotted}'", name.span,
                               did_you_mean(name.dotted, _datetime_paths(schema)) or _datetime_hint(schema)))
            return None
        t, opt = found
        optional.append(opt)
    if t.name != "datetime":
        diags.append(error("E306", f"decision_time must be a datetime field; '{name.dotted}' is a {t}", name.span,
                           _datetime_hint(schema)))
        return None
    return ir.Path(tuple(name.parts), t, tuple(optional), name.span)


def _datetime_hint(schema: Type) -> str:
    datetimes = _datetime_paths(schema)
    if datetimes:
        return "datetime fields: " + ", ".join(datetimes)
    return "declare the decision time as a datetime field of the schema"


def _datetime_paths(t: Type, prefix: str = "") -> list[str]:
    out = []
    for n, ft, _ in t.fields:
        if ft.name == "datetime":
            out.append(prefix + n)
        elif ft.name == "object":
            out += _datetime_paths(ft, f"{prefix}{n}.")
    return out


def digest(rs: A.Ruleset) -> str:
    """Content digest over the bytes the loader read for ``rs`` (``rs.extra["files"]``): the
    ruleset, schema, lists, models and includes, in that order, each by file name and bytes
    (the order and form digests had when they were read from disk here, so they carry over)."""
    from ..dsl.resources import resolve as resolve_path

    files = rs.extra.get("files")
    if files is None:  # a ruleset built in memory, not loaded
        return hashlib.sha256(repr(rs).encode()).hexdigest()[:16]
    named = ([rs.schema.path] if rs.schema.path else []) + [ld.path for ld in rs.lists if ld.path]
    named += [m.path for m in rs.models] + list(rs.includes)
    return files.digest([rs.source] + [resolve_path(rs.source, p) for p in named])
