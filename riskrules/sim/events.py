"""The book as one time-ordered event stream, for monitoring rules and stream workers.

Every event has its own timestamp (``at``), a ``type`` and the loan and applicant it is
about; the other columns are filled where the type has them:

============== =================================================================
type            columns
============== =================================================================
disbursement    amount (principal), term_months
instalment_due  installment, amount (due), due_at
repayment       installment, amount (paid), due_at, minutes_late
transfer        amount, mcc, category, high_risk
limit_review    months_on_book (a periodic review, every 30 days on book)
============== =================================================================

Ties in time go disbursement, instalment_due, repayment, transfer, limit_review, then by
loan; ``event_id`` is stable for a given book, so a replay of the file is byte-for-byte
the same stream.
"""
from __future__ import annotations

import polars as pl

EVENT_TYPES = ("disbursement", "instalment_due", "repayment", "transfer", "limit_review")
REVIEW_EVERY_DAYS = 30

_COLUMNS = {
    "amount": pl.Float64, "term_months": pl.Int64, "installment": pl.Int64,
    "due_at": pl.Datetime("us", "UTC"), "minutes_late": pl.Int64, "mcc": pl.Int64, "category": pl.String,
    "high_risk": pl.Boolean, "months_on_book": pl.Int64,
}


def _shape(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """``frame`` with every event column (nulls where ``kind`` has none), in one order."""
    cols = [pl.lit(kind).alias("type"), pl.col("at"), pl.col("loan_id"), pl.col("applicant_id")]
    for name, dtype in _COLUMNS.items():
        cols.append(pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name))
    return frame.select(cols)


def events_frame(loans: pl.DataFrame, schedule: pl.DataFrame, repayments: pl.DataFrame,
                 transfers: pl.DataFrame, end: pl.Datetime | object) -> pl.DataFrame:
    """All events before ``end`` (a UTC datetime), ordered by time."""
    who = loans.select("loan_id", "applicant_id")
    parts = [
        _shape(loans.select(pl.col("disbursed_at").alias("at"), "loan_id", "applicant_id",
                            pl.col("principal").alias("amount"), "term_months"), "disbursement"),
        _shape(schedule.join(who, on="loan_id").select(
            pl.col("due_at").alias("at"), "loan_id", "applicant_id", "installment",
            pl.col("amount_due").alias("amount"), "due_at"), "instalment_due"),
        _shape(repayments.filter(pl.col("paid_at").is_not_null()).join(who, on="loan_id").select(
            pl.col("paid_at").alias("at"), "loan_id", "applicant_id", "installment",
            pl.col("amount_paid").alias("amount"), "due_at", "minutes_late"), "repayment"),
        _shape(transfers.select("at", "loan_id", "applicant_id", "amount", "mcc", "category", "high_risk"),
               "transfer"),
        _shape(_reviews(loans, end), "limit_review"),
    ]
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    stream = (pl.concat(parts).filter(pl.col("at") < end)
              .with_columns(pl.col("type").replace_strict(order, return_dtype=pl.Int8).alias("_rank"))
              .sort("at", "_rank", "loan_id", "installment", nulls_last=True, maintain_order=True)
              .drop("_rank"))
    return stream.with_row_index("n", offset=1).select(
        pl.format("E{}", pl.col("n").cast(pl.String).str.zfill(11)).alias("event_id"), pl.exclude("n"))


def _reviews(loans: pl.DataFrame, end) -> pl.DataFrame:
    """One limit review every 30 days on book, while the loan runs and before ``end``."""
    months = (loans.select("loan_id", "applicant_id", "disbursed_at", "term_months")
              .with_columns(pl.int_ranges(1, pl.col("term_months") + 1).alias("months_on_book"))
              .explode("months_on_book")
              .with_columns((pl.col("disbursed_at") + pl.duration(days=pl.col("months_on_book") * REVIEW_EVERY_DAYS))
                            .alias("at")))
    return months.filter(pl.col("at") < end).select("at", "loan_id", "applicant_id", "months_on_book")
