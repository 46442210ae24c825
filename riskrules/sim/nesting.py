"""Flat dotted columns → the nested struct columns of ``rulesets/origination/schema.yaml``.

The shape is written out here (not read from the YAML at run time) so the simulator
has no file dependency; ``tests/sim/test_schema.py`` checks it field for field
against the YAML.
"""
from __future__ import annotations

import numpy as np
import polars as pl

DATETIME = pl.Datetime("us", "UTC")

# (field, dtype) or (object, nested fields), in schema order.
SCHEMA: tuple = (
    ("application", (
        ("id", pl.String), ("submitted_at", DATETIME), ("amount", pl.Float64), ("term_months", pl.Int64),
        ("purpose", pl.String), ("channel", pl.String),
    )),
    ("applicant", (
        ("id_number", pl.String), ("name", pl.String), ("age", pl.Int64), ("birth_date", pl.Date),
        ("phone", pl.String), ("registered_at", DATETIME), ("monthly_income", pl.Float64),
        ("income_verified", pl.Boolean), ("monthly_debt", pl.Float64), ("employment", pl.String),
        ("employer", pl.String), ("employment_months", pl.Int64), ("province", pl.String), ("city", pl.String),
        ("kyc", (
            ("id_verified", pl.Boolean), ("face_match", pl.Float64), ("liveness_passed", pl.Boolean),
            ("name_matches_bank", pl.Boolean),
        )),
    )),
    ("credit", (
        ("history_months", pl.Int64), ("open_loans", pl.Int64), ("delinquencies_12m", pl.Int64),
        ("max_dpd_24m", pl.Int64), ("inquiries_7d", pl.Int64), ("inquiries_30d", pl.Int64),
        ("platforms_90d", pl.Int64), ("loans_other_platforms", pl.Int64), ("bureau_score", pl.Int64),
    )),
    ("device", (
        ("id", pl.String), ("os", pl.String), ("rooted", pl.Boolean), ("emulator", pl.Boolean),
        ("ip", pl.String), ("ip_province", pl.String), ("proxy", pl.Boolean),
        ("applications_7d", pl.Int64), ("accounts", pl.Int64),
    )),
    ("contacts", (
        ("count", pl.Int64), ("emergency_phone", pl.String), ("emergency_overdue", pl.Boolean),
        ("blocklisted", pl.Int64),
    )),
)

INPUT_COLUMNS = tuple(name for name, _ in SCHEMA)


def as_series(name: str, values, dtype) -> pl.Series:
    """A column of the right dtype from numpy (datetimes as epoch seconds) or polars."""
    if isinstance(values, pl.Series):
        return values.alias(name).cast(dtype)
    values = np.asarray(values)
    if dtype == DATETIME:
        return pl.Series(name, values.astype(np.int64) * 1_000_000).cast(DATETIME)
    return pl.Series(name, values).cast(dtype)


def _struct(prefix: str, fields) -> pl.Expr:
    parts = []
    for name, kind in fields:
        path = f"{prefix}.{name}"
        parts.append(_struct(path, kind).alias(name) if isinstance(kind, tuple) else pl.col(path).alias(name))
    return pl.struct(parts)


def _leaves(prefix: str, fields):
    for name, kind in fields:
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(kind, tuple):
            yield from _leaves(path, kind)
        else:
            yield path, kind


def nest(cols: dict) -> pl.DataFrame:
    """The five input struct columns from ``{dotted.path: values}``."""
    flat = pl.DataFrame([as_series(path, cols[path], dtype) for path, dtype in _leaves("", SCHEMA)])
    return flat.select([_struct(name, fields).alias(name) for name, fields in SCHEMA])
