"""Numeric builtins: rounding, bounds, logarithms, safe division and ``coalesce``.

Numbers are binary floating point (``int`` stays ``int`` where it can). Domain
errors (``log(0)``, ``sqrt(-1)``, ``exp(1000)``) are faults of the rule, not a
silent ``nan`` or ``inf``: guard them in the rule, e.g. ``log(max(income, 1))``.
"""
from __future__ import annotations

import math
from decimal import Decimal

import polars as pl

from ..types import ANY, INT, NUMBER, STRING, decimal_of
from . import ArgTypeError, builtin
from .money import EXACT, MODES, round_to
from ._common import null_if_any_null, int_or_number, common_ordered_type, common_type

INT_LIMIT = 2**63  # floor/ceil results must fit a 64-bit integer column


@builtin("abs", [ANY], int_or_number, polars=lambda x: x.abs())
def abs_(x):
    """Absolute value; an int stays an int, an amount an amount: `abs(balance_change)`."""
    return EXACT.abs(x) if type(x) is Decimal else abs(x)  # abs() would round to 28 digits


@builtin("min", [ANY], common_ordered_type, variadic=True,
         polars=lambda *xs: null_if_any_null(xs, pl.min_horizontal(xs)))
def min_(*xs):
    """The smallest of numbers, strings, dates, datetimes or durations: `min(limit, 50000)`."""
    return min(xs)


@builtin("max", [ANY], common_ordered_type, variadic=True,
         polars=lambda *xs: null_if_any_null(xs, pl.max_horizontal(xs)))
def max_(*xs):
    """The largest of numbers, strings, dates, datetimes or durations: `max(dpd_1, dpd_2)`."""
    return max(xs)


def _validate_digits(lits):
    d = lits.get(1)
    if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 15:
        return "digits must be an integer literal from 0 to 15"
    mode = lits.get(2)
    if mode is not None and mode not in MODES:
        return f"unknown rounding mode {mode!r}; use one of " + ", ".join(MODES)
    return None


def _round_type(args, lits):
    if args[0].is_decimal or (args[0].name == "int" and 2 in lits):  # an int by a mode: an amount
        if 2 not in lits:
            raise ArgTypeError(f"say how a decimal rounds: round(x, {lits.get(1, 2)}, \"half_up\") "
                               "(or half_even, down, up, floor, ceiling)")
        return decimal_of(lits[1])
    if len(args) > 2:
        raise ArgTypeError("rounding modes are for decimals; a number rounds half away from zero")
    return int_or_number(args[:1])


_round_type.__name__ = "int_or_number_or_decimal"


@builtin("round", [ANY, INT, STRING], _round_type, literal_params=(1, 2), validate=_validate_digits,
         min_args=2, returns_literals=True,
         polars=lambda x, d, mode=None: x.round(d, mode="half_away_from_zero"))
def round_(x, digits: int, mode: str | None = None):
    """Round half away from zero to `digits` decimals: `round(2.5, 0) == 3.0`; a decimal by a named mode.

    Computed as round(x * 10^digits) / 10^digits in floating point, as polars
    and most SQL engines do, so `round(2.675, 2)` is 2.68. An int is unchanged.
    A decimal is rounded exactly, by the mode the rule names:
    `round(12.345d, 2, "half_even") == 12.34d`.
    """
    if mode is not None:
        return round_to(x, digits, mode)
    if isinstance(x, int):
        return x
    p = 10.0**digits
    v = x * p
    if not math.isfinite(v):
        return x
    a = math.fabs(v)
    n = math.floor(a)
    n = n + 1.0 if a - n >= 0.5 else float(n)
    return math.copysign(n, v) / p


def _to_int_fault(x):
    return ~x.is_finite() | (x.abs() >= INT_LIMIT)


def _to_int(x, fn):
    if isinstance(x, int):
        return x
    if not math.isfinite(x) or abs(x) >= INT_LIMIT:
        raise ValueError(f"{x} has no integer {fn.__name__}")
    return fn(x)


@builtin("floor", [NUMBER], INT,
         polars=lambda x: pl.when(_to_int_fault(x)).then(None)
         .otherwise(x.cast(pl.Float64).floor().cast(pl.Int64)),
         polars_fault=lambda x: _to_int_fault(x))
def floor(x) -> int:
    """The largest integer not above `x`: `floor(-1.5) == -2`."""
    return _to_int(x, math.floor)


@builtin("ceil", [NUMBER], INT,
         polars=lambda x: pl.when(_to_int_fault(x)).then(None)
         .otherwise(x.cast(pl.Float64).ceil().cast(pl.Int64)),
         polars_fault=lambda x: _to_int_fault(x))
def ceil(x) -> int:
    """The smallest integer not below `x`: `ceil(months_on_book / 12)`."""
    return _to_int(x, math.ceil)


@builtin("log", [NUMBER], NUMBER,
         polars=lambda x: pl.when(x > 0).then(x.cast(pl.Float64).log()),
         polars_fault=lambda x: x <= 0)
def log(x) -> float:
    """Natural logarithm; `x` must be positive: `log(max(income, 1))`."""
    if x <= 0:
        raise ValueError(f"log of a non-positive number ({x})")
    return math.log(x)


def _exp_overflow(x):
    return x.cast(pl.Float64).exp().is_infinite() & x.is_finite()


@builtin("exp", [NUMBER], NUMBER,
         polars=lambda x: pl.when(~_exp_overflow(x)).then(x.cast(pl.Float64).exp()),
         polars_fault=_exp_overflow)
def exp(x) -> float:
    """e to the power `x`; an overflow is a fault: `exp(-0.5)`."""
    return math.exp(x)


@builtin("sqrt", [NUMBER], NUMBER,
         polars=lambda x: pl.when(x >= 0).then(x.cast(pl.Float64).sqrt()),
         polars_fault=lambda x: x < 0)
def sqrt(x) -> float:
    """Square root; `x` must not be negative: `sqrt(variance)`."""
    if x < 0:
        raise ValueError(f"square root of a negative number ({x})")
    return math.sqrt(x)


def _logistic_polars(x):
    x = x.cast(pl.Float64)
    neg = x.exp()
    return pl.when(x >= 0).then(1.0 / (1.0 + (-x).exp())).otherwise(neg / (1.0 + neg))


@builtin("logistic", [NUMBER], NUMBER, polars=_logistic_polars)
def logistic(x) -> float:
    """1 / (1 + e^-x), for turning log-odds into a probability: `logistic(score)`."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@builtin("clamp", [NUMBER, NUMBER, NUMBER], int_or_number,
         polars=lambda x, lo, hi: pl.when(lo <= hi).then(
             null_if_any_null([x, lo, hi], pl.min_horizontal(pl.max_horizontal(x, lo), hi))),
         polars_fault=lambda x, lo, hi: lo > hi)
def clamp(x, lo, hi):
    """`x` limited to [`lo`, `hi`]; `lo > hi` is a fault: `clamp(limit, 1000, 50000)`."""
    if lo > hi:
        raise ValueError(f"clamp bounds are reversed: {lo} > {hi}")
    return min(max(x, lo), hi)


@builtin("safe_div", [NUMBER, NUMBER], NUMBER,
         polars=lambda a, b: pl.when(b != 0).then(a / b))
def safe_div(a, b):
    """`a / b`, or missing when `b` is 0: `safe_div(overdue_amount, balance)`."""
    if b == 0:
        return None
    return a / b


@builtin("coalesce", [ANY], common_type, variadic=True, null_safe=True,
         polars=lambda *xs: pl.coalesce(list(xs)))
def coalesce(*xs):
    """The first present argument, missing if none is: `coalesce(bureau_score, 600)`."""
    for x in xs:
        if x is not None:
            return x
    return None
