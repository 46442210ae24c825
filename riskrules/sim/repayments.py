"""Repayment events: one row per installment that fell due before the observation end.

Status is one of ``on_time`` (paid by 23:59:59 local on the due day, usually at the
borrower's habitual hour), ``late_minutes`` (1-59 min), ``late_hours`` (1-23 h),
``late_days`` (a day or more, paid in full), ``partial`` (part paid, rest never) and
``missed`` (nothing paid by the observation end).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from riskrules.sim.loans import Schedule
from riskrules.sim.nesting import DATETIME, as_series
from riskrules.sim.outcomes import Outcomes
from riskrules.sim.rand import sigmoid, stream
from riskrules.sim.strings import pick
from riskrules.sim.timeline import DAY, HOUR

STATUSES = ("on_time", "late_minutes", "late_hours", "late_days", "partial", "missed")
ON_TIME, MINUTES, HOURS, DAYS, PARTIAL, MISSED = range(6)


@dataclass
class Repayments:
    loan: np.ndarray
    number: np.ndarray
    due: np.ndarray
    amount_due: np.ndarray
    status: np.ndarray      # index into STATUSES
    paid_at: np.ndarray     # epoch seconds, -1 when nothing was paid
    amount_paid: np.ndarray


def draw_repayments(seed: int, s: Schedule, o: Outcomes, latent: np.ndarray,
                    disbursed: np.ndarray, end_s: int) -> Repayments:
    rng = stream(seed, "repayments")
    seen = s.due < end_s
    loan, k, due, amount = s.loan[seen], s.number[seen], s.due[seen], s.amount[seen]
    m = loan.size
    status, paid = _ordinary(rng, m, due, latent[loan], o.usual_hour[loan])

    # A non-defaulter's one slip: an installment paid 1-29 days late.
    observed = np.bincount(loan, minlength=o.default.size)
    slip_k = np.where(o.slip, rng.integers(0, np.maximum(observed, 1)) + 1, 0)
    slipped = k == slip_k[loan]
    status[slipped] = DAYS
    n_slipped = int(slipped.sum())
    paid[slipped] = due[slipped] + rng.integers(1, 30, n_slipped) * DAY + rng.integers(0, 12 * HOUR, n_slipped)

    # Defaulters: from the first bad installment on, arrears until (if ever) they cure.
    first_bad = o.first_bad[loan]
    bad = (first_bad > 0) & (k >= first_bad)
    bad_due = _due_of(s, o.first_bad)
    jitter = rng.integers(0, DAY, o.default.size)
    cure_at = np.where(o.cure_delay_days > 0, bad_due + o.cure_delay_days * DAY + jitter, -1)
    cured_rows = bad & (cure_at[loan] > 0) & (due < cure_at[loan])
    status[cured_rows], paid[cured_rows] = DAYS, cure_at[loan][cured_rows]
    unpaid = bad & (cure_at[loan] < 0)
    status[unpaid], paid[unpaid] = MISSED, -1
    partial = unpaid & (k == first_bad) & ~o.fraud[loan] & (rng.random(m) < 0.3)
    status[partial] = PARTIAL
    paid[partial] = due[partial] + rng.integers(HOUR, 10 * DAY, int(partial.sum()))

    late_beyond_end = paid >= end_s
    status[late_beyond_end], paid[late_beyond_end] = MISSED, -1
    amount_paid = np.where(status == MISSED, 0.0, amount)
    part = status == PARTIAL
    amount_paid[part] = np.round(amount[part] * rng.uniform(0.1, 0.6, int(part.sum())), 2)
    return Repayments(loan, k, due, amount, status, paid, amount_paid)


def _ordinary(rng, m, due, latent, usual_hour):
    """Borrowers in good standing: mostly on time, riskier ones sometimes minutes or hours late."""
    p_late = 0.04 + 0.10 * sigmoid(latent - 1)
    u = rng.random(m)
    status = np.where(u < p_late * 0.6, MINUTES, np.where(u < p_late, HOURS, ON_TIME))
    day_start = due + 1 - DAY
    early_days = np.minimum(rng.geometric(0.55, m) - 1, 5)
    paid = day_start + usual_hour * HOUR + rng.integers(0, HOUR, m) - early_days * DAY
    paid = np.where(status == MINUTES, due + rng.integers(60, HOUR, m), paid)
    paid = np.where(status == HOURS, due + rng.integers(HOUR, DAY, m), paid)
    return status.astype(np.int64), paid.astype(np.int64)


def _due_of(s: Schedule, number: np.ndarray) -> np.ndarray:
    """Due time of installment ``number`` of every loan (0 where number is 0)."""
    starts = np.r_[0, np.flatnonzero(np.diff(s.loan)) + 1]
    return np.where(number > 0, s.due[starts + np.maximum(number, 1) - 1], 0)


def repayments_frame(r: Repayments, loan_ids: pl.Series) -> pl.DataFrame:
    paid = pl.Series(np.where(r.paid_at < 0, 0, r.paid_at) * 1_000_000).cast(DATETIME)
    late = np.where(r.paid_at < 0, 0, np.maximum(r.paid_at - r.due, 0) // 60)
    missing = np.flatnonzero(r.paid_at < 0)
    return pl.DataFrame([
        loan_ids.gather(r.loan).alias("loan_id"),
        pl.Series("installment", r.number),
        as_series("due_at", r.due, DATETIME),
        paid.scatter(missing, None).alias("paid_at"),
        pl.Series("amount_due", r.amount_due),
        pl.Series("amount_paid", r.amount_paid),
        pl.Series("minutes_late", late).scatter(missing, None),
        pick(STATUSES, r.status).alias("status"),
    ])
