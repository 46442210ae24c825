"""Names, resident identity numbers, birth dates and phone numbers.

Identity numbers follow GB 11643-1999: six-digit district code, birth date
YYYYMMDD, three-digit sequence (odd for men), and an ISO 7064 MOD 11-2 check
character.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from riskrules.sim.arrays import distinct
from riskrules.sim.reference import GIVEN_CHARS, MOBILE_PREFIXES, SURNAMES
from riskrules.sim.rand import zipf_weights
from riskrules.sim.strings import ascii_rows, digit_matrix, pick

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = "10X98765432"
_CHECK_CODES = np.frombuffer(_CHECK.encode("ascii"), dtype=np.uint8)
_DAY = np.timedelta64(1, "D")


def id_check_char(body17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(body17, _WEIGHTS)) % 11]


def is_valid_id_number(value: str) -> bool:
    """Whether ``value`` is an 18-character number with a correct check character.

    >>> is_valid_id_number("11010519491231002X")
    True
    """
    return (len(value) == 18 and value[:17].isdigit()
            and value[17] == id_check_char(value[:17]))


def birth_from_id(value: str) -> str:
    """``YYYY-MM-DD`` embedded in an identity number."""
    return f"{value[6:10]}-{value[10:12]}-{value[12:14]}"


def birth_dates(rng: np.random.Generator, on: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Birth dates that make a person exactly ``age`` on the dates ``on``.

    The birthday lands at least ~3 weeks away from ``on`` so the age holds in
    every time zone and whichever day-count convention a rule uses.
    """
    years = age + 0.06 + rng.random(age.size) * 0.88
    return on - np.round(years * 365.2425).astype(np.int64) * _DAY


def age_on(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years between ``birth`` and ``on`` (datetime64[D] arrays)."""
    by, bm, bd = _ymd(birth)
    oy, om, od = _ymd(on)
    return oy - by - ((om * 100 + od) < (bm * 100 + bd))


def _ymd(d: np.ndarray):
    y = d.astype("M8[Y]").astype(np.int64) + 1970
    m = d.astype("M8[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("M8[M]").astype("M8[D]")).astype(np.int64) + 1
    return y, m, day


def id_numbers(rng: np.random.Generator, district: np.ndarray, birth: np.ndarray) -> pl.Series:
    """Unique, valid 18-character identity numbers for the given districts and births."""
    y, m, d = _ymd(birth)
    stem = (district.astype(np.int64) * 100_000_000 + y * 10_000 + m * 100 + d) * 1000
    seq = rng.integers(1, 1000, size=stem.size)
    for _ in range(50):  # re-draw the sequence number of the few collisions
        body = stem + seq
        _, first = np.unique(body, return_index=True)
        dup = np.ones(body.size, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        seq[dup] = rng.integers(1, 1000, size=int(dup.sum()))
    digits = digit_matrix(stem + seq, 17)
    check = _CHECK_CODES[((digits.astype(np.int64) - 48) @ _WEIGHTS) % 11]
    return ascii_rows(np.concatenate([digits, check[:, None]], axis=1))


def phone_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` distinct mainland mobile numbers as int64 (11 digits)."""
    prefixes = np.asarray(MOBILE_PREFIXES, dtype=np.int64)

    def draw(k: int) -> np.ndarray:
        return prefixes[rng.integers(0, prefixes.size, k)] * 100_000_000 + rng.integers(0, 100_000_000, k)

    return distinct(draw, count, spare=16)


def phone_strings(phones: np.ndarray) -> pl.Series:
    return ascii_rows(digit_matrix(phones, 11))


def names(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese full names: a common surname and one or two given-name characters."""
    surnames = list(SURNAMES)
    w = zipf_weights(len(surnames), 0.9)
    sur = pick(surnames, rng.choice(len(surnames), n, p=w / w.sum()))
    given = list(GIVEN_CHARS)
    first = pick(given, rng.integers(0, len(given), n))
    second = pick(given + [""] * (len(given) // 2), rng.integers(0, len(given) * 3 // 2, n))
    frame = pl.DataFrame({"surname": sur, "first": first, "second": second})
    return frame.select(pl.concat_str(["surname", "first", "second"]).alias("name")).to_series()
