"""Delinquency episodes: from the first installment not paid on time to cure or the end.

Collections contacts and borrower messages both happen inside an episode.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskrules.sim.repayments import DAYS, MISSED, PARTIAL, Repayments


@dataclass
class Episodes:
    loan: np.ndarray       # loans that were ever delinquent
    start: np.ndarray      # due time of the first delinquent installment
    end: np.ndarray        # when the arrears were paid, or the observation end
    cured: np.ndarray      # bool
    amount: np.ndarray     # installment amount, used in reminders and messages


def delinquency_episodes(r: Repayments, end_s: int) -> Episodes:
    bad = np.isin(r.status, (DAYS, PARTIAL, MISSED))
    loan, first = np.unique(r.loan[bad], return_index=True)
    rows = np.flatnonzero(bad)
    open_rows = np.isin(r.status[rows], (PARTIAL, MISSED))
    still_open = np.add.reduceat(open_rows.astype(np.int64), first) > 0 if rows.size else np.zeros(0, bool)
    last_paid = np.maximum.reduceat(r.paid_at[rows], first) if rows.size else np.zeros(0, np.int64)
    end = np.where(still_open, end_s, last_paid)
    return Episodes(loan, r.due[rows[first]], end, ~still_open, r.amount_due[rows[first]])


def truth_flags(r: Repayments, n: int, disbursed: np.ndarray, ep: Episodes):
    """``(default_90d, delinquent, cured)`` per loan, read back from the repayment rows."""
    in_90 = r.due <= disbursed[r.loan] + 90 * 86_400
    thirty_late = np.isin(r.status, (PARTIAL, MISSED)) | ((r.status == DAYS) & (r.paid_at - r.due >= 30 * 86_400))
    default = np.bincount(r.loan[in_90 & thirty_late], minlength=n) > 0
    delinquent = np.zeros(n, dtype=bool)
    delinquent[ep.loan] = True
    cured = np.zeros(n, dtype=bool)
    cured[ep.loan] = ep.cured
    return default, delinquent, cured
