"""Constant folding: operators over literals become literals, decided branches disappear.

Only total operations are folded (no division, no calls): a fault stays a
run-time fault of the rule that contains it, as the semantics promise. A result
no backend can hold as a literal (an infinity, an integer beyond 64 bits) is
not folded either: what an overflow means is each backend's run-time business,
not the compiler's (tests/engine/passes/fold.txt keeps those cases).
"""
from __future__ import annotations

import math
import operator

from .. import ir
from ..types import BOOL

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "+": operator.add, "-": operator.sub, "*": operator.mul}


def _fold(n):
    match n:
        case ir.Op(op="and", args=args):
            if any(isinstance(a, ir.Const) and a.value is not True for a in args):
                if all(isinstance(a, ir.Const) or not ir.may_fault(a) for a in args):
                    return ir.Const(False, BOOL, n.span)
            rest = tuple(a for a in args if not (isinstance(a, ir.Const) and a.value is True))
            if not rest:
                return ir.Const(True, BOOL, n.span)
            return rest[0] if len(rest) == 1 and rest[0].type == BOOL and not rest[0].nullable else \
                (ir.Op("and", rest, BOOL, False, n.span) if len(rest) != len(args) else n)
        case ir.Op(op="or", args=args):
            if any(isinstance(a, ir.Const) and a.value is True for a in args) and \
                    all(isinstance(a, ir.Const) or not ir.may_fault(a) for a in args):
                return ir.Const(True, BOOL, n.span)
            rest = tuple(a for a in args if not (isinstance(a, ir.Const) and a.value is not True))
            if not rest:
                return ir.Const(False, BOOL, n.span)
            return rest[0] if len(rest) == 1 and rest[0].type == BOOL and not rest[0].nullable else \
                (ir.Op("or", rest, BOOL, False, n.span) if len(rest) != len(args) else n)
        case ir.Op(op="not", args=(ir.Const(value=v),)):
            return ir.Const(v is not True, BOOL, n.span)
        case ir.Op(op=op, args=(ir.Const(value=a), ir.Const(value=b))) if op in _OPS and not n.type.is_decimal:
            if a is None or b is None:
                return ir.Const(False, BOOL, n.span) if op in ir.COMPARE else ir.Const(None, n.type, n.span, True)
            try:
                value = _OPS[op](a, b)
            except (TypeError, OverflowError):
                return n
            return ir.Const(value, n.type, n.span) if _literal(value) else n
        case ir.If(cond=ir.Const(value=v), then=t, other=o) if not n.type.is_decimal or t.type == o.type:
            return t if v is True else o
        case ir.Missing(value=ir.Const(value=v), negated=neg):
            return ir.Const((v is not None) if neg else (v is None), BOOL, n.span)
        case ir.Missing(value=v, negated=neg) if not v.nullable and not ir.may_fault(v):
            return ir.Const(neg, BOOL, n.span)
    return n


def _literal(v) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return -2 ** 63 <= v < 2 ** 63
    return True


def fold_constants(prog, ctx):
    from . import map_program

    return map_program(prog, _fold)
