"""Exact money: decimal arithmetic, explicit rounding and conversions.

A decimal's scale (digits after the point) is fixed when the rules are checked
(see ``types.py``), and every result here is brought to exactly that scale, so
the per-event backends and batch (polars ``Decimal(38, s)``) hold the same
digits. Arithmetic is exact: a result that needs more than 38 significant
digits is a fault of the rule, never a silently rounded value. Rounding only
happens where a rule asks for it: ``round(x, 2, "half_up")``,
``div(a, b, 2, "half_even")``, ``decimal(x, 2, "down")``.

Rounding modes: ``half_up`` (ties away from zero), ``half_even`` (ties to the
even digit, "banker's"), ``half_down`` is deliberately absent; ``down``
(towards zero, truncation), ``up`` (away from zero), ``floor``, ``ceiling``.

>>> div(Decimal("10.00"), Decimal("3"), 2, "half_up")
Decimal('3.33')
"""
from __future__ import annotations

import decimal as _d
import math
import re
from decimal import Decimal

import polars as pl

from ..types import ANY, INT, MAX_PRECISION, NUMBER, STRING, Type, decimal_of
from . import ArgTypeError, builtin

MODES = {
    "half_up": _d.ROUND_HALF_UP, "half_even": _d.ROUND_HALF_EVEN, "down": _d.ROUND_DOWN,
    "up": _d.ROUND_UP, "floor": _d.ROUND_FLOOR, "ceiling": _d.ROUND_CEILING,
}
_TRAPS = [_d.InvalidOperation, _d.DivisionByZero, _d.Overflow]
#: arithmetic and rescaling: anything inexact is a fault (a result past 38 digits)
EXACT = _d.Context(prec=MAX_PRECISION, rounding=_d.ROUND_HALF_EVEN, traps=_TRAPS + [_d.Inexact])
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class MoneyError(ArithmeticError):
    """A decimal value that cannot be held exactly (too many digits, not a number)."""


def _digits_ok(x: Decimal) -> Decimal:
    if len(x.as_tuple().digits) > MAX_PRECISION:
        raise MoneyError(f"{x} has more than {MAX_PRECISION} significant digits")
    return x


def fit(x, scale: int):
    """``x`` (a Decimal or an int) with exactly ``scale`` digits after the point; ``-0.00`` is ``0.00``.

    Raises when that would drop digits or need more than 38 of them.
    """
    if x is None:
        return None
    q = Decimal(x) if type(x) is int else x
    if q.as_tuple().exponent != -scale:
        try:
            q = q.quantize(Decimal(1).scaleb(-scale), context=EXACT)
        except _d.DecimalException:
            raise MoneyError(f"{x} does not fit {MAX_PRECISION} digits with {scale} after the point") from None
    if q.is_signed() and not q:
        q = -q
    return _digits_ok(q)


def _exact(op, a, b, scale):
    try:
        return fit(op(Decimal(a) if type(a) is int else a, Decimal(b) if type(b) is int else b), scale)
    except _d.DecimalException:
        raise MoneyError(f"{a} and {b}: the exact result needs more than {MAX_PRECISION} digits") from None


def add(a, b, scale: int):
    return _exact(EXACT.add, a, b, scale)


def sub(a, b, scale: int):
    return _exact(EXACT.subtract, a, b, scale)


def mul(a, b, scale: int):
    return _exact(EXACT.multiply, a, b, scale)


def neg(a, scale: int):
    # `-a` would round to the thread's context (28 digits by default): the exact context negates
    return fit(EXACT.minus(Decimal(a) if type(a) is int else a), scale)


#: the operators of exact arithmetic, as the backends call them: (operands..., scale of the result)
OPS = {"+": add, "-": sub, "*": mul, "neg": neg}


def _round_ratio(num: int, den: int, mode: str) -> int:
    """``num / den`` (den > 0) rounded to an integer by ``mode``, in exact integer arithmetic."""
    q, r = divmod(num, den)  # floor division: q <= num/den < q + 1
    if r == 0 or mode == "floor":
        return q
    if mode == "ceiling":
        return q + 1
    neg_ = num < 0
    if mode == "down":
        return q + 1 if neg_ else q
    if mode == "up":
        return q if neg_ else q + 1
    twice = 2 * r
    if twice != den:
        return q + 1 if twice > den else q
    if mode == "half_even":
        return q if q % 2 == 0 else q + 1
    return q if neg_ else q + 1  # half_up: a tie goes away from zero


def _as_ratio(x) -> tuple[int, int]:
    """``x`` (int or finite Decimal) as (numerator, 10^k)."""
    if type(x) is int:
        return x, 1
    sign, digits, exp = x.as_tuple()
    n = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return (n * 10**exp, 1) if exp >= 0 else (n, 10**-exp)


def round_to(x, places: int, mode: str) -> Decimal:
    """``x`` rounded to ``places`` digits after the point by ``mode``."""
    n, d = _as_ratio(x)
    return _from_units(_round_ratio(n * 10**places, d, mode), places)


def div(a, b, places: int, mode: str) -> Decimal:
    """The exact quotient ``a / b`` rounded once, to ``places`` digits, by ``mode``; ``b == 0`` is a fault."""
    na, da = _as_ratio(a)
    nb, db = _as_ratio(b)
    if nb == 0:
        raise ZeroDivisionError("decimal division by zero")
    num, den = na * db * 10**places, da * nb
    if den < 0:
        num, den = -num, -den
    return _from_units(_round_ratio(num, den, mode), places)


def _from_units(units: int, places: int) -> Decimal:
    if len(str(abs(units))) > MAX_PRECISION:
        raise MoneyError(f"the result needs more than {MAX_PRECISION} digits")
    return Decimal(units).scaleb(-places, context=EXACT) if units else Decimal(0).scaleb(-places)


def parse(value, places: int | None = None, mode: str | None = None) -> Decimal:
    """A decimal from an int, a Decimal, a float (its shortest ``repr``) or text such as ``"12.50"``.

    Without ``places`` the value keeps the digits it was written with; with
    ``places`` it is brought to that scale, rounding by ``mode`` when given and
    refusing (ValueError) when digits would be lost without one.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if type(value) is int:
        x = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not an amount")
        x = Decimal(repr(value))  # what was written: 12.5 -> 12.5, never 12.4999…
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not _PLAIN.fullmatch(text):
            raise ValueError(f"{value[:40]!r} is not a decimal amount")
        x = Decimal(text)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not an amount")
        x = value
    else:
        raise ValueError(f"a {type(value).__name__} is not an amount")
    if x.as_tuple().exponent > 0:  # 1E+3
        x = x.quantize(Decimal(1), context=EXACT) if len(x.as_tuple().digits) + x.as_tuple().exponent <= MAX_PRECISION \
            else _digits_ok(x)
    if places is None:
        return fit(x, -x.as_tuple().exponent)
    if mode is not None:
        return round_to(x, places, mode)
    if -x.as_tuple().exponent > places and x != round_to(x, places, "down"):
        raise ValueError(f"{value} has more than {places} digits after the point")
    return fit(x, places)


# -- builtins ------------------------------------------------------------------------

def _mode_ok(lits, at: int) -> str | None:
    mode = lits.get(at)
    if mode is not None and mode not in MODES:
        return f"unknown rounding mode {mode!r}; use one of " + ", ".join(MODES)
    return None


def _places_ok(lits, at: int = 1) -> str | None:
    p = lits.get(at)
    if p is not None and (not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= MAX_PRECISION):
        return f"places must be an integer literal from 0 to {MAX_PRECISION}"
    return None


def _number_arg(t: Type) -> None:
    if t.name not in ("int", "decimal", "null", "any"):
        hint = " (convert it with decimal(x, places))" if t.name == "number" else ""
        raise ArgTypeError(f"expected a decimal or an int, got {t}{hint}")


def _decimal_type(args: list[Type], lits: dict) -> Type:
    src = args[0]
    if src.name not in ("int", "number", "string", "decimal", "null", "any"):
        raise ArgTypeError(f"cannot convert a {src} to decimal")
    if 1 in lits:
        return decimal_of(lits[1])
    if src.name == "int":
        return decimal_of(0)
    if src.name == "decimal":
        return src
    raise ArgTypeError(f"say how many digits a {src} keeps: decimal(x, 2) or decimal(x, 2, \"half_up\")")


@builtin("decimal", [ANY, INT, STRING], _decimal_type, min_args=1, literal_params=(1, 2),
         validate=lambda lits: _places_ok(lits) or _mode_ok(lits, 2), returns_literals=True)
def to_decimal(x, places: int | None = None, mode: str | None = None) -> Decimal:
    """Exact amount from an int, a number, text or a decimal: `decimal(app.rate, 4)`, `decimal(x, 2, "half_up")`.

    A number is taken by its shortest spelling (0.1 is 0.1, not the binary
    0.1000000000000000055…); without a rounding mode, more digits than
    `places` is a fault.
    """
    if type(x) is Decimal and places is not None and mode is None:
        return fit(x, places) if -x.as_tuple().exponent <= places else parse(x, places)
    return parse(x, places, mode)


def _number_type(args: list[Type]) -> Type:
    _number_arg(args[0])
    return NUMBER


@builtin("number", [ANY], _number_type)
def to_number(x) -> float:
    """The nearest binary number to an amount, for scores and ratios: `number(app.amount) / 1000`."""
    return float(x)


def _div_type(args: list[Type], lits: dict) -> Type:
    for t in args[:2]:
        _number_arg(t)
    return decimal_of(lits.get(2, 0))


@builtin("div", [ANY, ANY, INT, STRING], _div_type, literal_params=(2, 3), returns_literals=True,
         validate=lambda lits: _places_ok(lits, 2) or _mode_ok(lits, 3))
def div_(a, b, places: int, mode: str) -> Decimal:
    """Exact division rounded once: `div(amount, 12, 2, "half_up")`; dividing by zero is a fault."""
    return div(a, b, places, mode)


def _pow_type(args: list[Type], lits: dict) -> Type:
    _number_arg(args[0])
    if 2 in lits:
        if 3 not in lits:
            raise ArgTypeError(f"say how the power rounds: pow(x, n, {lits[2]}, \"half_even\")")
        return decimal_of(lits[2])
    scale = (args[0].scale if args[0].name == "decimal" else 0) * lits.get(1, 0)
    if scale > MAX_PRECISION:
        raise ArgTypeError(f"the exact power has {scale} digits after the point (at most {MAX_PRECISION}): "
                           f"round it once, e.g. pow(x, {lits.get(1)}, 12, \"half_even\")")
    return decimal_of(scale)


def _pow_ok(lits) -> str | None:
    n = lits.get(1)
    if not (isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 64):
        return "the exponent must be an integer literal from 0 to 64"
    return _places_ok(lits, 2) or _mode_ok(lits, 3)


@builtin("pow", [ANY, INT, INT, STRING], _pow_type, literal_params=(1, 2, 3), min_args=2,
         returns_literals=True, validate=_pow_ok)
def pow_(x, n: int, places: int | None = None, mode: str | None = None) -> Decimal:
    """`x` to a whole power: exact, `pow(1 + rate, 12)`, or rounded once, `pow(1 + rate, 12, 12, "half_even")`."""
    num, den = _as_ratio(x)
    num, den = num**n, den**n
    if places is None:
        places = -(x.as_tuple().exponent if type(x) is Decimal else 0) * n
        mode = "down"  # exact: the scale holds every digit
    return _from_units(_round_ratio(num * 10**places, den, mode), places)
