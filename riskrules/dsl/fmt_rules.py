"""Canonical ``.rules`` text of a ruleset (see docs/language.md for the format).

Schema and lists that came from files are printed as references to those
files; rules merged in from ``include`` files are not repeated.
"""
from __future__ import annotations

from . import ast as A
from . import literals as L
from .fmt_expr import format_cell, format_expr, format_literal, format_number, ident, word_or_string
from .resources import resolve

INDENT = "  "


def format_rules(rs: A.Ruleset) -> str:
    """The canonical ``.rules`` text of ``rs``; ``parse_rules_text`` reads it back to the same AST."""
    blocks: list[list[str]] = [_header(rs), _schema(rs.schema)]
    blocks.append([_list(d) for d in rs.lists])
    blocks.append([_feature(f) for f in rs.features])
    blocks += [_model(m) for m in rs.models]
    blocks.append([_outcome(o) for o in rs.outcomes])
    blocks += [_rule(r) for r in own_rules(rs)]
    blocks += [_table(t) for t in rs.tables]
    if rs.decision is not None:
        blocks.append(_decision(rs.decision))
    if rs.review is not None:
        blocks.append(_review(rs.review))
    tail = [f"include {L.quote_string(p)}" for p in rs.includes]
    if rs.tests is not None:
        tail.append(f"tests {L.quote_string(rs.tests)}")
    blocks.append(tail)
    return "\n\n".join("\n".join(b) for b in blocks if b) + "\n"


def own_rules(rs: A.Ruleset) -> tuple[A.Rule, ...]:
    """The rules written in the ruleset file itself (not merged in by ``include``)."""
    if not rs.includes:
        return rs.rules
    included = {resolve(rs.source, p) for p in rs.includes}
    return tuple(r for r in rs.rules if r.span.file not in included)


def _header(rs: A.Ruleset) -> list[str]:
    lines = [f"ruleset {ident(rs.name)}", f"version {L.quote_string(rs.version)}"]
    if rs.description:
        lines.append(f"description {L.quote_string(rs.description)}")
    if rs.on_error != "review":
        lines.append(f"on_error {ident(rs.on_error)}")
    return lines


def _schema(schema: A.Schema) -> list[str]:
    if schema.path is not None:
        return [f"schema {L.quote_string(schema.path)}"]
    if not schema.fields:
        return []
    return ["input {", *_fields(schema.fields, 1), "}"]


def _fields(fields, depth: int) -> list[str]:
    pad = INDENT * depth
    lines = []
    for f in fields:
        if f.type.name == "object":
            lines.append(f"{pad}{ident(f.name)}{'?' if f.optional else ''} {{")
            lines += _fields(f.type.fields, depth + 1)
            lines.append(f"{pad}}}")
        else:
            desc = f" {L.quote_string(f.description)}" if f.description else ""
            lines.append(f"{pad}{ident(f.name)}: {format_type(f.type, quote=True)}{'?' if f.optional else ''}{desc}")
    return lines


def format_type(t: A.TypeRef, quote: bool) -> str:
    """``int``, ``list<string>``, ``enum("a", "b")`` (``enum(a, b)`` with ``quote=False`` where possible)."""
    if t.name == "enum":
        values = (L.quote_string(v) if quote else word_or_string(v) for v in t.values)
        return "enum(" + ", ".join(values) + ")"
    if t.name == "list":
        return f"list<{format_type(t.item, quote)}>"
    return t.name


def _list(d: A.ListDef) -> str:
    if d.path is not None:
        return f"list {ident(d.name)} from {L.quote_string(d.path)}"
    return f"list {ident(d.name)} = [" + ", ".join(format_literal(i) for i in d.items) + "]"


def _feature(f: A.Feature) -> str:
    desc = f" {L.quote_string(f.description)}" if f.description else ""
    return f"feature {ident(f.name)} = {format_expr(f.expr)}{desc}"


def _model(m: A.ModelRef) -> list[str]:
    head = f"model {ident(m.name)} {ident(m.kind)} {L.quote_string(m.path)}"
    if m.version:
        head += f" version {L.quote_string(m.version)}"
    if m.description:
        head += f" description {L.quote_string(m.description)}"
    if not m.inputs:
        return [head]
    inputs = [f"{INDENT}{ident(i.name, after_expression=True)} = {format_expr(i.expr)}" for i in m.inputs]
    return [head + " {", *inputs, "}"]


def _outcome(o: A.OutcomeDef) -> str:
    return f"outcome {ident(o.name)} severity {o.severity}{' adverse' if o.adverse else ''}"


def _rule(r: A.Rule) -> list[str]:
    head = f"rule {L.quote_string(r.id)}" + (f" {L.quote_string(r.name)}" if r.name else "")
    lines = [head, f"{INDENT}when {format_expr(r.when)}"]
    effect = []
    if r.action is not None:
        effect.append(f"then {ident(r.action)}")
    if r.reason is not None:
        effect.append(f"reason {word_or_string(r.reason)}")
    if r.severity is not None:
        effect.append(f"severity {r.severity}")
    if r.score:
        effect.append(f"score {format_number(r.score)}")
    if r.priority:
        effect.append(f"priority {r.priority}")
    if effect:
        lines.append(INDENT + " ".join(effect))
    if r.status != "active":
        lines.append(f"{INDENT}status {ident(r.status)}")
    if r.tags:
        lines.append(f"{INDENT}tags " + ", ".join(word_or_string(t) for t in r.tags))
    if r.description:
        lines.append(f"{INDENT}description {L.quote_string(r.description)}")
    if r.provenance:
        lines.append(f"{INDENT}provenance {{")
        lines += [f"{INDENT * 2}{ident(k, after_expression=True)} = {python_literal(v)}" for k, v in r.provenance]
        lines.append(f"{INDENT}}}")
    return lines


def python_literal(value) -> str:
    """Literal text of a plain value (provenance entries)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    return format_literal(literal_of(value))


def literal_of(value) -> A.Literal:
    import datetime as dt

    kind = (
        "null" if value is None else "bool" if isinstance(value, bool) else "int" if isinstance(value, int)
        else "number" if isinstance(value, float) else "datetime" if isinstance(value, dt.datetime)
        else "date" if isinstance(value, dt.date) else "duration" if isinstance(value, dt.timedelta) else "string"
    )
    return A.Literal(value if kind != "string" else str(value), kind, A.NO_SPAN)


def _table(t: A.Table) -> list[str]:
    head = f"table {ident(t.name)} hit {ident(t.hit)}"
    if t.aggregate is not None:
        head += f" aggregate {ident(t.aggregate)}"
    lines = [head + " {"]
    if t.description:
        lines.append(f"{INDENT}description {L.quote_string(t.description)}")
    if t.inputs:
        lines.append(f"{INDENT}inputs " + ", ".join(format_expr(e) for e in t.inputs))
    if t.outputs:
        lines.append(f"{INDENT}outputs " + ", ".join(ident(o) for o in t.outputs))
    for row in t.rows:
        cells = " | ".join(format_cell(c) for c in row.cells)
        outputs = ", ".join(format_expr(e) for e in row.outputs)
        prio = f" priority {row.priority}" if row.priority else ""
        lines.append(f"{INDENT}row {cells}{' ' if cells else ''}=> {outputs}{prio}")
    if t.default:
        lines.append(f"{INDENT}default => " + ", ".join(format_expr(e) for e in t.default))
    lines.append("}")
    return lines


def _decision(d: A.DecisionBlock) -> list[str]:
    lines = [f"decision {ident(d.policy)}"]
    if d.score is not None:
        lines.append(f"{INDENT}score {format_expr(d.score)}")
    if d.default != "approve":
        lines.append(f"{INDENT}default {ident(d.default)}")
    for b in d.bands:
        bound = f">= {format_number(b.min)}" if b.min is not None else "else"
        reason = f" reason {word_or_string(b.reason)}" if b.reason is not None else ""
        lines.append(f"{INDENT}band {bound} {ident(b.outcome)}{reason}")
    return lines


def _review(r: A.ReviewBlock) -> list[str]:
    lines = ["review"]
    if r.unexplained is not None:
        lines.append(f"{INDENT}unexplained {format_expr(r.unexplained)}")
    if r.sla_hours != 24.0:
        lines.append(f"{INDENT}sla_hours {format_number(r.sla_hours)}")
    if r.anomaly_threshold is not None:
        lines.append(f"{INDENT}anomaly_threshold {format_number(r.anomaly_threshold)}")
    if r.anomaly_model is not None:
        lines.append(f"{INDENT}anomaly_model {ident(r.anomaly_model)}")
    return lines
