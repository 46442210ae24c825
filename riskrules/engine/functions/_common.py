"""Helpers shared by the builtin modules: result-type callables and polars glue.

Not a domain: it registers no builtins.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from ..types import ANY, INT, NUMBER, Type, unify
from . import ArgTypeError


def _numeric(t: Type) -> bool:
    return t.is_numeric or t.name in ("null", "any")


def int_or_number(args: list[Type]) -> Type:
    """``int`` when every argument is an int, else ``number``; a decimal argument gives its own type."""
    if len(args) == 1 and args[0].is_decimal:
        return args[0]
    for t in args:
        if not _numeric(t):
            raise ArgTypeError(f"expected a number, got {t}")
    return INT if all(t.name == "int" for t in args) else NUMBER


def common_type(args: list[Type]) -> Type:
    """The unification of all argument types (``coalesce``)."""
    result = ANY
    for t in args:
        u = unify(result, t)
        if u.name == "any" and "any" not in (result.name, t.name):
            raise ArgTypeError(f"arguments of types {result} and {t} do not mix")
        result = u
    return result


ORDERED = ("int", "number", "decimal", "string", "enum", "date", "datetime", "duration")


def common_ordered_type(args: list[Type]) -> Type:
    """The common type of values that can be ordered together (``min``/``max``)."""
    for t in args:
        if t.name not in ORDERED + ("null", "any"):
            raise ArgTypeError(f"values of type {t} cannot be ordered")
    return common_type(args)


def list_item(t: Type) -> Type:
    if t.name in ("null", "any"):
        return ANY
    if t.name != "list":
        raise ArgTypeError(f"expected a list, got {t}")
    return t.item or ANY


def date_or_datetime(t: Type) -> None:
    if t.name not in ("date", "datetime", "null", "any"):
        raise ArgTypeError(f"expected a date or a datetime, got {t}")


# -- polars glue -------------------------------------------------------------

def as_expr(x) -> pl.Expr:
    """An Expr for an argument that may arrive as a Python value (literal or ``now``)."""
    return x if isinstance(x, pl.Expr) else pl.lit(x)


def now_expr(now) -> pl.Expr:
    """The decision time as an Expr that keeps its time zone.

    ``pl.lit`` turns a fixed-offset datetime (``+08:00``) into UTC, which would
    move ``today()`` across midnight, so the offset is given to polars by name.
    """
    if isinstance(now, pl.Expr):
        return now
    tz = now.tzinfo
    if tz is None:
        raise ValueError("the decision time must be timezone-aware")
    key = getattr(tz, "key", None)
    if key:
        return pl.lit(now)
    offset = now.utcoffset()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    name = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return pl.lit(now).dt.convert_time_zone(name)


def any_null(exprs) -> pl.Expr:
    return pl.any_horizontal([as_expr(e).is_null() for e in exprs])


def null_if_any_null(exprs, value: pl.Expr) -> pl.Expr:
    """Missing when any argument is missing, as the code generator's guard."""
    return pl.when(any_null(exprs)).then(None).otherwise(value)


def civil_date(series: pl.Series, now: pl.Series) -> pl.Series:
    """The calendar date of a date or tz-aware datetime Series, in ``now``'s zone."""
    if series.dtype == pl.Date:
        return series
    tz = now.dtype.time_zone if isinstance(now.dtype, pl.Datetime) else None
    if isinstance(series.dtype, pl.Datetime) and tz:
        series = series.dt.convert_time_zone(tz)
    return series.dt.date()


def py_civil_date(value, now: dt.datetime) -> dt.date:
    """The calendar date of a date or datetime, a datetime taken in ``now``'s zone."""
    if isinstance(value, dt.datetime):
        return value.astimezone(now.tzinfo).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or a datetime, got {type(value).__name__}")
