"""Backtests: what a ruleset (or a change to one) would have done to a past book.

    >>> from riskrules.backtest import load_data, run_backtest, rules_of, render_rich, write_html
    >>> book = load_data("book.parquet", label="bad_12m", require=["application_id"])
    >>> results = decide_frame(engine, book)           # riskrules.engine.batch
    >>> result = run_backtest(results, rules=rules_of(engine), label=book["bad_12m"],
    ...                       ids=book["application_id"], ruleset=engine.ruleset, data="book.parquet")
    >>> render_rich(result, console); write_html(result, "report.html")
    >>> json.dumps(result.to_dict())

Metrics are vectorised polars/numpy over the whole frame; nothing loops over rows.
"""
from __future__ import annotations

from .data import DataError, check_label, label_series, load_book, load_data, require_column
from .metrics import BacktestError
from .render import render_rich
from .report import render_html, write_html
from .result import BacktestResult, RuleMeta
from .run import STEPS, rules_of, run_backtest

__all__ = [
    "BacktestError", "BacktestResult", "DataError", "RuleMeta", "STEPS",
    "check_label", "label_series", "load_book", "load_data", "render_html", "render_rich", "require_column",
    "rules_of", "run_backtest", "write_html",
]
