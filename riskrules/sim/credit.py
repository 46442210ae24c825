"""Credit bureau view and existing debt, driven by the latent risk.

Ordinary applicants stay below the thresholds of the known patterns (at most 7
platforms, 9 inquiries in 30 days, 3 loans elsewhere, a debt-to-income ratio
of 0.75), so a rule on those thresholds separates planted members exactly.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim.draft import Draft
from riskrules.sim.rand import sigmoid, stream


def draw_credit(d: Draft) -> None:
    rng = stream(d.seed, "credit")
    n, z, age = d.n, d.latent, d.cols["applicant.age"]
    history = np.round(rng.lognormal(np.log(40) - 0.3 * z, 0.9, n))
    history = np.clip(history, 0, np.maximum(age - 17, 0) * 12).astype(np.int64)
    score = np.clip(np.round(640 - 60 * z + rng.normal(0, 40, n)), 350, 950).astype(np.int64)
    thin = (history < 6) | (rng.random(n) < 0.03)
    has_history = history > 0
    dq = np.where(has_history, rng.poisson(np.exp(-1.9 + 0.8 * z)), 0)
    ever_late = has_history & ((dq > 0) | (rng.random(n) < sigmoid(-3.0 + 0.9 * z)))
    band = np.clip(np.floor(sigmoid(0.8 * z + rng.normal(0, 1, n)) * 4), 0, 3).astype(np.int64)
    band_low, band_high = np.array([1, 30, 60, 90]), np.array([29, 59, 89, 180])
    max_dpd = np.where(ever_late, rng.integers(band_low[band], band_high[band] + 1), 0)
    inq7 = np.minimum(rng.poisson(np.exp(-0.9 + 0.45 * z)), 4)
    inq30 = np.minimum(inq7 + rng.poisson(np.exp(0.2 + 0.45 * z)), 9)
    platforms = np.minimum(rng.poisson(np.exp(0.4 + 0.4 * z)), 7)
    other = np.minimum(np.minimum(rng.poisson(np.exp(-0.6 + 0.45 * z)), 3), platforms)
    open_loans = rng.poisson(np.exp(0.1 + 0.3 * z)) + other

    heavy = d.of("multi_platform_borrowing")
    k = int(heavy.sum())
    platforms[heavy] = rng.integers(8, 26, k)
    inq7[heavy] = rng.integers(3, 16, k)
    inq30[heavy] = inq7[heavy] + rng.integers(10, 30, k)
    other[heavy] = rng.integers(4, 13, k)
    open_loans[heavy] = other[heavy] + rng.integers(0, 3, k)

    d.cols["credit.history_months"] = history
    d.cols["credit.open_loans"] = open_loans.astype(np.int64)
    d.cols["credit.delinquencies_12m"] = dq.astype(np.int64)
    d.cols["credit.max_dpd_24m"] = max_dpd.astype(np.int64)
    d.cols["credit.inquiries_7d"] = inq7.astype(np.int64)
    d.cols["credit.inquiries_30d"] = inq30.astype(np.int64)
    d.cols["credit.platforms_90d"] = platforms.astype(np.int64)
    d.cols["credit.loans_other_platforms"] = other.astype(np.int64)
    d.cols["credit.bureau_score"] = pl.Series(score).scatter(np.flatnonzero(thin), None)
    _monthly_debt(d, rng, open_loans)


def _monthly_debt(d: Draft, rng: np.random.Generator, open_loans: np.ndarray) -> None:
    n, z = d.n, d.latent
    income = d.cols["applicant.monthly_income"]
    dti = np.clip(rng.beta(2.0, 7.0, n) + 0.07 * z, 0.01, 0.75)
    dti = np.where(open_loans == 0, 0.0, dti)
    high = d.of("high_dti")
    dti[high] = rng.uniform(0.85, 1.8, int(high.sum()))
    d.cols["applicant.monthly_debt"] = np.round(income * dti, 0)
