"""Cheap conditions first: reorder the operands of ``and``/``or`` by estimated cost.

``device.id in blocked_devices and models.pd > 0.2`` then looks the device up
before it pays for the model. Operands are only moved when none of them can
fault, so a guard like ``income > 0 and debt / income > 0.5`` keeps its order.
"""
from __future__ import annotations

from .. import ir


def cheap_first(prog, ctx):
    from . import map_program

    features = prog.features

    def order(n):
        if isinstance(n, ir.Op) and n.op in ("and", "or") and len(n.args) > 1:
            if any(ir.may_fault(a, features) for a in n.args):
                return n
            ranked = tuple(sorted(n.args, key=lambda a: ir.cost(a, features)))
            if any(a is not b for a, b in zip(ranked, n.args)):
                return ir.Op(n.op, ranked, n.type, n.nullable, n.span)
        return n

    return map_program(prog, order)
