"""Time zones at the edges: a naive datetime is read as UTC, everywhere.

A risk decision is taken as of a time, and comparing a naive datetime with an aware
one raises in Python; so every datetime that enters riskrules (rule literals, input
fields, ``--now``, test cases, store columns) goes through :func:`assume_utc`. An
aware datetime keeps its own offset: ``2026-03-01T09:00+08:00`` stays in +08:00.

>>> assume_utc(dt.datetime(2026, 3, 1, 9))
datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
>>> parse_datetime("2026-03-01T09:00+08:00").utcoffset()
datetime.timedelta(seconds=28800)
"""
from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def assume_utc(value: dt.datetime) -> dt.datetime:
    """``value`` if it is aware; a naive one read as UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value


def parse_datetime(text: str) -> dt.datetime:
    """ISO 8601 text as an aware datetime (no offset: UTC). Raises ValueError."""
    return assume_utc(dt.datetime.fromisoformat(text))


def utcnow() -> dt.datetime:
    """The wall clock, aware, in UTC."""
    return dt.datetime.now(UTC)
