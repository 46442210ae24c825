"""Who applies: identity, age, residence, employment, income, KYC results."""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim import identity
from riskrules.sim.draft import Draft
from riskrules.sim.rand import sigmoid, stream, weighted, zipf_weights
from riskrules.sim.reference import ENUMS, INDUSTRIES, REGIONS, TRADE_NAMES
from riskrules.sim.strings import pick
from riskrules.sim.timeline import BEIJING, DAY

_EMPLOYMENT = ENUMS["employment"]
_BASE_INCOME = np.array([7_000, 9_000, 2_500, 1_500, 3_500], dtype=float)


def draw_applicants(d: Draft) -> None:
    rng = stream(d.seed, "applicants")
    _ages_and_identity(d, rng)
    _residence(d, rng)
    _employment(d, rng)
    _income(d, rng)
    _kyc(d, rng)
    _registration(d, rng)


def _ages_and_identity(d: Draft, rng: np.random.Generator) -> None:
    n, z = d.n, d.latent
    # Younger applicants are riskier; ages 20..58 for ordinary applicants.
    age = np.clip(np.round(33 - 3.5 * z + rng.normal(0, 8, n)), 20, 58).astype(np.int64)
    under, over = d.of("underage"), d.of("over_age")
    age[under] = rng.integers(16, 18, int(under.sum()))
    age[over] = rng.integers(66, 76, int(over.sum()))
    local_day = ((d.submitted + BEIJING) // DAY).astype("M8[D]")
    birth = identity.birth_dates(rng, local_day, age)
    d.cols["applicant.age"] = age
    d.cols["applicant.birth_date"] = birth
    d.keys["birth"] = birth


def _residence(d: Draft, rng: np.random.Generator) -> None:
    n = d.n
    region = weighted(rng, [r[3] for r in REGIONS], n)
    # One in five applicants was born (and got the ID) in another region: migrant workers.
    born = np.where(rng.random(n) < 0.2, weighted(rng, [r[3] for r in REGIONS], n), region)
    district = np.array([r[2] for r in REGIONS], dtype=np.int64)[born]
    d.cols["applicant.id_number"] = identity.id_numbers(rng, district, d.keys["birth"])
    d.cols["applicant.name"] = identity.names(rng, n)
    d.cols["applicant.province"] = pick([r[0] for r in REGIONS], region)
    city = pick([r[1] for r in REGIONS], region)
    d.cols["applicant.city"] = city.scatter(np.flatnonzero(rng.random(n) < 0.06), None)
    d.keys["region"] = region


def _employment(d: Draft, rng: np.random.Generator) -> None:
    n, z, age = d.n, d.latent, d.cols["applicant.age"]
    p = np.stack([
        0.62 - 0.05 * z, np.full(n, 0.2), 0.05 + 0.05 * sigmoid(2 * z),
        np.where(age <= 24, 0.25, 0.005), np.where(age >= 50, 0.3, 0.0),
    ], axis=1).clip(0.001)
    p /= p.sum(axis=1, keepdims=True)
    status = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 4)
    burst = d.burst_group >= 0
    status[burst] = 0
    working = status <= 1
    pool = max(60, n // 40)
    employers = _employer_names(rng, pool + (int(d.burst_group.max()) + 1 if burst.any() else 0))
    w = zipf_weights(pool, 0.7)
    employer = rng.choice(pool, size=n, p=w / w.sum())
    employer[burst] = pool + d.burst_group[burst]  # names nobody else uses
    months = np.clip(np.round(rng.lognormal(np.log(30), 0.9, n)), 1, 480).astype(np.int64)
    months[burst] = rng.integers(1, 4, int(burst.sum()))
    d.cols["applicant.employment"] = pick(_EMPLOYMENT, status)
    d.cols["applicant.employer"] = pick(employers, employer).scatter(np.flatnonzero(~working), None)
    d.cols["applicant.employment_months"] = pl.Series(months).scatter(np.flatnonzero(~working), None)
    d.keys["employer"] = np.where(working, employer, -1)
    d.keys["employment"] = status


def _employer_names(rng: np.random.Generator, size: int) -> list[str]:
    """``size`` distinct company names."""
    cities = sorted({r[1].removesuffix("市") for r in REGIONS})
    trades = [a + b for a in TRADE_NAMES for b in TRADE_NAMES if a != b]
    space = len(cities) * len(trades) * len(INDUSTRIES)
    picks = rng.choice(space, size=size, replace=False)
    c, rest = np.divmod(picks, len(trades) * len(INDUSTRIES))
    t, i = np.divmod(rest, len(INDUSTRIES))
    return [f"{cities[a]}{trades[b]}{INDUSTRIES[k]}有限公司" for a, b, k in zip(c, t, i)]


def _income(d: Draft, rng: np.random.Generator) -> None:
    n, z = d.n, d.latent
    base = _BASE_INCOME[d.keys["employment"]]
    income = np.round(base * np.exp(-0.25 * z + rng.normal(0, 0.45, n)), -2).clip(800, 200_000)
    d.cols["applicant.monthly_income"] = income
    verified = rng.random(n) < sigmoid(0.5 - 0.6 * z)
    verified[d.burst_group >= 0] = rng.random(int((d.burst_group >= 0).sum())) < 0.1
    d.cols["applicant.income_verified"] = verified


def _kyc(d: Draft, rng: np.random.Generator) -> None:
    n = d.n
    bad = d.of("kyc_face_mismatch")
    k = int(bad.sum())
    face = np.clip(0.985 - rng.exponential(0.035, n), 0.62, 1.0)
    face[bad] = rng.uniform(0.2, 0.54, k)
    id_ok = rng.random(n) < 0.997
    id_ok[bad] = rng.random(k) < 0.8
    live = rng.random(n) < 0.994
    live[bad] = rng.random(k) < 0.6
    bank = rng.random(n) < 0.992
    bank[bad] = rng.random(k) < 0.85
    d.cols["applicant.kyc.id_verified"] = id_ok
    d.cols["applicant.kyc.face_match"] = np.round(face, 4)
    d.cols["applicant.kyc.liveness_passed"] = live
    d.cols["applicant.kyc.name_matches_bank"] = bank


def _registration(d: Draft, rng: np.random.Generator) -> None:
    n, z = d.n, d.latent
    # Risky and organised applicants register just before applying.
    days_before = rng.lognormal(np.log(90) - 0.5 * z, 1.3, n)
    same_session = rng.random(n) < sigmoid(-2.2 + 0.6 * z)
    organised = (d.ring_group >= 0) | (d.burst_group >= 0)
    same_session |= organised & (rng.random(n) < 0.5)
    seconds = np.where(same_session, rng.integers(120, 3 * 3600, n), (days_before * DAY).astype(np.int64) + 600)
    d.cols["applicant.registered_at"] = d.submitted - seconds
