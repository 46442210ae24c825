"""Frames in, normalised frames out: the batch backend's input checks.

A frame has one column per top-level schema field (struct columns for
objects, as the simulator writes them). ``prepare`` rebuilds every column to
exactly the declared shape and types — absent optional fields become nulls,
ISO strings become dates and datetimes (UTC), integer widths are unified — and
marks each row that breaks the schema in ``__input_error`` (the message of its
first problem), the batch counterpart of ``InputError``. A column whose type
cannot hold the declared type at all raises :class:`DataError` naming it.
"""
from __future__ import annotations

import polars as pl

from ..types import Type
from ..validate import MAX_DURATION_SECONDS

INPUT_ERROR = "__input_error"


class DataError(ValueError):
    """The data cannot be evaluated: an empty frame, or a column missing or of the wrong type."""


def polars_type(t: Type):
    return {
        "int": pl.Int64, "number": pl.Float64, "string": pl.String, "enum": pl.String, "bool": pl.Boolean,
        "date": pl.Date, "datetime": pl.Datetime("us", "UTC"), "duration": pl.Duration("us"),
    }.get(t.name) or (pl.Decimal(38, t.scale) if t.name == "decimal" else None) or (
        pl.List(polars_type(t.item) if t.item and t.item.name != "any" else pl.String) if t.name == "list"
        else pl.Struct({n: polars_type(ft) for n, ft, _ in t.fields})
    )


def _leaf(expr: pl.Expr, src_dtype, t: Type, path: str) -> pl.Expr:
    name = t.name
    if src_dtype == pl.Null:
        return pl.lit(None, dtype=polars_type(t))
    if name == "int":
        if src_dtype.is_integer():
            return expr.cast(pl.Int64)
        raise DataError(f"column {path}: expected integers, found {src_dtype}")
    if name == "number":
        if src_dtype.is_numeric():
            return expr.cast(pl.Float64)
        raise DataError(f"column {path}: expected numbers, found {src_dtype}")
    if name == "decimal":
        if src_dtype.is_integer() or (isinstance(src_dtype, pl.Decimal) and (src_dtype.scale or 0) <= t.scale):
            return expr.cast(polars_type(t), strict=False)  # exact; past 38 digits null, and an input error
        if src_dtype.is_numeric() or src_dtype == pl.String:
            # as per event (validate._decimal): text and floats by their shortest spelling, never rounded
            return expr.map_elements(lambda v, s=t.scale: _amount(v, s), return_dtype=polars_type(t))
        raise DataError(f"column {path}: expected decimal amounts, found {src_dtype}")
    if name in ("string", "enum"):
        if src_dtype in (pl.String, pl.Categorical) or isinstance(src_dtype, pl.Enum):
            return expr.cast(pl.String)
        raise DataError(f"column {path}: expected text, found {src_dtype}")
    if name == "bool":
        if src_dtype == pl.Boolean:
            return expr
        raise DataError(f"column {path}: expected true/false, found {src_dtype}")
    if name == "date":
        if src_dtype == pl.Date:
            return expr
        if src_dtype == pl.String:
            return expr.str.to_date(strict=False)
        raise DataError(f"column {path}: expected dates, found {src_dtype}")
    if name == "datetime":
        if isinstance(src_dtype, pl.Datetime):
            e = expr.dt.cast_time_unit("us")
            return e.dt.convert_time_zone("UTC") if src_dtype.time_zone else e.dt.replace_time_zone("UTC")
        if src_dtype == pl.String:
            return expr.str.to_datetime(strict=False, time_unit="us", time_zone="UTC")
        raise DataError(f"column {path}: expected datetimes, found {src_dtype}")
    if name == "duration":
        if isinstance(src_dtype, pl.Duration):
            return expr.cast(pl.Duration("us"))
        if src_dtype.is_numeric():
            # seconds; out of range, NaN or infinite -> null here and an input error (see _build)
            seconds = expr.cast(pl.Float64)
            fits = seconds.abs() <= MAX_DURATION_SECONDS
            return (pl.when(fits).then(seconds * 1_000_000).cast(pl.Int64, strict=False)
                    .cast(pl.Duration("us")))
        raise DataError(f"column {path}: expected durations, found {src_dtype}")
    if name == "list":
        if isinstance(src_dtype, pl.List):
            return expr.cast(polars_type(t), strict=False)
        raise DataError(f"column {path}: expected lists, found {src_dtype}")
    raise DataError(f"column {path}: unsupported type {t}")


def _amount(value, scale: int):
    from ..functions.money import parse

    try:
        return parse(value, scale)
    except (ValueError, ArithmeticError):
        return None


def _build(expr: pl.Expr, src_dtype, t: Type, path: str, checks: list):
    """Rebuild ``expr`` to type ``t``; append (bad-row condition, message) pairs to ``checks``."""
    if t.name != "object":
        out = _leaf(expr, src_dtype, t, path)
        if t.name in ("date", "datetime") and src_dtype == pl.String:
            checks.append((expr.is_not_null() & out.is_null(), f"{path}: not a valid {t.name}"))
        if t.name == "enum":
            checks.append((out.is_not_null() & ~out.is_in(list(t.values)),
                           f"{path}: expected one of {', '.join(t.values)}"))
        if t.name == "duration" and src_dtype.is_numeric():
            checks.append((expr.is_not_null() & out.is_null(),
                           f"{path}: duration out of range (seconds, at most ±{MAX_DURATION_SECONDS:.0e})"))
        if t.name == "decimal" and src_dtype != pl.Null:
            checks.append((expr.is_not_null() & out.is_null(),
                           f"{path}: expected a decimal amount with at most {t.scale} digits after the point"))
        if t.name == "number" and src_dtype.is_float():
            # NaN (pandas' "missing") or infinity is an input error per event too: never decide on it
            checks.append((out.is_nan() | out.is_infinite(), f"{path}: expected a finite number"))
        return out
    if src_dtype == pl.Null:  # an object missing in every row (an all-null column)
        return pl.lit(None, dtype=polars_type(t))
    if not isinstance(src_dtype, pl.Struct):
        raise DataError(f"column {path}: expected an object (struct), found {src_dtype}")
    have = {f.name: f.dtype for f in src_dtype.fields} if isinstance(src_dtype, pl.Struct) else {}
    fields = []
    for fname, ft, optional in t.fields:
        sub = f"{path}.{fname}"
        if fname in have:
            e = _build(expr.struct.field(fname), have[fname], ft, sub, checks)
        elif optional:
            e = pl.lit(None, dtype=polars_type(ft))
        else:
            raise DataError(f"column {sub} is missing (a required field)")
        if not optional:
            checks.append((expr.is_not_null() & e.is_null(), f"{sub}: required field is missing"))
        fields.append(e.alias(fname))
    return pl.when(expr.is_not_null()).then(pl.struct(fields)) if src_dtype != pl.Null else \
        pl.lit(None, dtype=polars_type(t))


def prepare(df: pl.DataFrame, schema: Type) -> pl.DataFrame:
    """The frame in exactly the schema's shape, plus ``__input_error`` (null on good rows)."""
    if df.height == 0:
        raise DataError("the data has no rows")
    checks: list = []
    cols = []
    problems = []
    for fname, ft, optional in schema.fields:
        try:
            if fname in df.columns:
                e = _build(pl.col(fname), df.schema[fname], ft, fname, checks)
            elif optional:
                e = pl.lit(None, dtype=polars_type(ft))
            else:
                raise DataError(f"column {fname} is missing (a required field)")
        except DataError as exc:
            problems.append(str(exc))
            continue
        if not optional:
            checks.append((e.is_null(), f"{fname}: required field is missing"))
        cols.append(e.alias(fname))
    if problems:
        raise DataError("; ".join(problems))
    err = pl.lit(None, dtype=pl.String)
    for cond, msg in reversed(checks):
        err = pl.when(cond).then(pl.lit(msg)).otherwise(err)
    return df.select(cols + [err.alias(INPUT_ERROR)])
