"""Restructured repayment plans: the test vector, the invariants (hypothesis), bad input."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskrules.collections import (
    MAX_MONTHS,
    Account,
    PlanError,
    amortize,
    monthly_dates,
    offer_plans,
    payment_holiday,
    re_age,
    re_amortization,
    term_extension,
)
from riskrules.collections.offers import affordable_instalment

D = Decimal


def test_the_issue_test_vector():
    """10,000.00 at 2 %/month over 12 months: 11 x 945.60 and a last 945.55 (11,347.15)."""
    plan = amortize(D("10000.00"), D("0.02"), monthly_dates(date(2025, 1, 31), 12))
    assert [i.total for i in plan] == [D("945.60")] * 11 + [D("945.55")]
    assert sum(i.total for i in plan) == D("11347.15")
    assert sum(i.principal for i in plan) == D("10000.00")
    acct = Account.of(balance="10000.00", monthly_rate="0.02")
    same = term_extension(acct, 12, first_due=date(2025, 1, 31))
    assert same.total == D("11347.15") and same.new_interest == D("1347.15")


def test_due_dates_step_by_calendar_month_without_drift():
    assert monthly_dates(date(2024, 1, 31), 4) == (date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31),
                                                   date(2024, 4, 30))


def test_re_amortization_keeps_the_dates_and_spreads_overdue_principal():
    dates = monthly_dates(date(2025, 3, 10), 6)
    acct = Account.of(balance="3000.00", overdue_principal="600.00", overdue_interest="45.00", overdue_fees="20.00",
                      monthly_rate="0.01", remaining_due_dates=dates)
    plan = re_amortization(acct, waive_fees="all")
    assert tuple(i.due for i in plan.instalments) == dates
    assert plan.instalments[0].interest == D("36.00") + D("45.00")  # the period's interest + overdue interest
    assert plan.instalments[0].fees == 0 and plan.waived_fees == D("20.00")
    assert sum(i.principal for i in plan.instalments) == D("3600.00")


def test_re_age_spreads_arrears_interest_free_and_payment_holiday_capitalises():
    acct = Account.of(balance="5000.00", overdue_principal="500.00", overdue_interest="100.00",
                      overdue_fees="30.00", monthly_rate="0.015")
    aged = re_age(acct, 10, first_due=date(2025, 5, 1))
    assert [i.fees for i in aged.instalments] == [D("3.00")] * 10
    assert aged.overdue_interest == D("100.00")
    holiday = payment_holiday(acct, 2, 12, first_due=date(2025, 5, 1))
    assert holiday.instalments[0].due == date(2025, 7, 1)
    # two months of interest on 5,500.00 at 1.5 %, compounded monthly and rounded to the cent
    assert holiday.new_interest - sum(i.interest for i in holiday.instalments) + D("100.00") == D("82.50") + D("83.74")
    free = payment_holiday(acct, 2, 12, first_due=date(2025, 5, 1), capitalise=False)
    assert sum(i.principal for i in free.instalments) == D("5500.00")


def test_json_and_preview():
    acct = Account.of(balance="1200.00", overdue_fees="15.00", monthly_rate="0.02")
    plan = re_age(acct, 6, first_due=date(2025, 1, 1), waive_fees="5.00")
    out = json.loads(json.dumps(plan.to_dict()))
    assert out["total"] == str(plan.total) and D(out["instalments"][-1]["total"]) == plan.instalments[-1].total
    assert sum(D(i["total"]) for i in out["instalments"]) == D(out["total"])
    text = plan.preview()
    assert "Re-age" in text and "waived: interest 0.00, fees 5.00" in text and f"{plan.total:,}" in text


# -- invariants over random accounts ------------------------------------------------------

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=600).map(lambda bp: D(bp) / 10_000)  # 0 .. 6 % a month


@st.composite
def accounts(draw):
    remaining = draw(st.integers(min_value=0, max_value=24))
    balance = draw(cents)
    overdue = [draw(cents) for _ in range(3)]
    if balance + sum(overdue) == 0:
        balance = D("100.00")
    return Account.of(balance=balance, overdue_principal=overdue[0], overdue_interest=overdue[1],
                      overdue_fees=overdue[2], monthly_rate=draw(rates),
                      remaining_due_dates=monthly_dates(date(2025, 1, 28), remaining))


def _plans(acct: Account, months: int, holiday: int):
    yield lambda: term_extension(acct, months, first_due=date(2025, 2, 1), waive_fees="all")
    yield lambda: re_age(acct, months, first_due=date(2025, 2, 1), waive_interest=acct.overdue_interest / 2
                         if acct.overdue_interest * 50 == int(acct.overdue_interest * 50) else 0)
    yield lambda: payment_holiday(acct, holiday, min(months, MAX_MONTHS - holiday), first_due=date(2025, 2, 1))
    if acct.remaining_due_dates:
        yield lambda: re_amortization(acct)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(acct=accounts(), months=st.integers(min_value=1, max_value=MAX_MONTHS),
       holiday=st.integers(min_value=1, max_value=6))
def test_every_plan_keeps_the_invariants(acct, months, holiday):
    for make in _plans(acct, months, holiday):
        try:
            plan = make()
        except PlanError as exc:  # too many months for too little money: said plainly
            assert "choose fewer" in str(exc) or "does not cover the interest" in str(exc)
            continue
        inst = plan.instalments
        # sum to principal + interest - waivers, to the cent
        owed = (acct.principal + plan.new_interest + acct.overdue_interest + acct.overdue_fees
                - plan.waived_interest - plan.waived_fees)
        assert plan.total == owed
        assert all(i.total > 0 and i.principal >= 0 and i.interest >= 0 and i.fees >= 0 for i in inst)
        assert all(x == x.quantize(D("0.01")) for i in inst for x in (i.principal, i.interest, i.fees))
        assert plan.months + plan.holiday_months <= MAX_MONTHS
        assert all(a.due < b.due for a, b in zip(inst, inst[1:]))
        # the regular instalments are equal; only the first (arrears) and the last (rounding) differ
        regular = {i.total - (i.interest - _period_interest(plan, i)) - i.fees for i in inst[1:-1]}
        assert len(regular) <= 1


def _period_interest(plan, inst):
    return inst.interest if inst.number != 1 or plan.kind == "re_age" else inst.interest - plan.overdue_interest


# -- offers -----------------------------------------------------------------------------

def test_offers_fit_the_target_and_are_the_shortest_that_do():
    acct = Account.of(balance="20000.00", overdue_principal="1500.00", overdue_interest="300.00",
                      overdue_fees="80.00", monthly_rate="0.012",
                      remaining_due_dates=monthly_dates(date(2025, 4, 5), 12))
    cap = affordable_instalment("9000.00", "0.12")
    offers = offer_plans(acct, monthly_income="9000.00", target_pti="0.12")
    assert 2 <= len(offers) <= 3 and len({p.kind for p in offers}) == len(offers)
    for plan in offers:
        assert plan.largest_instalment <= cap
        assert plan.payment_to_income(D("9000.00")) <= D("0.12")
    extension = next(p for p in offers if p.kind == "term_extension")
    shorter = term_extension(acct, extension.months - 1, first_due=date(2025, 4, 5))
    assert shorter.largest_instalment > cap


def test_an_unreachable_target_says_how_close_the_best_plan_comes():
    acct = Account.of(balance="90000.00", monthly_rate="0.02", remaining_due_dates=monthly_dates(date(2025, 1, 1), 3))
    with pytest.raises(PlanError, match=r"no plan keeps the instalment within 300\.00 .* the lowest is 2,589\.12 "):
        offer_plans(acct, monthly_income="3000", target_pti="0.1", hardship=False)


# -- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("kw, message", [
    ({"balance": "-1.00"}, "balance is negative"),
    ({"balance": 100.5}, "binary float"),
    ({"balance": "10.005"}, "below the cent"),
    ({"balance": "NaN"}, "not a finite number"),
    ({"balance": "abc"}, "not a number"),
    ({"balance": "1e13"}, "larger than"),
    ({"monthly_rate": "1.2"}, "below 1 per period"),
    ({"monthly_rate": "-0.01"}, "at least 0"),
    ({"balance": "0", "overdue_fees": "0"}, "nothing is owed"),
    ({"remaining_due_dates": ["2025-02-01", "2025-01-01"]}, "increasing order"),
    ({"remaining_due_dates": ["2025-02-30"]}, "is not a date"),
])
def test_bad_accounts(kw, message):
    args = {"balance": "1000.00", "monthly_rate": "0.01"} | kw
    with pytest.raises(PlanError, match=message):
        Account.of(**args)


@pytest.mark.parametrize("make, message", [
    (lambda a: term_extension(a, 61, first_due=date(2025, 1, 1)), "between 1 and 60"),
    (lambda a: term_extension(a, 0, first_due=date(2025, 1, 1)), "between 1 and 60"),
    (lambda a: term_extension(a, 2.5, first_due=date(2025, 1, 1)), "whole number"),
    (lambda a: term_extension(a, 12), "needs first_due"),
    (lambda a: re_amortization(a), "has none left"),
    (lambda a: re_age(a, 12, first_due=date(2025, 1, 1), waive_fees="50.00"), "only 10.00 are overdue"),
    (lambda a: payment_holiday(a, 6, 58, first_due=date(2025, 1, 1)), "exceed 60 months"),
    (lambda a: offer_plans(a, monthly_income="0", target_pti="0.3", first_due=date(2025, 1, 1)), "above zero"),
    (lambda a: offer_plans(a, monthly_income="5000", target_pti=0.3, first_due=date(2025, 1, 1)), "target_pti"),
    (lambda a: offer_plans(a, monthly_income="5000", target_pti="1.5", first_due=date(2025, 1, 1)), "target_pti"),
])
def test_plans_refuse_what_they_cannot_do(make, message):
    acct = Account.of(balance="0.50", overdue_fees="10.00", monthly_rate="0.01")
    with pytest.raises(PlanError, match=message):
        make(acct)


def test_too_many_instalments_for_too_little_money_is_refused():
    acct = Account.of(balance="0.50", monthly_rate="0")
    with pytest.raises(PlanError, match="is paid off early; choose fewer months"):
        term_extension(acct, 60, first_due=date(2025, 1, 1))
    assert term_extension(acct, 50, first_due=date(2025, 1, 1)).total == D("0.50")


def test_a_high_rate_is_exact_too():
    """30 % a month: early instalments are nearly all interest, and the sums still hold."""
    acct = Account.of(balance="1000.00", monthly_rate="0.3")
    plan = re_age(acct, 60, first_due=date(2025, 1, 1))
    assert sum(i.principal for i in plan.instalments) == D("1000.00")
    assert plan.total == D("1000.00") + plan.new_interest and all(i.total > 0 for i in plan.instalments)
