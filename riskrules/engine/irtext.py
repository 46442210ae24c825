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


class _Text(ir.Visitor):
    """Each node as (text, precedence): a parent parenthesises a child that binds looser."""

    def visit_Const(self, n):
        return _lit(n.value), 10

    def visit_Path(self, n):
        return ".".join(n.steps), 10

    def visit_Feat(self, n):
        return n.name, 10

    def visit_ModelOut(self, n):
        return f"models.{n.model}" + ("" if n.output == "probability" else f".{n.output}"), 10

    def visit_RulesAgg(self, n):
        return f"rules.{n.name}", 10

    def visit_TableOut(self, n):
        return f"tables.{n.table}.{n.output}", 10

    def visit_DecisionRef(self, n):
        return f"decision.{n.name}", 10

    def visit_Now(self, n):
        return "now()", 10

    def visit_Cell(self, n):
        return "?", 10

    def visit_Op(self, n):
        op, args = n.op, n.args
        if op == "not":
            return "not " + _paren(args[0], 4), 4
        if op == "neg":
            return "-" + _paren(args[0], 8), 8
        p = _PREC[op]
        return f" {op} ".join(_paren(a, p + (i > 0 and op not in ("and", "or"))) for i, a in enumerate(args)), p

    def visit_Member(self, n):
        return f"{_paren(n.item, 6)} {'not in' if n.negated else 'in'} {n.list_name or _show(n.container)[0]}", 5

    def visit_Between(self, n):
        return f"{_paren(n.value, 6)} between {_paren(n.low, 6)} and {_paren(n.high, 6)}", 5

    def visit_Missing(self, n):
        return f"{_paren(n.value, 6)} is {'present' if n.negated else 'missing'}", 5

    def visit_If(self, n):
        return f"if {show(n.cond)} then {show(n.then)} else {show(n.other)}", 1

    def visit_Coalesce(self, n):
        return "coalesce(" + ", ".join(show(a) for a in n.args) + ")", 10

    def visit_Call(self, n):
        return n.func + "(" + ", ".join(show(a) for a in n.args) + ")", 10


_show = _Text().visit


def _paren(n, min_prec: int) -> str:
    text, p = _show(n)
    return f"({text})" if p < min_prec else text
