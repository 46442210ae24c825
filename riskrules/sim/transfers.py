"""Where the money went: transfers out of the payout card after disbursal.

Most money follows the stated purpose; some goes to high-risk merchant categories
(gambling 7995, securities 6211, real estate 6513, crypto 6051), more often for
risky borrowers, heavy multi-platform borrowers and fraudsters.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim import patterns
from riskrules.sim.arrays import expand
from riskrules.sim.draft import Draft
from riskrules.sim.nesting import DATETIME, as_series
from riskrules.sim.outcomes import Outcomes
from riskrules.sim.rand import sigmoid, stream
from riskrules.sim.reference import ENUMS, MERCHANT_CATEGORIES, PURPOSE_SPENDING
from riskrules.sim.strings import digit_matrix, prefixed
from riskrules.sim.timeline import DAY

_CATEGORY = [c for c, _, _ in MERCHANT_CATEGORIES]
_HIGH_RISK = np.array([i for i, (_, _, risky) in enumerate(MERCHANT_CATEGORIES) if risky])
_HIGH_RISK_WEIGHTS = np.array([0.35, 0.25, 0.15, 0.25])  # gambling, securities, real estate, crypto


def _purpose_table() -> np.ndarray:
    """Cumulative category probabilities per purpose (rows in ``ENUMS['purpose']`` order)."""
    table = np.zeros((len(ENUMS["purpose"]), len(_CATEGORY)))
    for i, purpose in enumerate(ENUMS["purpose"]):
        for category, w in PURPOSE_SPENDING[purpose].items():
            table[i, _CATEGORY.index(category)] = w
    return np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)


def transfers_frame(d: Draft, o: Outcomes, disbursed: np.ndarray, ids: dict, end_s: int) -> pl.DataFrame:
    rng = stream(d.seed, "transfers")
    n = d.n
    count = np.where(o.fraud, rng.integers(1, 3, n), 1 + rng.poisson(1.0, n))
    loan, _ = expand(count)
    m = loan.size
    at = disbursed[loan] + rng.integers(300, 14 * DAY, m)
    share = rng.random(m) + 0.2
    spent = rng.uniform(0.6, 1.0, n)
    share = share / np.bincount(loan, weights=share, minlength=n)[loan] * spent[loan]
    amount = np.round(d.cols["application.amount"][loan] * share, 2)

    heavy = d.pattern == patterns.code("multi_platform_borrowing")
    p_risky = 0.02 + 0.08 * sigmoid(d.latent - 1) + 0.45 * o.fraud + 0.15 * heavy
    risky = rng.random(m) < p_risky[loan]
    purpose = pl.Series(d.cols["application.purpose"]).replace_strict(
        list(ENUMS["purpose"]), list(range(len(ENUMS["purpose"]))), return_dtype=pl.Int64).to_numpy()
    cumulative = _purpose_table()[purpose[loan]]
    category = (rng.random(m)[:, None] > cumulative).sum(axis=1)
    category[risky] = _HIGH_RISK[rng.choice(_HIGH_RISK.size, int(risky.sum()), p=_HIGH_RISK_WEIGHTS)]

    keep = at < end_s
    order = np.lexsort((at[keep], loan[keep]))
    loan, at, amount, category = (x[keep][order] for x in (loan, at, amount, category))
    mcc = np.array([c for _, c, _ in MERCHANT_CATEGORIES], dtype=np.int64)
    flag = np.array([r for _, _, r in MERCHANT_CATEGORIES])
    return pl.DataFrame([
        prefixed("T", digit_matrix(np.arange(1, loan.size + 1), 11)).alias("transfer_id"),
        ids["loan"].gather(loan).alias("loan_id"),
        ids["applicant"].gather(loan).alias("applicant_id"),
        as_series("at", at, DATETIME),
        pl.Series("amount", amount),
        pl.Series("mcc", mcc[category]),
        pl.Series(_CATEGORY, dtype=pl.String).gather(category).alias("category"),
        pl.Series("high_risk", flag[category]),
    ])
