"""Amounts in batch: the same rule over `decimal` columns and over binary `number` columns.

    python benchmarks/bench_money.py [--rows N]

One rule (``loan.amount * loan.rate > 100`` plus a rounded division in a table)
decided over the same values held as ``Decimal(38, 2)`` and as ``Float64``;
the ratio of the two medians (3 rounds after a warm-up, in one run) is what
exact money costs. ``+ - *`` on amounts are vectorised away from 38 digits;
``round``/``div`` on amounts still run per row, so the table shows that cost.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import polars as pl
import yaml

from riskrules import Engine
from riskrules.engine.batch import decide_frame

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _engine(kind: str, with_table: bool) -> Engine:
    rs = {"ruleset": "bench_money", "version": "1", "schema": {"loan": {"amount": kind, "rate": kind}},
          "rules": [{"id": "R", "when": "loan.amount * loan.rate > 100", "action": "review"}]}
    if with_table:
        out = 'div(loan.amount, 12, 2, "half_up")' if kind == "decimal" else "round(loan.amount / 12, 2)"
        rs["tables"] = {"t": {"hit": "first", "inputs": ["loan.rate"], "outputs": ["monthly"],
                              "rows": [{"when": ["-"], "then": [out]}]}}
    d = Path(tempfile.mkdtemp())
    (d / "r.yaml").write_text(yaml.safe_dump(rs))
    return Engine.load(d / "r.yaml")


def _median(engine: Engine, frame: pl.DataFrame) -> float:
    decide_frame(engine, frame, now=NOW)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        decide_frame(engine, frame, now=NOW)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    n = ap.parse_args().rows
    amounts = [Decimal(f"{(i * 37) % 100000}.{i % 100:02d}") for i in range(n)]
    rates = [Decimal(f"0.{i % 100:02d}") for i in range(n)]
    frames = {
        "decimal": pl.DataFrame({"loan": pl.struct(pl.Series("amount", amounts, dtype=pl.Decimal(38, 2)),
                                                   pl.Series("rate", rates, dtype=pl.Decimal(38, 2)), eager=True)}),
        "number": pl.DataFrame({"loan": pl.struct(pl.Series("amount", [float(a) for a in amounts]),
                                                  pl.Series("rate", [float(r) for r in rates]), eager=True)}),
    }
    for with_table in (False, True):
        t = {kind: _median(_engine(kind, with_table), frames[kind]) for kind in ("number", "decimal")}
        label = "rule + rounded division (per row)" if with_table else "rule (a * b > c)"
        print(f"{label:36s} number {n / t['number']:>12,.0f} rows/s   decimal {n / t['decimal']:>12,.0f} rows/s"
              f"   decimal/number time {t['decimal'] / t['number']:.2f}x")


if __name__ == "__main__":
    main()
