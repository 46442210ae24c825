"""The application table: patterns and latent risk first, then every schema field."""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim import patterns
from riskrules.sim.applicants import draw_applicants
from riskrules.sim.contacts import draw_contacts
from riskrules.sim.credit import draw_credit
from riskrules.sim.devices import draw_devices
from riskrules.sim.draft import Draft
from riskrules.sim.nesting import nest
from riskrules.sim.rand import stream, weighted
from riskrules.sim.reference import ENUMS
from riskrules.sim.strings import digit_matrix, prefixed
from riskrules.sim.timeline import split_groups, submission_times

RING_SIZE = (15, 40)
BURST_SIZE = (30, 250)
TERMS = np.array([3, 6, 9, 12, 24])
TERM_WEIGHTS = (0.15, 0.30, 0.10, 0.30, 0.15)
PURPOSE_WEIGHTS = (0.35, 0.06, 0.07, 0.06, 0.08, 0.10, 0.18, 0.10)
CHANNEL_WEIGHTS = (0.65, 0.15, 0.20)


def draw_book(seed: int, n: int, start_s: int, days: int) -> Draft:
    """Every application of the book, ordered by submission time."""
    rng = stream(seed, "patterns")
    pattern = patterns.assign_patterns(rng, n)
    burst_group = _groups(rng, pattern == patterns.code("employer_burst"), *BURST_SIZE)
    ring_group = _groups(rng, pattern == patterns.code("ring_shared_device"), *RING_SIZE)
    organised = (burst_group >= 0) | (ring_group >= 0)
    # Organised fraud presents a clean file; other planted members lean risky.
    latent = np.where(organised, rng.normal(-0.3, 0.7, n),
                      np.where(pattern == patterns.NONE, rng.normal(0, 1, n), rng.normal(0.3, 1, n)))
    submitted = submission_times(rng, n, start_s, days, burst_group, burst_group >= 0)
    order = np.argsort(submitted, kind="stable")
    d = Draft(seed=seed, n=n, start_s=start_s, days=days, pattern=pattern[order], latent=latent[order],
              submitted=submitted[order], burst_group=burst_group[order], ring_group=ring_group[order])
    draw_applicants(d)
    draw_credit(d)
    draw_devices(d)
    draw_contacts(d)
    _terms(d)
    return d


def _groups(rng: np.random.Generator, members: np.ndarray, low: int, high: int) -> np.ndarray:
    group = np.full(members.size, -1, dtype=np.int64)
    group[members] = split_groups(rng, int(members.sum()), low, high)
    return group


def _terms(d: Draft) -> None:
    rng = stream(d.seed, "terms")
    n = d.n
    income = d.cols["applicant.monthly_income"]
    amount = rng.lognormal(np.log(6_000), 0.7, n) * np.sqrt(income / 7_000)
    amount[(d.ring_group >= 0) | (d.burst_group >= 0)] *= 1.8  # take as much as possible
    d.cols["application.id"] = prefixed("APP", digit_matrix(np.arange(1, n + 1), 10))
    d.cols["application.submitted_at"] = d.submitted
    d.cols["application.amount"] = np.clip(np.round(amount, -2), 500, 50_000)
    d.cols["application.term_months"] = TERMS[weighted(rng, TERM_WEIGHTS, n)]
    d.cols["application.purpose"] = pl.Series(ENUMS["purpose"]).gather(weighted(rng, PURPOSE_WEIGHTS, n))
    d.cols["application.channel"] = pl.Series(ENUMS["channel"]).gather(weighted(rng, CHANNEL_WEIGHTS, n))


def applicant_ids(n: int) -> pl.Series:
    return prefixed("C", digit_matrix(np.arange(1, n + 1), 9))


def applications_frame(d: Draft) -> pl.DataFrame:
    """Flat ``applicant_id`` / ``application_id`` plus the five nested input columns."""
    nested = nest(d.cols)
    return pl.concat([
        pl.DataFrame({"applicant_id": applicant_ids(d.n), "application_id": d.cols["application.id"]}),
        nested,
    ], how="horizontal")
