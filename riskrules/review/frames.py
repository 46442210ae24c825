"""Flat frames of what a ruleset can test: input fields and features, one column each.

Columns are named as a rule would name them (``device.accounts``, ``dti``), so a
condition learnt over this frame is already a riskrules expression. Features are
computed with the batch backend's own plan, so they agree with the engine.

>>> flat = feature_frame(engine, applications)       # doctest: +SKIP
>>> flat["device.accounts"].max()                    # doctest: +SKIP
8
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from ..engine.batch import feature_frame as batch_feature_frame

KINDS = ("int", "number", "bool", "enum")


@dataclass(frozen=True, slots=True)
class Column:
    """One testable value: its expression name, its kind and (for enums) its values."""

    name: str
    kind: str
    values: tuple[str, ...] = ()


def columns(program) -> list[Column]:
    """Numeric, bool and enum input fields, then numeric and bool features."""
    out: list[Column] = []

    def walk(t, prefix):
        for name, ft, _optional in t.fields:
            path = f"{prefix}{name}"
            if ft.name == "object":
                walk(ft, path + ".")
            elif ft.name in KINDS:
                out.append(Column(path, ft.name, tuple(ft.values or ()) if ft.name == "enum" else ()))

    walk(program.schema, "")
    for name, node in program.features.items():
        if node.type.name in ("int", "number", "bool"):
            out.append(Column(name, node.type.name))
    return out


def number_fields(program) -> dict[str, str]:
    """Input fields the schema declares numeric, by dotted path: ``int`` or ``number``
    (what :func:`riskrules.data.rows` needs to read numbers from a text CSV column)."""
    return {c.name: c.kind for c in columns(program) if c.kind in ("int", "number") and c.name not in program.features}


def review_field(program, key: str) -> tuple[str, ...] | None:
    """The input path the ruleset's ``review:`` block names for ``key`` (``amount``: the
    amount at stake, ``id``: what outcome files call an application), or None when the
    ruleset does not say. The checker made sure it is a field of the schema.

    >>> review_field(engine.program, "amount")           # doctest: +SKIP
    ('application', 'amount')
    """
    expr = getattr(program.review, key, None) if program.review is not None else None
    return tuple(expr.parts) if expr is not None else None


def value_at(data, path: tuple[str, ...] | None):
    """The value at ``path`` in a nested input dict, None when any step is missing."""
    if path is None:
        return None
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def amount_of(data, path: tuple[str, ...] | None) -> float:
    """The amount at ``path`` (the ruleset's ``review: amount``) in an input; 0 when the
    ruleset names none or the input has none."""
    value = value_at(data, path)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return 0.0
    return float(value)


def acting_rules(program) -> list[str]:
    """Ids of the active rules with an action. Points-only rules shade the score but
    explain no outcome; intake, the anomaly threshold and backtests must agree on this."""
    return [r.id for r in program.rules if r.action is not None]


def frame_of(records: list[dict]) -> pl.DataFrame:
    """Nested input dicts as a frame with one struct column per top-level field."""
    return pl.from_dicts(records, infer_schema_length=None)


def feature_frame(engine, df: pl.DataFrame, *, now: dt.datetime | pl.Series | None = None,
                  cols: list[Column] | None = None) -> pl.DataFrame:
    """One flat column per :func:`columns` entry, in the same row order as ``df``.

    Features are computed by the batch backend's public :func:`feature_frame`, as of each
    row's decision time (the ruleset's ``decision_time``, or ``now``: one time, or one per row).
    """
    cols = cols if cols is not None else columns(engine.program)
    return batch_feature_frame(engine, df, [c.name for c in cols], now=now)


def numeric_matrix(flat: pl.DataFrame, cols: list[Column]):
    """Float matrix for models: bools as 0/1, enums one-hot, missing as NaN."""
    import numpy as np

    parts, names = [], []
    for c in cols:
        s = flat[c.name]
        if c.kind == "enum":
            for v in c.values:
                parts.append((s == v).fill_null(False).cast(pl.Float64).to_numpy())
                names.append(f"{c.name}=={v}")
        else:
            parts.append(s.cast(pl.Float64).to_numpy())
            names.append(c.name)
    return np.column_stack(parts) if parts else np.zeros((flat.height, 0)), names
