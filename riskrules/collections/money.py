"""Exact money for collections: amounts in :class:`~decimal.Decimal`, whole cents.

An amount given as a binary float is refused: ``0.1 + 0.2`` is not money. Text
(``"945.60"``), integers and Decimals are accepted; an amount with digits below
the cent, a NaN or an infinity is an error that names the field.

>>> money("945.60", "instalment")
Decimal('945.60')
"""
from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
#: precision of intermediate results (rates raised to the 60th power, annuity factors)
_CONTEXT = decimal.Context(prec=50, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                                   decimal.Overflow])
#: the largest amount accepted (a trillion in any currency unit is not one consumer loan)
MAX_AMOUNT = Decimal("1e12")


class MoneyError(ValueError):
    """An amount or rate that cannot be used; the message names the field and says why."""


def money(value, field: str, *, allow_negative: bool = False) -> Decimal:
    """``value`` as an exact amount in cents, or :class:`MoneyError` naming ``field``."""
    amount = _decimal(value, field)
    if amount != amount.quantize(CENT):
        raise MoneyError(f"{field} {value} has digits below the cent; round it first")
    if amount < 0 and not allow_negative:
        raise MoneyError(f"{field} is negative: {value}")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"{field} {value} is larger than {MAX_AMOUNT:,.0f}")
    return amount.quantize(CENT)


def rate(value, field: str) -> Decimal:
    """A rate per period (``0.02`` for 2 % a month): 0 <= rate < 1."""
    r = _decimal(value, field)
    if not Decimal(0) <= r < Decimal(1):
        raise MoneyError(f"{field} must be at least 0 and below 1 per period (0.02 is 2 %), got {value}")
    return r


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{field} is a binary float ({value!r}); give money as Decimal, text or an integer")
    try:
        d = value if isinstance(value, Decimal) else Decimal(value if isinstance(value, int) else str(value).strip())
    except (decimal.InvalidOperation, ValueError, TypeError):
        raise MoneyError(f"{field} is not a number: {str(value)[:40]!r}") from None
    if not d.is_finite():
        raise MoneyError(f"{field} is not a finite number: {value}")
    return d


def cents(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``value`` rounded to the cent (half up unless said otherwise)."""
    return value.quantize(CENT, rounding=rounding, context=_CONTEXT)


def exact(op):
    """Run ``op()`` in the high-precision context (annuity factors, powers)."""
    with decimal.localcontext(_CONTEXT):
        return op()


def split_equally(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` equal cents, the last absorbing the remainder.

    >>> split_equally(Decimal("100.00"), 3)
    [Decimal('33.33'), Decimal('33.33'), Decimal('33.34')]
    """
    if parts <= 0:
        raise MoneyError("cannot split an amount into no parts")
    share = (total / parts).quantize(CENT, rounding=decimal.ROUND_DOWN, context=_CONTEXT)
    return [share] * (parts - 1) + [total - share * (parts - 1)]
