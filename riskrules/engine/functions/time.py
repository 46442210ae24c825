"""Date and time builtins: the decision time, ages, elapsed time, calendar parts.

A calendar question about an instant needs a time zone. The ``*_since``
functions take the decision time's zone (``decide(now=…)``); ``date_of`` and
``hour_of`` take an explicit zone literal such as ``"Asia/Shanghai"``.

Whole years and months are counted the conservative way: an anniversary that
falls on a day the month lacks (29 February, the 31st) is reached on the first
day of the next month, so someone born on 2008-02-29 is 17 on 2026-02-28 and 18
on 2026-03-01. ``add_months`` instead clamps to the month's last day, as
repayment schedules do.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import zoneinfo

import polars as pl

from ..types import DATE, DATETIME, DURATION, INT, NUMBER, STRING, Type
from . import builtin
from ._common import civil_date, date_or_datetime, now_expr, py_civil_date

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
MIN_DATE, MAX_DATE = dt.date.min, dt.date.max


def int_for_date_or_datetime(args: list[Type]) -> Type:
    date_or_datetime(args[0])
    return INT


# -- the decision time ---------------------------------------------------------

@builtin("now", [], DATETIME, context="now", polars=now_expr)
def now(now: dt.datetime) -> dt.datetime:
    """The decision time: `now() - applicant.registered_at < 24h`."""
    return now


@builtin("today", [], DATE, context="now", polars=lambda now: now_expr(now).dt.date())
def today(now: dt.datetime) -> dt.date:
    """The decision time's date, in its own time zone: `today() - loan.due_date > 30d`."""
    return now.date()


# -- elapsed time ------------------------------------------------------------------

def _elapsed(fn, dtype):
    """A polars form over (now, date-or-datetime) that dispatches on the column type."""

    def batch(series: list[pl.Series]) -> pl.Series:
        now_s, value = series
        return fn(now_s, value)

    def form(now, value):
        return pl.map_batches([now_expr(now), value], batch, return_dtype=dtype,
                              is_elementwise=True)

    return form


def _whole_months(now_s: pl.Series, value: pl.Series) -> pl.Series:
    then, today_ = civil_date(value, now_s), now_s.dt.date()
    months = (today_.dt.year().cast(pl.Int64) - then.dt.year().cast(pl.Int64)) * 12 + (
        today_.dt.month().cast(pl.Int64) - then.dt.month().cast(pl.Int64))
    return months - (today_.dt.day() < then.dt.day()).cast(pl.Int64)


def _months_between(then: dt.date, today_: dt.date) -> int:
    months = (today_.year - then.year) * 12 + today_.month - then.month
    return months - (today_.day < then.day)


@builtin("years_since", [Type("any")], int_for_date_or_datetime, context="now",
         polars=_elapsed(lambda n, v: _whole_months(n, v) // 12, pl.Int64))
def years_since(now: dt.datetime, value) -> int:
    """Whole years from a date or datetime to the decision time: `years_since(applicant.birth_date)`."""
    return _months_between(py_civil_date(value, now), now.date()) // 12


@builtin("months_since", [Type("any")], int_for_date_or_datetime, context="now",
         polars=_elapsed(_whole_months, pl.Int64))
def months_since(now: dt.datetime, value) -> int:
    """Whole months from a date or datetime to the decision time: `months_since(loan.opened_on)`."""
    return _months_between(py_civil_date(value, now), now.date())


def _days_batch(now_s: pl.Series, value: pl.Series) -> pl.Series:
    if value.dtype == pl.Date:
        return (now_s.dt.date() - value).dt.total_days().cast(pl.Int64)
    return (_utc(now_s) - _utc(value)).dt.total_microseconds() // US_PER_DAY


def _utc(x):
    """Instants in UTC: polars subtracts datetimes only within one zone."""
    return x.dt.convert_time_zone("UTC")


@builtin("days_since", [Type("any")], int_for_date_or_datetime, context="now",
         polars=_elapsed(_days_batch, pl.Int64))
def days_since(now: dt.datetime, value) -> int:
    """Whole days to the decision time: calendar days from a date, full 24 h from a datetime.

    `days_since(loan.due_date) > 30`; a future value gives a negative number.
    """
    if isinstance(value, dt.datetime):
        return (now - value) // dt.timedelta(days=1)
    return (now.date() - value).days


@builtin("hours_since", [DATETIME], NUMBER, context="now",
         polars=lambda now, t: (_utc(now_expr(now)) - _utc(t)).dt.total_microseconds()
         / US_PER_HOUR)
def hours_since(now: dt.datetime, t: dt.datetime) -> float:
    """Hours (with fraction) from a datetime to the decision time: `hours_since(repayment.due_at) > 1`."""
    return (now - t) / dt.timedelta(hours=1)


# -- durations -------------------------------------------------------------------------

def _duration_in(unit_us: int, name: str, example: str):
    def fn(d: dt.timedelta) -> float:
        return d / dt.timedelta(microseconds=unit_us)

    fn.__doc__ = f"A duration in {name} (with fraction): `{example}`."
    fn.__name__ = name
    return builtin(name, [DURATION], NUMBER,
                   polars=lambda d: d.dt.total_microseconds() / unit_us)(fn)


days = _duration_in(US_PER_DAY, "days", "days(loan.term) >= 90")
hours = _duration_in(US_PER_HOUR, "hours", "hours(now() - last_login_at) < 2")
minutes = _duration_in(60_000_000, "minutes", "minutes(session.length) < 3")
seconds = _duration_in(1_000_000, "seconds", "seconds(form.fill_time) < 20")


# -- calendar parts ----------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _validate_zone(lits):
    name = lits.get(1)
    if not isinstance(name, str) or not name:
        return "the time zone must be a string literal such as \"Asia/Shanghai\""
    try:
        _zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (use an IANA name such as \"Asia/Shanghai\")"
    return None


@builtin("date_of", [DATETIME, STRING], DATE, literal_params=(1,), validate=_validate_zone,
         polars=lambda t, tz: t.dt.convert_time_zone(tz).dt.date())
def date_of(t: dt.datetime, tz: str) -> dt.date:
    """The calendar date of a datetime in a zone: `date_of(transfer.at, "Asia/Shanghai")`."""
    return t.astimezone(_zone(tz)).date()


@builtin("hour_of", [DATETIME, STRING], INT, literal_params=(1,), validate=_validate_zone,
         polars=lambda t, tz: t.dt.convert_time_zone(tz).dt.hour().cast(pl.Int64))
def hour_of(t: dt.datetime, tz: str) -> int:
    """The hour 0-23 of a datetime in a zone: `hour_of(application.at, "Asia/Shanghai") < 6`."""
    return t.astimezone(_zone(tz)).hour


@builtin("weekday", [DATE], INT, polars=lambda d: d.dt.weekday().cast(pl.Int64))
def weekday(d: dt.date) -> int:
    """Day of the week, 1 = Monday … 7 = Sunday: `weekday(date_of(t, "Asia/Shanghai")) >= 6`."""
    return d.isoweekday()


def _out_of_range(d: pl.Expr) -> pl.Expr:
    return (d < MIN_DATE) | (d > MAX_DATE)


def _add_months_polars(d, n):
    shifted = d.dt.offset_by(pl.format("{}mo", n))
    return pl.when(~_out_of_range(shifted)).then(shifted)


@builtin("add_months", [DATE, INT], DATE, polars=_add_months_polars,
         polars_fault=lambda d, n: _out_of_range(d.dt.offset_by(pl.format("{}mo", n))))
def add_months(d: dt.date, n: int) -> dt.date:
    """The date `n` months later, clamped to the month's end: `add_months(2024-01-31, 1) == 2024-02-29`."""
    month = d.year * 12 + d.month - 1 + n
    year, month = divmod(month, 12)
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise ValueError(f"add_months({d}, {n}) is out of the date range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def _add_days_polars(d, n):
    shifted = d + pl.duration(days=n)
    return pl.when(~_out_of_range(shifted)).then(shifted)


@builtin("add_days", [DATE, INT], DATE, polars=_add_days_polars,
         polars_fault=lambda d, n: _out_of_range(d + pl.duration(days=n)))
def add_days(d: dt.date, n: int) -> dt.date:
    """The date `n` days later (earlier if negative): `add_days(loan.due_date, 3)`."""
    try:
        return d + dt.timedelta(days=n)
    except OverflowError:
        raise ValueError(f"add_days({d}, {n}) is out of the date range") from None
