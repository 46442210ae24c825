"""Choose 2-3 restructured plans a borrower can afford: a target payment-to-income.

The affordable instalment is ``monthly_income x target_pti`` (to the cent, down). For
each kind the shortest plan whose largest instalment fits is taken (a shorter plan costs
the borrower less interest); the kinds are tried from the smallest change to the
largest: re-amortization on the same dates, a term extension, a re-age with the overdue
fees waived, and, for hardship, an interest-free payment holiday before a re-age.

>>> from datetime import date
>>> acct = Account.of(balance="8000.00", overdue_principal="600.00", overdue_interest="150.00",
...                   overdue_fees="50.00", monthly_rate="0.015",
...                   remaining_due_dates=monthly_dates(date(2025, 7, 15), 10))
>>> [p.kind for p in offer_plans(acct, monthly_income="6000", target_pti="0.15")]
['term_extension', 're_age', 'payment_holiday']
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Callable

from .money import MoneyError, cents, exact, money
from .plans import (
    MAX_MONTHS,
    Account,
    Plan,
    PlanError,
    monthly_dates,
    payment_holiday,
    re_age,
    re_amortization,
    term_extension,
)

#: a payment holiday offered for hardship, in months (interest-free)
HARDSHIP_HOLIDAY = 3


def affordable_instalment(monthly_income, target_pti) -> Decimal:
    """The largest instalment that keeps payment-to-income at or below ``target_pti``."""
    try:
        income = money(monthly_income, "monthly_income")
        target = Decimal(str(target_pti)) if not isinstance(target_pti, float) else None
    except MoneyError as exc:
        raise PlanError(str(exc)) from None
    except ArithmeticError:
        target = None
    if target is None or not target.is_finite() or not Decimal(0) < target <= Decimal(1):
        raise PlanError(f"target_pti must be a ratio above 0 and at most 1 given as text or Decimal (0.3 is 30 %), "
                        f"got {target_pti!r}")
    if income <= 0:
        raise PlanError("monthly_income must be above zero to judge what the borrower can afford")
    return cents(exact(lambda: income * target), ROUND_DOWN)


def shortest_fitting(make: Callable[[int], Plan], cap: Decimal, low: int, high: int = MAX_MONTHS) -> Plan | None:
    """The plan with the fewest months in [low, high] whose largest instalment is at most
    ``cap`` (the instalment falls as the term grows, so a binary search finds it)."""
    def fits(months: int) -> Plan | None:
        try:
            plan = make(months)
        except PlanError:
            return None
        return plan if plan.largest_instalment <= cap else None

    best = fits(high) if low <= high else None
    if best is None:
        return None
    lo, hi = low, high
    while lo < hi:
        mid = (lo + hi) // 2
        plan = fits(mid)
        if plan is not None:
            best, hi = plan, mid
        else:
            lo = mid + 1
    return best


def offer_plans(acct: Account, *, monthly_income, target_pti, first_due: dt.date | None = None,
                hardship: bool = True, choices: int = 3) -> list[Plan]:
    """Up to ``choices`` plans of different kinds whose instalments fit the target.

    Raises :class:`PlanError` when no plan reaches the target within 60 months, saying
    how close the best one comes.
    """
    cap = affordable_instalment(monthly_income, target_pti)
    start = first_due or (acct.remaining_due_dates[0] if acct.remaining_due_dates else None)
    if start is None:
        raise PlanError("first_due is needed: the account has no remaining due date to start from")
    remaining = len(acct.remaining_due_dates)
    found: list[Plan] = []
    if remaining:
        try:
            plan = re_amortization(acct)
            if plan.largest_instalment <= cap:
                found.append(plan)
        except PlanError:
            pass
    longer = shortest_fitting(lambda m: term_extension(acct, m, first_due=start), cap, max(remaining + 1, 1))
    if longer is not None:
        found.append(longer)
    aged = shortest_fitting(lambda m: re_age(acct, m, first_due=start, waive_fees="all"), cap, 1)
    if aged is not None:
        found.append(aged)
    if hardship:
        holiday = shortest_fitting(
            lambda m: payment_holiday(acct, HARDSHIP_HOLIDAY, m, first_due=start, capitalise=False, waive_fees="all"),
            cap, 1, MAX_MONTHS - HARDSHIP_HOLIDAY)
        if holiday is not None:
            found.append(holiday)
    if not found:
        best = _lowest(acct, start)
        raise PlanError(
            f"no plan keeps the instalment within {cap:,} ({Decimal(str(target_pti)):%} of income) in "
            f"{MAX_MONTHS} months: the lowest is {best.largest_instalment:,} ({best.summary.lower()}, fees waived); "
            "consider a hardship review")
    return found[:choices]


def _lowest(acct: Account, start: dt.date) -> Plan:
    return re_age(acct, MAX_MONTHS, first_due=start, waive_fees="all")
