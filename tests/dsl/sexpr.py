"""A compact S-expression dump of expression ASTs, for data-driven test fixtures.

``applicant.age < 18`` dumps as ``(< applicant.age 18)``; literals carry their
kind when it is not obvious (``1.0``, ``"s"``, ``dur:1d``, ``date:2024-01-31``).
"""
from __future__ import annotations

import json

from riskrules.dsl import ast as A
from riskrules.dsl.literals import spell_duration


def sexpr(node) -> str:
    match node:
        case None:
            return "_"
        case A.Literal(value=v, kind=kind):
            return _literal(v, kind)
        case A.Name(parts=parts):
            return ".".join(parts)
        case A.Placeholder():
            return "?"
        case A.Unary(op=op, operand=x):
            return f"({'neg' if op == '-' else op} {sexpr(x)})"
        case A.Binary(op=op, left=a, right=b):
            return f"({op} {sexpr(a)} {sexpr(b)})"
        case A.ListLit(items=items):
            return "[" + " ".join(sexpr(i) for i in items) + "]"
        case A.In(item=a, container=b, negated=neg):
            return f"({'not-in' if neg else 'in'} {sexpr(a)} {sexpr(b)})"
        case A.Between(value=v, low=lo, high=hi):
            return f"(between {sexpr(v)} {sexpr(lo)} {sexpr(hi)})"
        case A.IsMissing(value=v, negated=neg):
            return f"({'present' if neg else 'missing'} {sexpr(v)})"
        case A.IfElse(cond=c, then=t, other=o):
            return f"(if {sexpr(c)} {sexpr(t)} {sexpr(o)})"
        case A.Call(func=f, args=args):
            return f"(call {f}" + "".join(" " + sexpr(a) for a in args) + ")"
        case A.Range(low=lo, high=hi, low_closed=lc, high_closed=hc):
            return f"(range {'[' if lc else '('} {sexpr(lo)} {sexpr(hi)} {']' if hc else ')'})"
    raise TypeError(f"not an expression: {node!r}")


def _literal(v, kind: str) -> str:
    if kind == "int":
        return str(v)
    if kind == "number":
        return repr(v)
    if kind == "string":
        return json.dumps(v, ensure_ascii=False)
    if kind == "bool":
        return "true" if v else "false"
    if kind == "null":
        return "null"
    if kind == "duration":
        return "dur:" + spell_duration(v)
    if kind == "date":
        return "date:" + v.isoformat()
    if kind == "datetime":
        return "dt:" + v.isoformat()
    if kind == "decimal":
        return "dec:" + format(v, "f")
    raise ValueError(kind)
