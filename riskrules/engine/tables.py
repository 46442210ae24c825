"""Hit policies of DMN-style decision tables, shared by every backend.

A backend evaluates each row's cells and hands the matching rows to the table's
``hit`` function as ``(priority, row_index, outputs)`` tuples; when no row
matches it calls ``empty(default)`` instead, and only then evaluates the
table's default outputs (a default that would fault is no fault while a row
matches). ``first`` is decided while evaluating and needs neither.
"""
from __future__ import annotations

from typing import Callable


class UniqueViolation(Exception):
    """More than one row matched a table whose hit policy is ``unique``."""


def _unique(name):
    def hit(hits):
        if len(hits) > 1:
            rows = ", ".join(str(i + 1) for _, i, _ in hits)
            raise UniqueViolation(f"table {name}: rows {rows} all match, hit policy unique allows one")
        return hits[0][2]
    return hit


def _priority(hits):
    return max(hits, key=lambda h: (h[0], -h[1]))[2]


def _first(hits):
    return hits[0][2]


def _default(default):
    return default


def _collect(aggregate, n_out):
    def hit(hits):
        columns = [[h[2][k] for h in hits] for k in range(n_out)]
        if aggregate is None:
            return tuple([v for v in col if v is not None] for col in columns)
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

    def empty(default):
        if aggregate == "count":
            return (0,) * n_out
        return default if aggregate else tuple([] for _ in range(n_out))

    return hit, empty


def hit_functions(table) -> tuple[Callable, Callable]:
    """``(hit(hits) -> outputs, empty(default) -> outputs)`` for a ``TableIR``.

    A collect table without an aggregate gathers the outputs that are present
    (missing values are left out of the lists, in every backend).
    """
    if table.hit == "unique":
        return _unique(table.name), _default
    if table.hit == "priority":
        return _priority, _default
    if table.hit == "collect":
        return _collect(table.aggregate, len(table.outputs))
    return _first, _default
