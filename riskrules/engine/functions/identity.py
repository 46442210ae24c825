"""Identity checks for mainland China: resident ID numbers, mobile numbers, names.

A resident ID (居民身份证号码, GB 11643-1999) has 18 characters: a 6-digit
region code (GB/T 2260), the birth date YYYYMMDD, a 3-digit sequence whose last
digit is odd for men and even for women, and an ISO 7064 MOD 11-2 check
character (0-9 or X). The old 15-digit numbers stopped being valid in 2013 and
are rejected. The ``cn_id_*`` accessors fault on an invalid number, so guard
them with ``cn_id_valid`` when the input is not already verified.
"""
from __future__ import annotations

import functools
import operator
import re

import datetime as dt
import unicodedata

import polars as pl

from ..types import BOOL, DATE, INT, STRING, enum_of
from . import builtin
from ._common import now_expr
from .time import years_since

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
# Province-level codes of GB/T 2260, with 71/81/82/83 for Taiwan, Hong Kong and
# Macau residents' permits.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
MIN_BIRTH_YEAR = 1900
ID_SHAPE = "^[0-9]{17}[0-9Xx]$"
GENDER = enum_of(["female", "male"])


def _birth_date(id_number: str) -> dt.date | None:
    try:
        d = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    return d if d.year >= MIN_BIRTH_YEAR else None


# Our own constant patterns, with no nested repetition, run on the stdlib engine: RE2 is for
# patterns that come from rule text, and its per-call overhead (~5 µs) is most of decide().
_ID_SHAPE_FAST = re.compile(r"[0-9]{17}[0-9Xx]", re.ASCII)
_PHONE_FAST = re.compile(r"(?:\+?86[ -]?)?(1[3-9][0-9]{9})", re.ASCII)


@functools.lru_cache(maxsize=1)  # one decision asks up to three times about the same number
def _valid(id_number: str) -> bool:
    if _ID_SHAPE_FAST.fullmatch(id_number) is None:
        return False
    if id_number[:2] not in PROVINCES or _birth_date(id_number) is None:
        return False
    total = sum(map(operator.mul, map(int, id_number[:17]), WEIGHTS))
    return CHECK_CHARS[total % 11] == id_number[17].upper()


def _valid_polars(s: pl.Expr) -> pl.Expr:
    # Each part is written once: polars 2.1 does not share repeated sub-expressions here, and a
    # sub-expression used twice (the weighted sum in a condition and in a branch) costs twice.
    # The 17 leading digits fit in an Int64: take them apart with integer arithmetic rather
    # than 17 string slices (5x faster on a million rows). With the check character's value
    # (X = 10), MOD 11-2 holds when weighted sum + value = 1 (mod 11): that is
    # CHECK_CHARS[sum % 11] == last, without a branch.
    n = s.str.slice(0, 17).cast(pl.Int64, strict=False)
    total = pl.sum_horizontal([(n // 10 ** (16 - i)) % 10 * w for i, w in enumerate(WEIGHTS)])
    check = s.str.slice(17, 1).replace_strict(_CHECK_VALUES, default=None, return_dtype=pl.Int64)
    born = s.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return pl.when(s.is_not_null()).then(
        s.str.contains(ID_SHAPE)
        & s.str.slice(0, 2).is_in(sorted(PROVINCES))
        & (born.dt.year() >= MIN_BIRTH_YEAR).fill_null(False)
        & ((total + check) % 11 == 1).fill_null(False)
    )


_CHECK_VALUES = {**{str(d): d for d in range(10)}, "X": 10, "x": 10}


def _checked(id_number: str) -> str:
    if not _valid(id_number):
        raise ValueError(f"not a valid resident ID number: {id_number!r}")
    return id_number


# The accessors' polars forms read a number cn_id_valid has accepted (requires=): the batch
# backend checks each ID column once and shares the result between them.

@builtin("cn_id_valid", [STRING], BOOL, polars=_valid_polars)
def cn_id_valid(id_number: str) -> bool:
    """Is this an 18-character resident ID with a real birth date and a correct check character?"""
    return _valid(id_number)


@builtin("cn_id_birth_date", [STRING], DATE, requires="cn_id_valid",
         polars=lambda s: s.str.slice(6, 8).str.to_date("%Y%m%d", strict=False))
def cn_id_birth_date(id_number: str) -> dt.date:
    """The birth date in a resident ID: `cn_id_birth_date(id) != applicant.birth_date`."""
    return _birth_date(_checked(id_number))


def _age_polars(now, s):
    # whole years as years_since, on YYYYMMDD integers: (today - born) // 10000 is the year
    # difference, less one before the birthday (month and day compare as MMDD)
    today_ = now_expr(now).dt.date()
    today_ymd = (today_.dt.year().cast(pl.Int64) * 10000 + today_.dt.month().cast(pl.Int64) * 100
                 + today_.dt.day().cast(pl.Int64))
    return (today_ymd - s.str.slice(6, 8).cast(pl.Int64, strict=False)) // 10000


@builtin("cn_id_age", [STRING], INT, context="now", polars=_age_polars, requires="cn_id_valid")
def cn_id_age(now: dt.datetime, id_number: str) -> int:
    """Age in whole years at the decision time, from the ID's birth date (as `years_since`)."""
    return years_since(now, _birth_date(_checked(id_number)))


@builtin("cn_id_gender", [STRING], GENDER, requires="cn_id_valid",
         polars=lambda s: pl.when(s.str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1)
         .then(pl.lit("male")).otherwise(pl.lit("female")))
def cn_id_gender(id_number: str) -> str:
    """"male" or "female", from the parity of the 17th digit: `cn_id_gender(id) == "female"`."""
    return "male" if int(_checked(id_number)[16]) % 2 else "female"


@builtin("cn_id_region", [STRING], STRING, requires="cn_id_valid", polars=lambda s: s.str.slice(0, 6))
def cn_id_region(id_number: str) -> str:
    """The 6-digit region code of issue (GB/T 2260): `cn_id_region(id) in high_risk_regions`."""
    return _checked(id_number)[:6]


@builtin("cn_id_province", [STRING], STRING, requires="cn_id_valid", polars=lambda s: s.str.slice(0, 2))
def cn_id_province(id_number: str) -> str:
    """The 2-digit province code of issue, e.g. "44" for Guangdong: `cn_id_province(id) == "65"`."""
    return _checked(id_number)[:2]


PHONE = r"^(?:\+?86[ -]?)?(1[3-9][0-9]{9})$"


@builtin("cn_phone_valid", [STRING], BOOL, polars=lambda s: s.str.contains(PHONE))
def cn_phone_valid(phone: str) -> bool:
    """Is this a mainland mobile number, 1[3-9] and 9 digits, optionally after +86 / 86?"""
    return _PHONE_FAST.fullmatch(phone) is not None


@builtin("cn_phone_normalize", [STRING], STRING, requires="cn_phone_valid",
         polars=lambda s: s.str.slice(-11))  # a valid number ends with its 11 digits
def cn_phone_normalize(phone: str) -> str:
    """The 11-digit mobile number without +86, for list lookups; faults on an invalid one."""
    m = _PHONE_FAST.fullmatch(phone)
    if m is None:
        raise ValueError(f"not a mainland mobile number: {phone!r}")
    return m.group(1)


# Separators in minority and foreign names written in Chinese (阿依古丽·买买提).
_NAME_DOTS = str.maketrans({c: "·" for c in "•‧・．.﹒･"})


def _name_key(name: str) -> str:
    name = unicodedata.normalize("NFKC", name).casefold().translate(_NAME_DOTS)
    return "".join(name.split())


@builtin("same_person_name", [STRING, STRING], BOOL)
def same_person_name(a: str, b: str) -> bool:
    """Do two names match after width, case, dot and whitespace normalisation? `same_person_name("张 三", "张三")`."""
    return _name_key(a) == _name_key(b)
