"""Loans and their repayment schedules.

Every application is disbursed: the book is an approve-all control group, so
outcomes exist for every applicant and rules can be backtested without reject
inference. Loans amortise in equal monthly installments (等额本息) at an APR under
the 24% cap, due on the disbursal day-of-month at 23:59:59 Beijing time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from riskrules.sim.arrays import expand
from riskrules.sim.contacts import card_strings
from riskrules.sim.draft import Draft
from riskrules.sim.nesting import as_series, DATETIME
from riskrules.sim.rand import sigmoid, stream
from riskrules.sim.strings import digit_matrix, prefixed
from riskrules.sim.timeline import BEIJING, DAY, HOUR


@dataclass
class Schedule:
    loan: np.ndarray        # row → loan (= application) index
    number: np.ndarray      # installment number, 1-based
    due: np.ndarray         # epoch seconds
    amount: np.ndarray      # amount due, CNY
    principal: np.ndarray   # principal part of the amount due


def loan_ids(n: int) -> pl.Series:
    return prefixed("L", digit_matrix(np.arange(1, n + 1), 10))


def draw_loans(d: Draft) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """The loans table, disbursal times and monthly rates."""
    rng = stream(d.seed, "loans")
    n = d.n
    principal = d.cols["application.amount"]
    term = d.cols["application.term_months"]
    apr = np.round(0.09 + 0.14 * sigmoid(d.latent + rng.normal(0, 0.5, n)), 4)
    rate = apr / 12
    payment = np.round(principal * rate / (1 - (1 + rate) ** -term), 2)
    disbursed = d.submitted + rng.integers(120, 6 * HOUR, n)
    frame = pl.DataFrame([
        loan_ids(n).alias("loan_id"),
        d.cols["application.id"].alias("application_id"),
        pl.Series("applicant_id", prefixed("C", digit_matrix(np.arange(1, n + 1), 9))),
        pl.Series("principal", principal),
        pl.Series("term_months", term),
        pl.Series("apr", apr),
        pl.Series("monthly_payment", payment),
        as_series("disbursed_at", disbursed, DATETIME),
        card_strings(d.keys["bank_card"]).alias("bank_card"),
    ])
    return frame, disbursed, rate


def schedule(d: Draft, disbursed: np.ndarray, rate: np.ndarray) -> Schedule:
    term = d.cols["application.term_months"].astype(np.int64)
    principal = d.cols["application.amount"]
    loan, number = expand(term)
    number = number + 1
    local_day = ((disbursed + BEIJING) // DAY).astype("M8[D]")
    month = local_day.astype("M8[M]")
    day_of_month = (local_day - month.astype("M8[D]")).astype(np.int64)
    due_month = month[loan] + number
    month_length = ((due_month + 1).astype("M8[D]") - due_month.astype("M8[D]")).astype(np.int64)
    due_day = due_month.astype("M8[D]").astype(np.int64) + np.minimum(day_of_month[loan], month_length - 1)
    due = due_day * DAY + DAY - BEIJING - 1  # 23:59:59 local
    payment = principal * rate / (1 - (1 + rate) ** -term)
    r = rate[loan]
    growth = (1 + r) ** (number - 1)
    balance = principal[loan] * growth - payment[loan] * (growth - 1) / r
    return Schedule(loan, number, due, np.round(payment, 2)[loan], np.round(payment[loan] - balance * r, 2))


def schedule_frame(s: Schedule, ids: pl.Series) -> pl.DataFrame:
    return pl.DataFrame([
        ids.gather(s.loan).alias("loan_id"),
        pl.Series("installment", s.number),
        as_series("due_at", s.due, DATETIME),
        pl.Series("amount_due", s.amount),
        pl.Series("principal_due", s.principal),
    ])
