"""Hit policies of DMN-style decision tables, shared by every backend.

A backend evaluates each row's cells and hands the matching rows to the table's
``hit`` function as ``(priority, row_index, outputs)`` tuples; when no row
matches it calls ``empty(default)`` instead, and only then evaluates the
table's default outputs (a default that would fault is no fault while a row
matches). ``first`` is decided while evaluating and needs neither.

``priority`` is the row's own (``priority 5``) or, when the outputs declare
allowed values, the rank the checker gave the row from them (DMN P and O).
"""
from __future__ import annotations

from typing import Callable


class HitPolicyViolation(Exception):
    """The matching rows break the table's hit policy (unique: more than one; any: they disagree)."""


def _rows(hits) -> str:
    return ", ".join(str(i + 1) for _, i, _ in hits)


def _unique(name):
    def hit(hits):
        if len(hits) > 1:
            raise HitPolicyViolation(f"table {name}: rows {_rows(hits)} all match, hit policy unique allows one")
        return hits[0][2]
    return hit


def _any(name):
    def hit(hits):
        first = hits[0][2]
        if any(h[2] != first for h in hits[1:]):
            raise HitPolicyViolation(f"table {name}: rows {_rows(hits)} all match with different outputs, "
                                     "hit policy any needs them to agree")
        return first
    return hit


def _priority(hits):
    return max(hits, key=lambda h: (h[0], -h[1]))[2]


def _first(hits):
    return hits[0][2]


def _default(default):
    return default


def _lists(hits, n_out):
    """One list per output, one entry per matching row (a missing output is None in its list), so
    the k-th entries of every list come from the same row."""
    return tuple([h[2][k] for h in hits] for k in range(n_out))


def _empty_lists(n_out):
    def empty(default):
        return tuple([] for _ in range(n_out))
    return empty


def _rule_order(n_out):
    return lambda hits: _lists(hits, n_out)


def _output_order(n_out):
    return lambda hits: _lists(sorted(hits, key=lambda h: (-h[0], h[1])), n_out)


def _collect(aggregate, n_out):
    def hit(hits):
        if aggregate is None:
            return _lists(hits, n_out)
        out = []
        for k in range(n_out):
            present = [h[2][k] for h in hits if h[2][k] is not None]
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

    ``rule_order``, ``output_order`` and ``collect`` without an aggregate give one
    list per output with an entry for every matching row, None where the row's
    output is missing; an aggregate (sum, min, max, count) reads the present values.
    """
    n_out = len(table.outputs)
    if table.hit == "unique":
        return _unique(table.name), _default
    if table.hit == "any":
        return _any(table.name), _default
    if table.hit == "priority":
        return _priority, _default
    if table.hit == "rule_order":
        return _rule_order(n_out), _empty_lists(n_out)
    if table.hit == "output_order":
        return _output_order(n_out), _empty_lists(n_out)
    if table.hit == "collect":
        return _collect(table.aggregate, n_out)
    return _first, _default
