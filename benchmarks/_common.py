"""Shared helpers for the benchmark scripts: timing, medians, tables, environment.

Timing model: every implementation decides the same list of inputs; one
*sample* is the mean time per decision over one pass through that list
(``time.perf_counter_ns`` around the whole loop, so the clock's own cost is
spread over many calls). Implementations are measured round-robin, one pass
each per round, so drift on the machine hits all of them alike; the figure
reported is the median of the per-round samples.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NS_PER_US = 1_000


def parse_args(description: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="fewer inputs and rounds (< 20 s)")
    return ap.parse_args()


def time_pass(fn: Callable, inputs: Sequence) -> float:
    """Mean ns per call of ``fn(x)`` over one pass through ``inputs``."""
    t0 = time.perf_counter_ns()
    for x in inputs:
        fn(x)
    return (time.perf_counter_ns() - t0) / len(inputs)


def measure(impls: dict[str, Callable], inputs: Sequence, rounds: int, *,
            budgets: dict[str, int] | None = None, warmup: int = 1) -> dict[str, list[float]]:
    """Round-robin timing: ``{name: [ns per decision, one per round]}``.

    ``budgets`` limits how many of ``inputs`` a slow implementation runs per
    round (the first N; the same N for every round), so peers that are 100x
    slower still get several rounds within the time limit.
    """
    budgets = budgets or {}
    per = {name: list(inputs[: budgets.get(name, len(inputs))]) for name in impls}
    for name, fn in impls.items():  # warm up: caches, lazy imports, branch predictors
        for _ in range(warmup):
            time_pass(fn, per[name])
    samples: dict[str, list[float]] = {name: [] for name in impls}
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()  # collections would land on whichever implementation happens to allocate last
    try:
        for _ in range(rounds):
            for name, fn in impls.items():
                samples[name].append(time_pass(fn, per[name]))
            gc.collect()
    finally:
        if gc_was:
            gc.enable()
    return samples


def median(xs: Iterable[float]) -> float:
    return statistics.median(list(xs))


def spread(xs: Sequence[float]) -> str:
    """Half the interquartile range relative to the median, e.g. '±3%' (robust to a few disturbed rounds)."""
    if len(xs) < 4:
        return "-"
    q1, _, q3 = statistics.quantiles(xs, n=4)
    return f"±{(q3 - q1) / 2 / median(xs) * 100:.0f}%"


def us(ns: float) -> str:
    return f"{ns / NS_PER_US:,.2f}"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain fallback
        print(f"\n{title}")
        cells = [list(map(str, headers))] + [[str(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        for j, r in enumerate(cells):
            print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
            if j == 0:
                print("  ".join("-" * w for w in widths))
        return
    t = Table(title=title, title_justify="left")
    for i, h in enumerate(headers):
        t.add_column(h, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*map(str, r))
    Console(width=max(100, len(headers) * 18)).print(t)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def environment() -> str:
    return (f"python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.machine()}, {os.cpu_count()} cpus, {platform.system()} {platform.release()}")


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def riskrules_breakdown(engine, pairs: Sequence[tuple[dict, object]], rounds: int) -> list[list[str]]:
    """Where decide() spends its time: table rows for the generated function (input
    checks, rules, features, models, tables, policy) and building the Decision.
    The input checks and the policy are also timed on their own (the validator that
    the batch backend and the interpreter use checks exactly what the function's
    prelude checks).

    Reaches into ``engine._loaded`` (internal): diagnostics only, skipped if it moves.
    """
    try:
        from riskrules.engine.runtime import _decision
        L = engine._loaded
        raws = [(L.compiled.fn(app, now), now) for app, now in pairs]
    except (AttributeError, ImportError, TypeError) as exc:
        return [["(breakdown unavailable)", type(exc).__name__, "", ""]]
    parts = {"generated function (input checks, rules, policy)": (lambda p: L.compiled.fn(p[0], p[1]), pairs),
             "  about: input checks (validator alone)": (lambda p: L.validate(p[0]), pairs),
             "  of which: policy resolve": (lambda p: L.resolve(p[0][0], p[0][2], p[0][4], p[0][8]), raws),
             "Decision object": (lambda p: _decision(L, p[0], p[1], None), raws)}
    rows = []
    for name, (fn, xs) in parts.items():
        ns = median(measure({name: fn}, xs, rounds)[name])
        rows.append([name, us(ns)])
    return rows


def wait_for_parser() -> None:
    """Exit with a clear message if the YAML parser is not importable yet."""
    try:
        from riskrules.dsl.loader import load_ruleset  # noqa: F401
    except ImportError as exc:
        sys.exit(f"riskrules YAML parser is not importable yet ({exc}); nothing to measure")
