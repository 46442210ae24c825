"""Restructured repayment plans in exact decimal money.

A delinquent account owes principal not yet due (``balance``) and arrears: overdue
principal, overdue interest and overdue fees. A plan says what the borrower pays on
which date instead. Four kinds, each optionally with interest and fee waivers:

``re_amortization``
    The remaining due dates stay. Overdue principal joins the balance and is
    re-amortised over those dates; overdue interest and fees (less waivers) are due with
    the first of them (Apache Fineract's default for re-amortization).
``term_extension``
    From the next due date, the whole principal is re-amortised over a longer term
    (at most 60 months: a personalised instalment plan may not exceed five years, Art. 70
    of the CBIRC credit-card measures); overdue interest and fees are due with the first
    instalment.
``re_age``
    The account is brought current: the whole principal is re-amortised over a new
    monthly schedule that starts on a chosen date, and the overdue interest and fees are
    spread in equal, interest-free parts over it.
``payment_holiday``
    Nothing is due for some months; interest on the balance accrues and is capitalised
    (or waived, an interest-free holiday); then the principal is re-amortised.

Arithmetic: an annuity (equal instalments) at the rate per month; the instalment and
each period's interest (balance x rate) are rounded half up to the cent; the last
instalment absorbs the rounding, so the instalments sum exactly to principal + interest
charged + overdue interest and fees - waivers. No instalment is zero or negative: a
plan that would need one is refused. Due dates step by calendar months from an anchor
(31 Jan -> 28/29 Feb -> 31 Mar).

>>> from datetime import date
>>> p = amortize(Decimal("10000.00"), Decimal("0.02"), monthly_dates(date(2025, 1, 31), 12))
>>> [i.total for i in p][:2], p[-1].total, sum(i.total for i in p)
([Decimal('945.60'), Decimal('945.60')], Decimal('945.55'), Decimal('11347.15'))
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from .money import CENT, MoneyError, cents, exact, money, rate, split_equally

#: a personalised instalment plan runs at most five years (CBIRC credit-card measures, Art. 70)
MAX_MONTHS = 60
KINDS = ("re_amortization", "term_extension", "re_age", "payment_holiday")
_ZERO = Decimal("0.00")


class PlanError(ValueError):
    """A plan that cannot be made as asked; the message says why and what would work."""


@dataclass(frozen=True)
class Account:
    """What a delinquent borrower owes, in exact money. Build it with :meth:`of`."""

    balance: Decimal  # principal not yet due
    monthly_rate: Decimal
    overdue_principal: Decimal = _ZERO
    overdue_interest: Decimal = _ZERO
    overdue_fees: Decimal = _ZERO
    remaining_due_dates: tuple[dt.date, ...] = ()  # the current schedule's future due dates

    @classmethod
    def of(cls, *, balance, monthly_rate, overdue_principal=0, overdue_interest=0, overdue_fees=0,
           remaining_due_dates=()) -> "Account":
        """Checked construction: amounts exact to the cent and not negative, a rate in [0, 1),
        due dates in order. Raises :class:`PlanError` naming the field."""
        try:
            acct = cls(
                balance=money(balance, "balance"), monthly_rate=rate(monthly_rate, "monthly_rate"),
                overdue_principal=money(overdue_principal, "overdue_principal"),
                overdue_interest=money(overdue_interest, "overdue_interest"),
                overdue_fees=money(overdue_fees, "overdue_fees"),
                remaining_due_dates=tuple(_date(d, "remaining_due_dates") for d in remaining_due_dates),
            )
        except MoneyError as exc:
            raise PlanError(str(exc)) from None
        dates = acct.remaining_due_dates
        if any(b <= a for a, b in zip(dates, dates[1:])):
            raise PlanError("remaining_due_dates must be in increasing order without repeats")
        if acct.principal + acct.overdue_interest + acct.overdue_fees == 0:
            raise PlanError("nothing is owed: there is nothing to restructure")
        return acct

    @property
    def principal(self) -> Decimal:
        return self.balance + self.overdue_principal

    @property
    def arrears(self) -> Decimal:
        return self.overdue_principal + self.overdue_interest + self.overdue_fees


@dataclass(frozen=True)
class Instalment:
    number: int
    due: dt.date
    principal: Decimal
    interest: Decimal  # interest of the period, plus overdue interest placed here
    fees: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def to_dict(self) -> dict:
        return {"number": self.number, "due": self.due.isoformat(), "principal": str(self.principal),
                "interest": str(self.interest), "fees": str(self.fees), "total": str(self.total)}


@dataclass(frozen=True)
class Plan:
    kind: str
    instalments: tuple[Instalment, ...]
    principal: Decimal  # all principal the plan repays
    new_interest: Decimal  # interest charged by the plan's periods (capitalised holiday interest included)
    overdue_interest: Decimal  # overdue interest still charged (after the waiver)
    overdue_fees: Decimal  # overdue fees still charged (after the waiver)
    waived_interest: Decimal = _ZERO
    waived_fees: Decimal = _ZERO
    holiday_months: int = 0
    summary: str = ""
    terms: dict = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((i.total for i in self.instalments), _ZERO)

    @property
    def months(self) -> int:
        return len(self.instalments)

    @property
    def largest_instalment(self) -> Decimal:
        return max(i.total for i in self.instalments)

    def payment_to_income(self, monthly_income: Decimal) -> Decimal:
        """The largest instalment over the monthly income, to four places."""
        return exact(lambda: self.largest_instalment / monthly_income).quantize(Decimal("0.0001"))

    def to_dict(self) -> dict:
        """JSON-ready: amounts as exact decimal strings, dates ISO."""
        return {
            "kind": self.kind, "summary": self.summary, "months": self.months, "holiday_months": self.holiday_months,
            "total": str(self.total), "principal": str(self.principal), "new_interest": str(self.new_interest),
            "overdue_interest": str(self.overdue_interest), "overdue_fees": str(self.overdue_fees),
            "waived_interest": str(self.waived_interest), "waived_fees": str(self.waived_fees),
            "largest_instalment": str(self.largest_instalment), "terms": dict(self.terms),
            "instalments": [i.to_dict() for i in self.instalments],
        }

    def preview(self) -> str:
        """The plan as a plain-text table, for a reviewer or a letter to the borrower."""
        head = f"{self.summary}\n{'#':>3}  {'due':<10}  {'principal':>12}  {'interest':>10}  {'fees':>9}  {'total':>12}"
        rows = [f"{i.number:>3}  {i.due.isoformat():<10}  {i.principal:>12,}  {i.interest:>10,}  {i.fees:>9,}  "
                f"{i.total:>12,}" for i in self.instalments]
        waived = ""
        if self.waived_interest or self.waived_fees:
            waived = f"\nwaived: interest {self.waived_interest:,}, fees {self.waived_fees:,}"
        return "\n".join([head, *rows, f"{'':>3}  {'total':<10}  {self.principal:>12,}  "
                          f"{self.new_interest + self.overdue_interest:>10,}  {self.overdue_fees:>9,}  "
                          f"{self.total:>12,}"]) + waived


# -- dates ------------------------------------------------------------------------------

def monthly_dates(first: dt.date, count: int) -> tuple[dt.date, ...]:
    """``count`` due dates a calendar month apart, counted from ``first`` (no day drift)."""
    return tuple(first + relativedelta(months=k) for k in range(count))


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PlanError(f"{field}: {str(value)[:40]!r} is not a date (YYYY-MM-DD)") from None


# -- the arithmetic -----------------------------------------------------------------------

def annuity_payment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    """The equal instalment that repays ``principal`` over ``months`` at ``monthly_rate``, to the cent."""
    if monthly_rate == 0:
        return cents(exact(lambda: principal / months))
    return cents(exact(lambda: principal * monthly_rate / (1 - (1 + monthly_rate) ** -months)))


def amortize(principal: Decimal, monthly_rate: Decimal, dates: tuple[dt.date, ...], *,
             extra_interest: list[Decimal] | None = None, extra_fees: list[Decimal] | None = None,
             ) -> tuple[Instalment, ...]:
    """An annuity schedule over ``dates``; ``extra_*`` add interest-free amounts per instalment.

    Raises :class:`PlanError` when an instalment would be zero or the balance would be
    paid off before the last date (too many instalments for too little money).
    """
    months = len(dates)
    if months < 1:
        raise PlanError("a plan needs at least one instalment")
    extra_interest = extra_interest or [_ZERO] * months
    extra_fees = extra_fees or [_ZERO] * months
    payment = annuity_payment(principal, monthly_rate, months) if principal > 0 else _ZERO
    out = []
    balance = principal
    for k, due in enumerate(dates):
        interest = cents(exact(lambda: balance * monthly_rate))
        part = balance if k == months - 1 else payment - interest
        if part < 0:
            raise PlanError(f"at rate {monthly_rate} a month the instalment {payment} does not cover the interest")
        if part > balance:  # rounding up a tiny instalment pays the balance off before the last date
            raise PlanError(f"{principal:,} over {months} instalments of {payment} is paid off early; "
                            "choose fewer months")
        balance -= part
        out.append(Instalment(k + 1, due, part, interest + extra_interest[k], extra_fees[k]))
    if any(i.total <= 0 for i in out):
        raise PlanError(f"{principal:,} spread over {months} instalments leaves an instalment of zero; "
                        "choose fewer months")
    return tuple(out)


def _waivers(acct: Account, waive_interest, waive_fees) -> tuple[Decimal, Decimal]:
    try:
        wi = acct.overdue_interest if waive_interest == "all" else money(waive_interest, "waive_interest")
        wf = acct.overdue_fees if waive_fees == "all" else money(waive_fees, "waive_fees")
    except MoneyError as exc:
        raise PlanError(str(exc)) from None
    if wi > acct.overdue_interest:
        raise PlanError(f"cannot waive {wi:,} of interest: only {acct.overdue_interest:,} is overdue")
    if wf > acct.overdue_fees:
        raise PlanError(f"cannot waive {wf:,} of fees: only {acct.overdue_fees:,} are overdue")
    return wi, wf


def _months(value: int, what: str = "months") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError(f"{what} must be a whole number, got {value!r}")
    if not 1 <= value <= MAX_MONTHS:
        raise PlanError(f"{what} must be between 1 and {MAX_MONTHS} (a plan runs at most five years), got {value}")
    return value


def _plan(kind: str, acct: Account, schedule: tuple[Instalment, ...], wi: Decimal, wf: Decimal, summary: str,
          terms: dict, *, capitalised: Decimal = _ZERO, holiday: int = 0) -> Plan:
    placed_overdue = acct.overdue_interest - wi
    new_interest = sum((i.interest for i in schedule), _ZERO) - placed_overdue + capitalised
    plan = Plan(kind, schedule, acct.principal, new_interest, placed_overdue, acct.overdue_fees - wf, wi, wf,
                holiday, summary, terms)
    _check(plan, capitalised)
    return plan


def _check(plan: Plan, capitalised: Decimal) -> None:
    """The invariants every plan keeps (a failure here is a bug, not bad input)."""
    owed = plan.principal + plan.new_interest + plan.overdue_interest + plan.overdue_fees
    paid_principal = sum((i.principal for i in plan.instalments), _ZERO)
    assert paid_principal == plan.principal + capitalised, (paid_principal, plan.principal, capitalised)
    assert plan.total == owed, (plan.total, owed)
    assert all(i.total > 0 for i in plan.instalments)
    assert plan.months <= MAX_MONTHS


# -- the four kinds -------------------------------------------------------------------------

def re_amortization(acct: Account, *, waive_interest=0, waive_fees=0) -> Plan:
    """Same remaining due dates; overdue principal spread over them."""
    dates = acct.remaining_due_dates
    if not dates:
        raise PlanError("re-amortization keeps the remaining due dates, and this account has none left; "
                        "offer a term extension or a re-age instead")
    _months(len(dates), "remaining due dates")
    wi, wf = _waivers(acct, waive_interest, waive_fees)
    first = [acct.overdue_interest - wi] + [_ZERO] * (len(dates) - 1)
    fees = [acct.overdue_fees - wf] + [_ZERO] * (len(dates) - 1)
    schedule = amortize(acct.principal, acct.monthly_rate, dates, extra_interest=first, extra_fees=fees)
    return _plan("re_amortization", acct, schedule, wi, wf,
                 f"Re-amortization: overdue principal spread over the {len(dates)} remaining instalments",
                 {"months": len(dates)})


def term_extension(acct: Account, months: int, *, first_due: dt.date | None = None, waive_interest=0,
                   waive_fees=0, monthly_rate=None) -> Plan:
    """The whole principal over ``months`` from the next due date (or ``first_due``)."""
    months = _months(months)
    start = first_due or (acct.remaining_due_dates[0] if acct.remaining_due_dates else None)
    if start is None:
        raise PlanError("term extension needs first_due: the account has no remaining due date")
    r = _rate(acct, monthly_rate)
    wi, wf = _waivers(acct, waive_interest, waive_fees)
    first = [acct.overdue_interest - wi] + [_ZERO] * (months - 1)
    fees = [acct.overdue_fees - wf] + [_ZERO] * (months - 1)
    schedule = amortize(acct.principal, r, monthly_dates(_date(start, "first_due"), months),
                        extra_interest=first, extra_fees=fees)
    return _plan("term_extension", acct, schedule, wi, wf, f"Term extension to {months} monthly instalments",
                 {"months": months, "monthly_rate": str(r)})


def re_age(acct: Account, months: int, *, first_due: dt.date, waive_interest=0, waive_fees=0,
           monthly_rate=None) -> Plan:
    """A new schedule from ``first_due``; overdue interest and fees in equal interest-free parts."""
    months = _months(months)
    r = _rate(acct, monthly_rate)
    wi, wf = _waivers(acct, waive_interest, waive_fees)
    schedule = amortize(acct.principal, r, monthly_dates(_date(first_due, "first_due"), months),
                        extra_interest=split_equally(acct.overdue_interest - wi, months),
                        extra_fees=split_equally(acct.overdue_fees - wf, months))
    return _plan("re_age", acct, schedule, wi, wf,
                 f"Re-age: arrears spread over {months} new monthly instalments", {"months": months,
                                                                                   "monthly_rate": str(r)})


def payment_holiday(acct: Account, holiday_months: int, months: int, *, first_due: dt.date,
                    capitalise: bool = True, waive_interest=0, waive_fees=0, monthly_rate=None) -> Plan:
    """Nothing due for ``holiday_months`` (from ``first_due``), then ``months`` instalments.

    With ``capitalise`` the holiday's interest (balance x rate per month, to the cent)
    joins the principal; without it the holiday is interest-free.
    """
    holiday_months = _months(holiday_months, "holiday_months")
    months = _months(months)
    if holiday_months + months > MAX_MONTHS:
        raise PlanError(f"a {holiday_months}-month holiday and {months} instalments exceed {MAX_MONTHS} months")
    r = _rate(acct, monthly_rate)
    wi, wf = _waivers(acct, waive_interest, waive_fees)
    principal = acct.principal
    capitalised = _ZERO
    if capitalise:
        for _ in range(holiday_months):
            accrued = cents(exact(lambda: principal * r))
            capitalised += accrued
            principal += accrued
    start = _date(first_due, "first_due") + relativedelta(months=holiday_months)
    first = [acct.overdue_interest - wi] + [_ZERO] * (months - 1)
    fees = [acct.overdue_fees - wf] + [_ZERO] * (months - 1)
    schedule = amortize(principal, r, monthly_dates(start, months), extra_interest=first, extra_fees=fees)
    how = "interest capitalised" if capitalise else "interest-free"
    return _plan("payment_holiday", acct, schedule, wi, wf,
                 f"Payment holiday of {holiday_months} months ({how}), then {months} monthly instalments",
                 {"holiday_months": holiday_months, "months": months, "capitalise": capitalise,
                  "monthly_rate": str(r)}, capitalised=capitalised, holiday=holiday_months)


def _rate(acct: Account, override) -> Decimal:
    if override is None:
        return acct.monthly_rate
    try:
        return rate(override, "monthly_rate")
    except MoneyError as exc:
        raise PlanError(str(exc)) from None
