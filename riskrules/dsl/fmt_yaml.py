"""Canonical YAML text of a ruleset (the format of docs/language.md).

Short lists (tags, cells, outputs) are written in flow style; expressions are
strings; table outputs that are number, boolean or null literals are written
as YAML values, every other output as an expression string. Comments the
reader kept go on their own lines before their items (:mod:`riskrules.dsl.comments`).
"""
from __future__ import annotations

import re

import yaml

from . import ast as A
from .comments import comments_of, place
from .fmt_expr import format_cell, format_expr, plain_number
from .fmt_rules import format_type, own_rules
from .yaml_comments import output_lines
from .yaml_safe import compose


class _Flow(list):
    """A list written in flow style: ``[a, b]``."""


class _FlowMap(dict):
    """A mapping written in flow style: ``{min: 650, outcome: approve}``."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))


def format_yaml(rs: A.Ruleset) -> str:
    """The canonical YAML text of ``rs``; ``load_yaml_text`` reads it back to the same AST."""
    doc: dict = {"ruleset": rs.name, "version": rs.version}
    if rs.description:
        doc["description"] = rs.description
    if rs.on_error != "review":
        doc["on_error"] = rs.on_error
    if rs.decision_time is not None:
        doc["decision_time"] = format_expr(rs.decision_time)
    if rs.schema.path is not None:
        doc["schema"] = rs.schema.path
    elif rs.schema.fields:
        doc["schema"] = _fields(rs.schema.fields)
    if rs.lists:
        doc["lists"] = {d.name: d.path if d.path is not None else _Flow(_plain(i) for i in d.items) for d in rs.lists}
    if rs.features:
        doc["features"] = {f.name: _feature(f) for f in rs.features}
    if rs.models:
        doc["models"] = {m.name: _model(m) for m in rs.models}
    if rs.outcomes:
        doc["outcomes"] = {o.name: _FlowMap(severity=o.severity, **({"adverse": True} if o.adverse else {}))
                           for o in rs.outcomes}
    rules = own_rules(rs)
    if rules:
        doc["rules"] = [_rule(r) for r in rules]
    if rs.tables:
        doc["tables"] = {t.name: _table(t) for t in rs.tables}
    if rs.decision is not None:
        doc["decision"] = _decision(rs.decision)
    if rs.review is not None:
        doc["review"] = _review(rs.review)
    if rs.includes:
        doc["include"] = _Flow(rs.includes)
    if rs.tests is not None:
        doc["tests"] = rs.tests
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6, default_flow_style=False)
    comments = comments_of(rs)
    if not comments:
        return text
    printed, problems = compose(text, "<fmt>")
    assert not problems, problems  # our own output
    return place(text.split("\n")[:-1], output_lines(printed), comments, escape=yaml_comment_text)


# YAML holds printable characters only, and ends a comment at any of its line breaks
_NOT_IN_YAML_COMMENT = re.compile(r"[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


def yaml_comment_text(text: str) -> str:
    """A comment as YAML can hold it: other characters (from a ``.rules`` file) written as ``\\uXXXX``."""
    return _NOT_IN_YAML_COMMENT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _plain(lit: A.Literal):
    """A literal as a YAML value (durations have none: written as text)."""
    if lit.kind == "duration":
        return format_expr(lit)
    return lit.value


def _fields(fields) -> dict:
    out = {}
    for f in fields:
        if f.type.name == "object":
            out[f.name + ("?" if f.optional else "")] = _fields(f.type.fields)
        else:
            out[f.name] = format_type(f.type, quote=False) + ("?" if f.optional else "")
    return out


def _feature(f: A.Feature):
    if f.description:
        return {"expr": format_expr(f.expr), "description": f.description}
    return format_expr(f.expr)


def _model(m: A.ModelRef) -> dict:
    out: dict = {"type": m.kind, "path": m.path}
    if m.version:
        out["version"] = m.version
    if m.description:
        out["description"] = m.description
    if m.inputs:
        out["inputs"] = {i.name: format_expr(i.expr) for i in m.inputs}
    return out


def _rule(r: A.Rule) -> dict:
    out: dict = {"id": r.id}
    if r.name:
        out["name"] = r.name
    out["when"] = format_expr(r.when)
    optional = {
        "action": r.action, "reason": r.reason, "severity": r.severity,
        "score": plain_number(r.score) if r.score else None, "priority": r.priority or None,
        "status": r.status if r.status != "active" else None,
        "tags": _Flow(r.tags) if r.tags else None, "description": r.description or None,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if r.provenance:
        out["provenance"] = {k: _Flow(v) if isinstance(v, (list, tuple)) else v for k, v in r.provenance}
    return out


def _output(e: A.Expr):
    if isinstance(e, A.Literal) and e.kind in ("int", "number", "bool", "null"):
        return e.value
    return format_expr(e)


def _table(t: A.Table) -> dict:
    out: dict = {"hit": t.hit}
    if t.aggregate is not None:
        out["aggregate"] = t.aggregate
    if t.description:
        out["description"] = t.description
    out["inputs"] = _Flow(format_expr(e) for e in t.inputs)
    if t.output_values:
        out["outputs"] = {o: (None if vs is None else _FlowMap(values=_Flow(_output(v) for v in vs)))
                          for o, vs in zip(t.outputs, t.output_values)}
    else:
        out["outputs"] = _Flow(t.outputs)
    rows = []
    for row in t.rows:
        r: dict = {"when": _Flow(format_cell(c) for c in row.cells), "then": _Flow(_output(e) for e in row.outputs)}
        if row.priority:
            r["priority"] = row.priority
        rows.append(r)
    out["rows"] = rows
    if t.default:
        out["default"] = _Flow(_output(e) for e in t.default)
    return out


def _decision(d: A.DecisionBlock) -> dict:
    out: dict = {"policy": d.policy}
    if d.score is not None:
        out["score"] = format_expr(d.score)
    if d.default != "approve":
        out["default"] = d.default
    if d.bands:
        out["bands"] = [_FlowMap({k: v for k, v in (("min", None if b.min is None else plain_number(b.min)),
                                                     ("outcome", b.outcome), ("reason", b.reason)) if v is not None})
                        for b in d.bands]
    return out


def _review(r: A.ReviewBlock) -> dict:
    out: dict = {}
    if r.unexplained is not None:
        out["unexplained"] = format_expr(r.unexplained)
    if r.sla_hours != 24.0:
        out["sla_hours"] = plain_number(r.sla_hours)
    if r.anomaly_threshold is not None:
        out["anomaly_threshold"] = r.anomaly_threshold
    if r.anomaly_model is not None:
        out["anomaly_model"] = r.anomaly_model
    if r.amount is not None:
        out["amount"] = format_expr(r.amount)
    if r.id is not None:
        out["id"] = format_expr(r.id)
    return out
