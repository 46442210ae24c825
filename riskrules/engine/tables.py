"""Hit policies of DMN-style decision tables, shared by every backend.

A backend evaluates each row's cells and hands the matching rows to the
table's hit function as ``(priority, row_index, outputs)`` tuples; ``first``
needs no hit function (the first matching row wins while evaluating).
"""
from __future__ import annotations

from typing import Callable


class UniqueViolation(Exception):
    """More than one row matched a table whose hit policy is ``unique``."""


def _unique(name):
    def hit(hits, default):
        if not hits:
            return default
        if len(hits) > 1:
            rows = ", ".join(str(i + 1) for _, i, _ in hits)
            raise UniqueViolation(f"table {name}: rows {rows} all match, hit policy unique allows one")
        return hits[0][2]
    return hit


def _priority(hits, default):
    if not hits:
        return default
    best = max(hits, key=lambda h: (h[0], -h[1]))
    return best[2]


def _first(hits, default):
    return hits[0][2] if hits else default


def _collect(aggregate, n_out):
    def hit(hits, default):
        if not hits:
            if aggregate == "count":
                return (0,) * n_out
            return default if aggregate else tuple([] for _ in range(n_out))
        columns = [[h[2][k] for h in hits] for k in range(n_out)]
        if aggregate is None:
            return tuple(columns)
        out = []
        for col in columns:
            present = [v for v in col if v is not None]
            if aggregate == "count":
                out.append(len(present))
            elif not present:
                out.append(None)
            elif aggregate == "sum":
                out.append(sum(present))
            elif aggregate == "min":
                out.append(min(present))
            else:
                out.append(max(present))
        return tuple(out)
    return hit


def hit_function(table) -> Callable:
    """The hit function of a ``TableIR``: (hits, default outputs) -> outputs."""
    if table.hit == "unique":
        return _unique(table.name)
    if table.hit == "priority":
        return _priority
    if table.hit == "collect":
        return _collect(table.aggregate, len(table.outputs))
    return _first
