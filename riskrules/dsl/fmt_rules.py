"""Canonical ``.rules`` text of a ruleset (see docs/language.md for the format).

Schema and lists that came from files are printed as references to those
files; rules merged in from ``include`` files are not repeated.
"""
from __future__ import annotations

from . import ast as A
from . import literals as L
from .comments import comments_of, place
from .fmt_expr import format_cell, format_expr, format_literal, format_number, ident, word_or_string
from .resources import resolve

INDENT = "  "


def format_rules(rs: A.Ruleset) -> str:
    """The canonical ``.rules`` text of ``rs``; ``parse_rules_text`` reads it back to the same AST.

    Comments the reader kept go on their own lines before their items (see
    :mod:`riskrules.dsl.comments`).
    """
    blocks: list[list[Line]] = [_header(rs), _schema(rs.schema)]
    blocks.append(_section("lists", [_list(d) for d in rs.lists]))
    blocks.append(_section("features", [_feature(f) for f in rs.features]))
    blocks += _sections("models", [_model(m) for m in rs.models])
    blocks.append(_section("outcomes", [_outcome(o) for o in rs.outcomes]))
    blocks += _sections("rules", [_rule(r, i) for i, r in enumerate(own_rules(rs))])
    blocks += _sections("tables", [_table(t) for t in rs.tables])
    if rs.decision is not None:
        blocks.append(_decision(rs.decision))
    if rs.review is not None:
        blocks.append(_review(rs.review))
    tail = _section("include", [(f"include {L.quote_string(p)}", (("include", i),)) for i, p in enumerate(rs.includes)])
    if rs.tests is not None:
        tail.append((f"tests {L.quote_string(rs.tests)}", (("tests",),)))
    blocks.append(tail)
    lines: list[str] = []
    line_of: dict[tuple, int] = {}
    for block in (b for b in blocks if b):
        if lines:
            lines.append("")
        for text, keys in block:
            for key in keys:
                line_of.setdefault(key, len(lines))
            lines.append(text)
    return place(lines, line_of, comments_of(rs))


#: a line of output and the keys of the items it starts (see :mod:`riskrules.dsl.comments`)
Line = tuple[str, tuple]


def _section(name: str, lines: list[Line]) -> list[Line]:
    """``lines`` with the section's own key on the first (``.rules`` has no section headings)."""
    if lines:
        text, keys = lines[0]
        lines[0] = (text, ((name,),) + keys)
    return lines


def _sections(name: str, blocks: list[list[Line]]) -> list[list[Line]]:
    if blocks:
        blocks[0] = _section(name, blocks[0])
    return blocks


def own_rules(rs: A.Ruleset) -> tuple[A.Rule, ...]:
    """The rules written in the ruleset file itself (not merged in by ``include``)."""
    if not rs.includes:
        return rs.rules
    included = {resolve(rs.source, p) for p in rs.includes}
    return tuple(r for r in rs.rules if r.span.file not in included)


def _header(rs: A.Ruleset) -> list[Line]:
    lines = [(f"ruleset {ident(rs.name)}", (("ruleset",),)), (f"version {L.quote_string(rs.version)}", (("version",),))]
    if rs.description:
        lines.append((f"description {L.quote_string(rs.description)}", (("description",),)))
    if rs.on_error != "review":
        lines.append((f"on_error {ident(rs.on_error)}", (("on_error",),)))
    if rs.decision_time is not None:
        lines.append((f"decision_time {format_expr(rs.decision_time)}", (("decision_time",),)))
    return lines


def _schema(schema: A.Schema) -> list[Line]:
    if schema.path is not None:
        return [(f"schema {L.quote_string(schema.path)}", (("schema",),))]
    if not schema.fields:
        return []
    return [("input {", (("schema",),)), *_fields(schema.fields, 1, ("schema",)), ("}", ())]


def _fields(fields, depth: int, prefix: tuple) -> list[Line]:
    pad = INDENT * depth
    lines: list[Line] = []
    for f in fields:
        key = (prefix + (f.name,),)
        if f.type.name == "object":
            lines.append((f"{pad}{ident(f.name)}{'?' if f.optional else ''} {{", key))
            lines += _fields(f.type.fields, depth + 1, key[0])
            lines.append((f"{pad}}}", ()))
        else:
            desc = f" {L.quote_string(f.description)}" if f.description else ""
            lines.append((f"{pad}{ident(f.name)}: {format_type(f.type, quote=True)}{'?' if f.optional else ''}{desc}", key))
    return lines


def format_type(t: A.TypeRef, quote: bool) -> str:
    """``int``, ``list<string>``, ``enum("a", "b")`` (``enum(a, b)`` with ``quote=False`` where possible)."""
    if t.name == "enum":
        values = (L.quote_string(v) if quote else word_or_string(v) for v in t.values)
        return "enum(" + ", ".join(values) + ")"
    if t.name == "list":
        return f"list<{format_type(t.item, quote)}>"
    if t.scale is not None:
        return f"{t.name}({t.scale})"
    return t.name


def _list(d: A.ListDef) -> Line:
    key = (("lists", d.name),)
    if d.path is not None:
        return f"list {ident(d.name)} from {L.quote_string(d.path)}", key
    return f"list {ident(d.name)} = [" + ", ".join(format_literal(i) for i in d.items) + "]", key


def _feature(f: A.Feature) -> Line:
    desc = f" {L.quote_string(f.description)}" if f.description else ""
    return f"feature {ident(f.name)} = {format_expr(f.expr)}{desc}", (("features", f.name),)


def _model(m: A.ModelRef) -> list[Line]:
    key = ("models", m.name)
    head = f"model {ident(m.name)} {ident(m.kind)} {L.quote_string(m.path)}"
    if m.version:
        head += f" version {L.quote_string(m.version)}"
    if m.description:
        head += f" description {L.quote_string(m.description)}"
    if not m.inputs:
        return [(head, (key,))]
    inputs = [(f"{INDENT}{ident(i.name, after_expression=True)} = {format_expr(i.expr)}", (key + ("inputs", i.name),))
              for i in m.inputs]
    return [(head + " {", (key,)), *_section_key(key + ("inputs",), inputs), ("}", ())]


def _section_key(key: tuple, lines: list[Line]) -> list[Line]:
    """``lines`` with ``key`` (a YAML mapping or list that has no line of its own here) on the first."""
    text, keys = lines[0]
    return [(text, (key,) + keys), *lines[1:]]


def _outcome(o: A.OutcomeDef) -> Line:
    return f"outcome {ident(o.name)} severity {o.severity}{' adverse' if o.adverse else ''}", (("outcomes", o.name),)


def _rule(r: A.Rule, index: int) -> list[Line]:
    key = ("rules", index)
    head = f"rule {L.quote_string(r.id)}" + (f" {L.quote_string(r.name)}" if r.name else "")
    lines: list[Line] = [(head, (key,)), (f"{INDENT}when {format_expr(r.when)}", (key + ("when",),))]
    effect, keys = [], []
    for name, text in (
        ("action", r.action is not None and f"then {ident(r.action)}"),
        ("reason", r.reason is not None and f"reason {word_or_string(r.reason)}"),
        ("severity", r.severity is not None and f"severity {r.severity}"),
        ("score", bool(r.score) and f"score {format_number(r.score)}"),
        ("priority", bool(r.priority) and f"priority {r.priority}"),
    ):
        if text:
            effect.append(text)
            keys.append(key + (name,))
    if effect:
        lines.append((INDENT + " ".join(effect), tuple(keys)))
    if r.status != "active":
        lines.append((f"{INDENT}status {ident(r.status)}", (key + ("status",),)))
    if r.tags:
        lines.append((f"{INDENT}tags " + ", ".join(word_or_string(t) for t in r.tags), (key + ("tags",),)))
    if r.description:
        lines.append((f"{INDENT}description {L.quote_string(r.description)}", (key + ("description",),)))
    if r.provenance:
        lines.append((f"{INDENT}provenance {{", (key + ("provenance",),)))
        lines += [(f"{INDENT * 2}{ident(k, after_expression=True)} = {python_literal(v)}", (key + ("provenance", k),))
                  for k, v in r.provenance]
        lines.append((f"{INDENT}}}", ()))
    return lines


def python_literal(value) -> str:
    """Literal text of a plain value (provenance entries)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    return format_literal(literal_of(value))


def literal_of(value) -> A.Literal:
    kind = L.literal_kind(value)
    return A.Literal(str(value) if kind == "string" else value, kind, A.NO_SPAN)


def _table(t: A.Table) -> list[Line]:
    key = ("tables", t.name)
    head = f"table {ident(t.name)} hit {ident(t.hit)}"
    if t.aggregate is not None:
        head += f" aggregate {ident(t.aggregate)}"
    lines: list[Line] = [(head + " {", (key,))]
    if t.description:
        lines.append((f"{INDENT}description {L.quote_string(t.description)}", (key + ("description",),)))
    if t.inputs:
        lines.append((f"{INDENT}inputs " + ", ".join(format_expr(e) for e in t.inputs), (key + ("inputs",),)))
    if t.outputs:
        values = t.output_values or (None,) * len(t.outputs)
        decls = [ident(o) + (" values [" + ", ".join(format_expr(v) for v in vs) + "]" if vs is not None else "")
                 for o, vs in zip(t.outputs, values)]
        lines.append((f"{INDENT}outputs " + ", ".join(decls), (key + ("outputs",),)))
    rows: list[Line] = []
    for j, row in enumerate(t.rows):
        cells = " | ".join(format_cell(c) for c in row.cells)
        outputs = ", ".join(format_expr(e) for e in row.outputs)
        prio = f" priority {row.priority}" if row.priority else ""
        rows.append((f"{INDENT}row {cells}{' ' if cells else ''}=> {outputs}{prio}", (key + ("rows", j),)))
    lines += _section_key(key + ("rows",), rows) if rows else []
    if t.default:
        lines.append((f"{INDENT}default => " + ", ".join(format_expr(e) for e in t.default), (key + ("default",),)))
    lines.append(("}", ()))
    return lines


def _decision(d: A.DecisionBlock) -> list[Line]:
    lines: list[Line] = [(f"decision {ident(d.policy)}", (("decision",),))]
    if d.score is not None:
        lines.append((f"{INDENT}score {format_expr(d.score)}", (("decision", "score"),)))
    if d.default != "approve":
        lines.append((f"{INDENT}default {ident(d.default)}", (("decision", "default"),)))
    bands: list[Line] = []
    for j, b in enumerate(d.bands):
        bound = f">= {format_number(b.min)}" if b.min is not None else "else"
        reason = f" reason {word_or_string(b.reason)}" if b.reason is not None else ""
        bands.append((f"{INDENT}band {bound} {ident(b.outcome)}{reason}", (("decision", "bands", j),)))
    return lines + (_section_key(("decision", "bands"), bands) if bands else [])


def _review(r: A.ReviewBlock) -> list[Line]:
    lines: list[Line] = [("review", (("review",),))]
    for name, text in (
        ("unexplained", r.unexplained is not None and f"unexplained {format_expr(r.unexplained)}"),
        ("sla_hours", r.sla_hours != 24.0 and f"sla_hours {format_number(r.sla_hours)}"),
        ("anomaly_threshold", r.anomaly_threshold is not None and f"anomaly_threshold {format_number(r.anomaly_threshold)}"),
        ("anomaly_model", r.anomaly_model is not None and f"anomaly_model {ident(r.anomaly_model)}"),
        ("amount", r.amount is not None and f"amount {format_expr(r.amount)}"),
        ("id", r.id is not None and f"id {format_expr(r.id)}"),
    ):
        if text:
            lines.append((INDENT + text, (("review", name),)))
    return lines
