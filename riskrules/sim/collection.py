"""Collection contacts during delinquency episodes.

Reminders start the morning after the missed due date and repeat every 2-4 days
until the arrears are paid or the observation ends (at most 25 per episode). They
are placed near the borrower's habitual hour between 08:00 and 21:00 Beijing time;
about 1.5% fall at 21:00-22:59, the kind of contact a compliance guard must stop.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim.arrays import expand
from riskrules.sim.episodes import Episodes
from riskrules.sim.nesting import DATETIME, as_series
from riskrules.sim.rand import stream
from riskrules.sim.strings import digit_matrix, pick, prefixed
from riskrules.sim.timeline import DAY, HOUR

CHANNELS = ("sms", "call", "app_push")
OUTCOMES = ("delivered", "no_answer", "promise_to_pay", "paid", "hardship_claimed", "refused",
            "wrong_number", "hung_up")
# Call outcome weights per collections segment (negligence, inability, wilful).
CALL_OUTCOMES = np.array([
    [0, 0.30, 0.50, 0.10, 0.00, 0.00, 0.00, 0.10],
    [0, 0.35, 0.20, 0.00, 0.35, 0.00, 0.00, 0.10],
    [0, 0.45, 0.05, 0.00, 0.00, 0.20, 0.10, 0.20],
])


def collections_frame(seed: int, ep: Episodes, segment: np.ndarray, usual_hour: np.ndarray,
                      ids: dict, end_s: int) -> pl.DataFrame:
    rng = stream(seed, "collections")
    e = ep.loan.size
    gap = rng.integers(2, 5, e)
    count = np.clip(np.ceil((ep.end - ep.start) / (gap * DAY)), 1, 25).astype(np.int64)
    ep_idx, j = expand(count)
    loan = ep.loan[ep_idx]
    m = loan.size
    hour = np.clip(usual_hour[loan] + rng.integers(-1, 2, m), 8, 20)
    late_evening = rng.random(m) < 0.015
    hour[late_evening] = rng.integers(21, 23, int(late_evening.sum()))
    at = ep.start[ep_idx] + 1 + j * gap[ep_idx] * DAY + hour * HOUR + rng.integers(0, HOUR, m)
    keep = (at < ep.end[ep_idx]) | (j == 0)
    keep &= at < end_s
    ep_idx, loan, at, j = ep_idx[keep], loan[keep], at[keep], j[keep]
    m = loan.size

    dpd = (at - ep.start[ep_idx] + DAY - 1) // DAY  # calendar days after the due day
    channel = np.where(j == 0, 0, rng.choice(3, m, p=[0.35, 0.45, 0.20]))
    is_call = channel == 1
    emergency = is_call & (dpd >= 30) & (rng.random(m) < 0.2)
    seg = np.maximum(segment[loan], 0)
    cumulative = np.cumsum(CALL_OUTCOMES, axis=1)[seg]
    outcome = np.where(is_call, (rng.random(m)[:, None] > cumulative).sum(axis=1), 0)
    outcome = np.minimum(outcome, len(OUTCOMES) - 1)
    return pl.DataFrame([
        prefixed("K", digit_matrix(np.arange(1, m + 1), 11)).alias("contact_id"),
        ids["loan"].gather(loan).alias("loan_id"),
        ids["applicant"].gather(loan).alias("applicant_id"),
        as_series("at", at, DATETIME),
        pl.Series("days_past_due", dpd),
        pick(CHANNELS, channel).alias("channel"),
        pick(("borrower", "emergency_contact"), emergency.astype(np.int64)).alias("target"),
        pick(OUTCOMES, outcome).alias("outcome"),
    ])
