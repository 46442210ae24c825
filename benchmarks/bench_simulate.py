"""Time ``riskrules.sim.simulate`` on a large book (not a test; run by hand).

    python benchmarks/bench_simulate.py                 # 1,000,000 applicants
    python benchmarks/bench_simulate.py --applicants 200000 --out /tmp/book
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from riskrules.sim import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--out", type=Path, default=None, help="keep the book here (default: a temp dir)")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="riskrules-bench-"))
    try:
        began = time.perf_counter()
        summary = simulate(args.seed, args.applicants, out, days=args.days)
        seconds = time.perf_counter() - began
        total = sum(summary.rows.values())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"simulate: {args.applicants:,} applicants in {seconds:.1f} s "
              f"= {args.applicants / seconds:,.0f} applications/s")
        print(f"          {total:,} rows in all tables = {total / seconds:,.0f} rows/s, {size / 1e6:,.0f} MB")
        for table, rows in summary.rows.items():
            print(f"  {table:<13}{rows:>12,}")
        print(f"  default_90d rate {summary.default_rate:.3f}, first-party fraud {summary.fraud_rate:.3f}")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
