"""A readable one-line rendering of IR nodes (traces, ``--dump-after``, reports)."""
from __future__ import annotations

import datetime as dt

from . import ir

_PREC = {"or": 2, "and": 3, "not": 4, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5,
         "+": 6, "-": 6, "*": 7, "/": 7, "%": 7, "neg": 8}


def show(n) -> str:
    return _show(n)[0]


def _lit(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, frozenset):
        return "[" + ", ".join(sorted(_lit(x) for x in v)) + "]"
    if isinstance(v, dt.timedelta):
        s = int(v.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if s and s % size == 0:
                return f"{s // size}{unit}"
        return f"{s}s"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return repr(v)


def _show(n) -> tuple[str, int]:
    match n:
        case ir.Const(value=v):
            return _lit(v), 10
        case ir.Path(steps=s):
            return ".".join(s), 10
        case ir.Feat(name=name):
            return name, 10
        case ir.ModelOut(model=m, output=o):
            return f"models.{m}" + ("" if o == "probability" else f".{o}"), 10
        case ir.RulesAgg(name=name):
            return f"rules.{name}", 10
        case ir.TableOut(table=t, output=o):
            return f"tables.{t}.{o}", 10
        case ir.DecisionRef(name=name):
            return f"decision.{name}", 10
        case ir.Now():
            return "now()", 10
        case ir.Cell():
            return "?", 10
        case ir.Op(op="not", args=(a,)):
            return "not " + _paren(a, 4), 4
        case ir.Op(op="neg", args=(a,)):
            return "-" + _paren(a, 8), 8
        case ir.Op(op=op, args=args):
            p = _PREC[op]
            return f" {op} ".join(_paren(a, p + (i > 0 and op not in ("and", "or"))) for i, a in enumerate(args)), p
        case ir.Member(item=i, container=c, negated=neg, list_name=ln):
            return f"{_paren(i, 6)} {'not in' if neg else 'in'} {ln or _show(c)[0]}", 5
        case ir.Between(value=v, low=lo, high=hi):
            return f"{_paren(v, 6)} between {_paren(lo, 6)} and {_paren(hi, 6)}", 5
        case ir.Missing(value=v, negated=neg):
            return f"{_paren(v, 6)} is {'present' if neg else 'missing'}", 5
        case ir.If(cond=c, then=t, other=o):
            return f"if {show(c)} then {show(t)} else {show(o)}", 1
        case ir.Coalesce(args=args):
            return "coalesce(" + ", ".join(show(a) for a in args) + ")", 10
        case ir.Call(func=f, args=args):
            return f + "(" + ", ".join(show(a) for a in args) + ")", 10
    return repr(n), 10


def _paren(n, min_prec: int) -> str:
    text, p = _show(n)
    return f"({text})" if p < min_prec else text
