"""What happens to each loan: default, fraud, delinquency and cure, drawn per loan.

Ordinary applicants default with ``sigmoid(INTERCEPT + SLOPE * latent)``; the
observed features are noisy views of the same latent risk, so a scorecard on them
ranks well but not perfectly (AUC about 0.75-0.8). Planted pattern members
default and commit fraud at their pattern's own rates.

``default_90d``: an installment falling due within 90 days of disbursement is
not repaid within 30 days of its due date (it is missed, partly paid, or paid
30+ days late). ``first_party_fraud``: the borrower never meant to repay and pays
nothing at all. Both are decided here; the repayment events are then drawn to
agree with them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskrules.sim import patterns
from riskrules.sim.draft import Draft
from riskrules.sim.rand import sigmoid, stream

INTERCEPT = -3.3
SLOPE = 1.25
ORDINARY_FRAUD_SHARE = 0.06      # of ordinary defaults
CURE_AFTER_DEFAULT = 0.25        # non-fraud defaulters who later pay their arrears
SEGMENTS = ("short_term_negligence", "inability_to_pay", "wilful_default")


@dataclass
class Outcomes:
    pd: np.ndarray                # true probability of default_90d
    default: np.ndarray           # bool
    fraud: np.ndarray             # bool, implies default
    first_bad: np.ndarray         # first installment not repaid in time (1 or 2), 0 if none
    cure_delay_days: np.ndarray   # days after that due date the arrears are paid, 0 = never
    slip: np.ndarray              # bool: a non-defaulter pays one installment 1-29 days late
    wilful: np.ndarray            # bool: a non-fraud defaulter who refuses to pay
    usual_hour: np.ndarray        # borrower's habitual local hour for paying and answering


def draw_outcomes(d: Draft) -> Outcomes:
    rng = stream(d.seed, "outcomes")
    n, z = d.n, d.latent
    pd = sigmoid(INTERCEPT + SLOPE * z)
    fraud_given_default = np.full(n, ORDINARY_FRAUD_SHARE)
    for code, p in enumerate(patterns.PATTERNS):
        members = d.pattern == code
        pd[members] = p.default_rate
        fraud_given_default[members] = p.fraud_rate / p.default_rate
    default = rng.random(n) < pd
    fraud = default & (rng.random(n) < fraud_given_default)
    first_bad = np.where(default, np.where(fraud | (rng.random(n) < 0.6), 1, 2), 0)
    cures = default & ~fraud & (rng.random(n) < CURE_AFTER_DEFAULT)
    cure_delay = np.where(cures, rng.integers(31, 101, n), 0)
    slip = ~default & (rng.random(n) < sigmoid(-2.0 + 0.8 * z))
    wilful = default & ~fraud & ~cures & (rng.random(n) < 0.3)
    usual_hour = np.clip(np.round(rng.normal(13, 4, n)), 8, 22).astype(np.int64)
    return Outcomes(pd, default, fraud, first_bad, cure_delay, slip, wilful, usual_hour)


def segment(o: Outcomes) -> np.ndarray:
    """Collections segment index (into ``SEGMENTS``), -1 for loans never delinquent."""
    seg = np.full(o.default.size, -1, dtype=np.int64)
    seg[o.slip] = 0
    seg[o.default] = 1
    seg[o.fraud | o.wilful] = 2
    return seg
