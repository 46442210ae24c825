"""The event stream: every source row once, in time order, each loan's story in order."""
from __future__ import annotations

import polars as pl

from riskrules.sim.events import EVENT_TYPES


def test_events_are_the_source_rows_in_time_order(book):
    events = book["events"]
    assert events["at"].is_sorted() and events["event_id"].is_unique().all()
    assert set(events["type"].unique()) == set(EVENT_TYPES)
    counts = dict(events.group_by("type").len().iter_rows())
    end = events["at"].max()
    assert counts["disbursement"] == book["loans"].filter(pl.col("disbursed_at") <= end).height
    assert counts["transfer"] == book["transfers"].height
    assert counts["repayment"] == book["repayments"].filter(pl.col("paid_at").is_not_null()).height
    late = events.filter(pl.col("type") == "repayment", pl.col("minutes_late") > 60)
    assert late.height == book["repayments"].filter(pl.col("minutes_late") > 60).height > 0


def test_each_loan_starts_with_its_disbursement(book):
    events = book["events"]
    first = events.group_by("loan_id", maintain_order=True).first()
    assert (first["type"] == "disbursement").all()
    typed = events.filter(pl.col("type") == "transfer")
    assert typed.select(pl.col("amount").is_null().sum(), pl.col("mcc").is_null().sum()).row(0) == (0, 0)
    reviews = events.filter(pl.col("type") == "limit_review")
    assert reviews["months_on_book"].min() == 1 and reviews["amount"].is_null().all()
