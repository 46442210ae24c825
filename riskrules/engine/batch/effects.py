"""Effect masks and the small helpers every part of the batch plan shares.

A compiled node is (value, effects): a mask per channel, ``!`` (evaluating it raised in
this row) and ``m:<model>`` (evaluating it computed that model).
"""
from __future__ import annotations

import polars as pl


FAULT = "!"
AS_OF = "__as_of"  # a column of per-row decision times given by the caller
ENGINE = "in-memory"  # polars collect engine: shares common sub-expressions (half the CPU of streaming here)
MAX_MODEL_REASONS = 4
_CMP = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def _or(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _and(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _gate(eff: dict, mask) -> dict:
    return dict(eff) if mask is None else {k: v & mask for k, v in eff.items()}


def _merge(*effs: dict) -> dict:
    out: dict = {}
    for e in effs:
        for k, v in e.items():
            out[k] = _or(out.get(k), v)
    return out


def _truth(v: pl.Expr) -> pl.Expr:
    return v.fill_null(False)


def _path_column(steps: tuple[str, ...]) -> pl.Expr:
    """An input field of the prepared frame: a top-level column, then struct fields."""
    e = pl.col(steps[0])
    for s in steps[1:]:
        e = e.struct.field(s)
    return e


def _eff_columns(name: str, value: pl.Expr, eff: dict) -> list[pl.Expr]:
    return [value.alias(name)] + [e.alias(f"{name}{k}") for k, e in eff.items()]
