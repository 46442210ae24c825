"""Planted patterns: known ones the origination rules target, and novel ones none does.

Each applicant carries at most one pattern. Counts are exact (``round(rate * n)``)
so tests and backtests can check recall against known numbers; a pattern member's
default and fraud outcomes are drawn at the pattern's own rates instead of from the
latent risk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NONE = -1


@dataclass(frozen=True, slots=True)
class Pattern:
    name: str
    rate: float           # share of applicants
    default_rate: float   # P(default_90d | pattern)
    fraud_rate: float     # P(first_party_fraud | pattern), a subset of defaults
    novel: bool           # True when no shipped origination rule targets it
    signature: str        # how the pattern shows in the application


PATTERNS: tuple[Pattern, ...] = (
    Pattern("blocklisted_device", 0.004, 0.55, 0.35, False, "device.id in lists/blocked_devices.txt"),
    Pattern("blocklisted_id", 0.002, 0.60, 0.30, False, "applicant.id_number in lists/blocked_id_numbers.txt"),
    Pattern("blocklisted_phone", 0.002, 0.50, 0.25, False, "applicant.phone in lists/blocked_phones.txt"),
    Pattern("emulator_device", 0.004, 0.50, 0.40, False, "device.emulator = true (often rooted too)"),
    Pattern("rooted_device", 0.006, 0.25, 0.10, False, "device.rooted = true, emulator = false"),
    Pattern("multi_platform_borrowing", 0.030, 0.35, 0.05, False,
            "credit.platforms_90d >= 8, inquiries_30d >= 10, loans_other_platforms >= 4 (多头借贷)"),
    Pattern("high_dti", 0.020, 0.30, 0.02, False, "applicant.monthly_debt / monthly_income >= 0.8"),
    Pattern("kyc_face_mismatch", 0.004, 0.50, 0.35, False, "applicant.kyc.face_match < 0.55"),
    Pattern("proxy_other_province", 0.008, 0.30, 0.15, False,
            "device.proxy = true and device.ip_province present and != applicant.province"),
    Pattern("underage", 0.002, 0.30, 0.05, False, "applicant.age in 16..17"),
    Pattern("over_age", 0.003, 0.20, 0.02, False, "applicant.age in 66..75"),
    Pattern("ring_shared_device", 0.010, 0.80, 0.65, True,
            "rings of 15-40 sharing ~1 device per 5 members and 2 emergency phones: "
            "device.accounts >= 4, contacts.count <= 15"),
    Pattern("employer_burst", 0.005, 0.75, 0.55, True,
            "bursts of 30-250 applications naming one employer never seen otherwise, "
            "all within 72 hours, employment_months <= 3"),
)

BY_NAME = {p.name: i for i, p in enumerate(PATTERNS)}
NAMES = tuple(p.name for p in PATTERNS)


def pattern_counts(n: int) -> np.ndarray:
    """Exact member count per pattern for ``n`` applicants."""
    counts = np.array([round(p.rate * n) for p in PATTERNS], dtype=np.int64)
    if counts.sum() > n:  # only for absurdly small books
        counts = np.floor(counts * n / counts.sum()).astype(np.int64)
    return counts


def assign_patterns(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pattern code per applicant (``NONE`` for ordinary applicants)."""
    codes = np.full(n, NONE, dtype=np.int8)
    counts = pattern_counts(n)
    codes[: counts.sum()] = np.repeat(np.arange(len(PATTERNS), dtype=np.int8), counts)
    return codes[rng.permutation(n)]


def code(name: str) -> int:
    return BY_NAME[name]
