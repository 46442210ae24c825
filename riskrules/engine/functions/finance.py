"""Lending arithmetic: instalments, affordability ratios and the true annual rate.

Rates are fractions per year (0.18 is 18 %), terms are months, money is in one
currency unit. A ratio over a zero or negative income or limit is missing, not
a fault: such applicants exist and the rules decide what to do with them.
"""
from __future__ import annotations

import polars as pl

from ..types import INT, NUMBER
from . import builtin


def _monthly_payment_polars(principal, annual_rate, months):
    r = annual_rate.cast(pl.Float64) / 12.0
    annuity = principal * r / (1.0 - (1.0 + r).pow(-months.cast(pl.Float64)))
    flat = principal / months
    return pl.when(months > 0).then(pl.when(r == 0).then(flat).otherwise(annuity))


@builtin("monthly_payment", [NUMBER, NUMBER, INT], NUMBER, polars=_monthly_payment_polars,
         polars_fault=lambda principal, annual_rate, months: months <= 0)
def monthly_payment(principal, annual_rate, months: int) -> float:
    """Equal monthly instalment (等额本息) of a loan: `monthly_payment(10000, 0.12, 12)` ≈ 888.49.

    A zero rate repays `principal / months`; `months` must be positive.
    """
    if months <= 0:
        raise ValueError(f"monthly_payment needs a positive number of months, got {months}")
    r = annual_rate / 12.0
    if r == 0:
        return principal / months
    return principal * r / (1.0 - (1.0 + r) ** -float(months))


def _ratio_polars(a, b):
    return pl.when(b > 0).then(a / b)


@builtin("debt_to_income", [NUMBER, NUMBER], NUMBER, polars=_ratio_polars)
def debt_to_income(monthly_debt, monthly_income):
    """Monthly debt service over monthly income, missing unless income > 0: `debt_to_income(debt, income) > 0.5`."""
    return monthly_debt / monthly_income if monthly_income > 0 else None


@builtin("loan_to_income", [NUMBER, NUMBER], NUMBER, polars=_ratio_polars)
def loan_to_income(loan_amount, annual_income):
    """Loan amount over annual income, missing unless income > 0: `loan_to_income(amount, income * 12)`."""
    return loan_amount / annual_income if annual_income > 0 else None


@builtin("utilization", [NUMBER, NUMBER], NUMBER, polars=_ratio_polars)
def utilization(balance, credit_limit):
    """Balance over credit limit, missing unless the limit > 0: `utilization(balance, limit) > 0.9`."""
    return balance / credit_limit if credit_limit > 0 else None


def _pv(r: float, payment: float, months: int) -> float:
    return payment * months if r == 0 else payment * (1 - (1 + r) ** -months) / r


@builtin("apr", [NUMBER, NUMBER, INT], NUMBER)
def apr(principal, payment, months: int) -> float:
    """The true annual rate (IRR × 12) of a loan repaid in equal instalments: `apr(10000, 900, 12) > 0.24`.

    This is the 年化利率 that the 24 % / 36 % caps refer to, whatever the fees are
    called; `apr(10000, 10000 / 12 + 10000 * 0.01, 12)` turns a 1 % monthly
    "flat fee" into ≈ 0.2146. Needs principal > 0, payment > 0, months > 0.
    """
    if principal <= 0 or payment <= 0 or months <= 0:
        raise ValueError("apr needs a positive principal, payment and number of months")
    if payment * months < principal:
        lo, hi = -0.9999, 0.0  # repays less than it lent: a negative rate
    else:
        lo, hi = 0.0, 1.0
        while _pv(hi, payment, months) > principal:
            hi *= 2
            if hi > 1e6:
                raise ValueError("apr: the rate is unboundedly large")
    for _ in range(200):  # bisection: the present value falls as the rate rises
        mid = (lo + hi) / 2
        if _pv(mid, payment, months) > principal:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return round((lo + hi) / 2 * 12, 10)
