"""Applications fall inside [start, start + days); events inside the observation window."""
from datetime import datetime, timedelta, timezone

import polars as pl

from riskrules.sim.timeline import OBSERVATION_TAIL_DAYS


def _utc(d):
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def test_applications_inside_span(book):
    START, DAYS = book.summary.start, book.summary.days
    t = book["applications"]["application"].struct.field("submitted_at")
    assert t.min() >= _utc(START)
    assert t.max() < _utc(START) + timedelta(days=DAYS)
    assert (t.dt.date().n_unique()) > DAYS * 0.8  # spread over the span, not bunched


def test_applications_sorted_and_registered_before(book):
    a = book["applications"]
    t = a["application"].struct.field("submitted_at")
    assert t.is_sorted()
    assert (a["applicant"].struct.field("registered_at") < t).all()


def test_events_inside_observation_window(book):
    START, DAYS = book.summary.start, book.summary.days
    lo = _utc(START)
    hi = lo + timedelta(days=DAYS + OBSERVATION_TAIL_DAYS)
    for table, column in [("repayments", "due_at"), ("repayments", "paid_at"), ("transfers", "at"),
                          ("collections", "at"), ("messages", "at"), ("loans", "disbursed_at")]:
        col = book[table][column].drop_nulls()
        assert col.min() >= lo and col.max() < hi, (table, column)


def test_schedule_follows_disbursal(book):
    s = book["schedule"].join(book["loans"], on="loan_id")
    assert (s["due_at"] > s["disbursed_at"]).all()
    assert s.group_by("loan_id").agg(pl.len(), pl.col("term_months").first()).filter(
        pl.col("len") != pl.col("term_months")).height == 0
    # due at 23:59:59 Beijing time
    local = (s["due_at"] + timedelta(hours=8))
    assert ((local.dt.hour() == 23) & (local.dt.minute() == 59)).all()


def test_transfers_after_disbursal(book):
    t = book["transfers"].join(book["loans"], on="loan_id")
    assert (t["at"] > t["disbursed_at"]).all()
    assert (t.group_by("loan_id").agg(pl.col("amount").sum(), pl.col("principal").first())
            .filter(pl.col("amount") > pl.col("principal") + 0.05).height == 0)
