"""The batch backend (``decide_frame``) against the origination rules hand-written in polars.

Over one simulated book (``riskrules.sim``; 1,000,000 applications by default)
it times, in one run:

1. riskrules ``decide_frame(engine, df, now=...)`` with
   ``rulesets/origination/ruleset.yaml``, input preparation included (it is
   part of ``decide_frame``);
2. ``handwritten_polars_origination.decide`` with the top-4 reason codes;
3. the same without the reason codes.

Before timing, riskrules and the hand-written version must agree on a sample of
100,000 rows (the whole frame if smaller): outcome, all 52 ``rule:<ID>``
columns, score (1e-6), PD and points, credit limit and APR, the review flag and
the reasons; the script stops with an ``AssertionError`` and prints differing
rows otherwise. Timing is the median of 3 rounds after one warm-up, the three
implementations taking turns. Peak RSS is measured in a child process per
implementation (load the frame, decide twice, ``ru_maxrss``).

    python benchmarks/bench_batch.py [--rows N] [--quick] [--book DIR] [--profile]

The book: ``--book DIR``, else ``/tmp/lead/book1m`` if it exists and has enough
rows, else a book simulated into a temporary directory (about 20 s per
million applicants) and removed afterwards. The decision time is the last
``submitted_at`` of the book + 2 minutes, so ``new_account`` fires for the last day's
fresh accounts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

import _common as C
import handwritten_origination as H
import handwritten_polars_origination as HP

RULESET = C.ROOT / "rulesets" / "origination" / "ruleset.yaml"
DEFAULT_BOOK = Path("/tmp/lead/book1m")
CHECK_ROWS = 100_000
ROUNDS = 3
DECISION_LAG = dt.timedelta(minutes=2)
IMPLS = ("riskrules decide_frame", "hand-written polars", "hand-written polars, no reasons")


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=None, help="applications to decide (default 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="200,000 rows")
    ap.add_argument("--book", type=Path, default=None, help="a book written by riskrules.sim.simulate")
    ap.add_argument("--profile", action="store_true", help="also time each stage of riskrules' batch plan")
    ap.add_argument("--child", choices=IMPLS, help=argparse.SUPPRESS)  # peak-RSS child process
    ap.add_argument("--frame", help=argparse.SUPPRESS)
    ap.add_argument("--now", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.rows = args.rows or (200_000 if args.quick else 1_000_000)
    return args


# ---------------------------------------------------------------------------- data
def book_rows(book: Path) -> int:
    try:
        return pl.scan_parquet(book / "applications.parquet").select(pl.len()).collect().item()
    except Exception:  # noqa: BLE001 - unreadable or absent: simulate instead
        return 0


def find_book(args) -> tuple[Path, Path | None]:
    """(book directory, temporary directory to remove or None)."""
    if args.book is not None:
        return args.book, None
    if book_rows(DEFAULT_BOOK) >= args.rows:
        return DEFAULT_BOOK, None
    from riskrules.sim import simulate

    tmp = Path(tempfile.mkdtemp(prefix="riskrules-bench-batch-"))
    t0 = time.perf_counter()
    simulate(1, args.rows, tmp)
    print(f"simulated {args.rows:,} applicants into {tmp} in {time.perf_counter() - t0:.1f} s")
    return tmp, tmp


def load(book: Path, rows: int) -> tuple[pl.DataFrame, dt.datetime]:
    from riskrules.sim import load_applications

    df = load_applications(book)
    if df.height < rows:
        sys.exit(f"{book} has {df.height:,} applications, fewer than --rows {rows:,}")
    df = df.head(rows).rechunk()
    now = df.select(pl.col("application").struct.field("submitted_at").max()).item() + DECISION_LAG
    return df, now


def implementations(engine, now):
    from riskrules.engine.batch import decide_frame

    return {
        IMPLS[0]: lambda df: decide_frame(engine, df, now=now),
        IMPLS[1]: lambda df: HP.decide(df, now, with_reasons=True),
        IMPLS[2]: lambda df: HP.decide(df, now, with_reasons=False),
    }


# ---------------------------------------------------------------------------- agreement
def variations(df: pl.DataFrame, now: dt.datetime, per: int = 1_000) -> pl.DataFrame:
    """Rows of ``df`` with fields moved across the rare rules' conditions.

    The simulated book is clean: its IDs and phones are valid, amounts and terms within
    the product, so about a dozen rules never fire in it. Each variation takes ``per``
    rows and changes one thing (a wrong ID check character, an impossible birth date, a
    blocklisted device, +86 phones, ...).
    """
    f = pl.field
    idn = f("id_number")
    blocked_phone = sorted(H.BLOCKED_PHONES)[0]
    app = lambda *e: pl.col("application").struct.with_fields(*e)  # noqa: E731
    who = lambda *e: pl.col("applicant").struct.with_fields(*e)  # noqa: E731
    dev = lambda *e: pl.col("device").struct.with_fields(*e)  # noqa: E731
    con = lambda *e: pl.col("contacts").struct.with_fields(*e)  # noqa: E731
    cr = lambda *e: pl.col("credit").struct.with_fields(*e)  # noqa: E731
    changes = {
        "wrong ID check character": who(pl.concat_str(idn.str.slice(0, 17), pl.when(idn.str.slice(17, 1) == "0")
                                                      .then(pl.lit("1")).otherwise(pl.lit("0"))).alias("id_number")),
        "ID birth month 13": who(pl.concat_str(idn.str.slice(0, 10), pl.lit("13"), idn.str.slice(12)).alias("id_number")),
        "ID born 1899": who(pl.concat_str(idn.str.slice(0, 6), pl.lit("1899"), idn.str.slice(10)).alias("id_number")),
        "ID province 99": who(pl.concat_str(pl.lit("99"), idn.str.slice(2)).alias("id_number")),
        "ID with a letter": who(pl.concat_str(idn.str.slice(0, 5), pl.lit("A"), idn.str.slice(6)).alias("id_number")),
        "ID of 15 digits": who(idn.str.slice(0, 15).alias("id_number")),
        "ID check x lower-case": who(idn.str.replace("X", "x").alias("id_number")),
        "stated age + 3": who((f("age") + 3).alias("age")),
        "stated birth date + 1 day": who((f("birth_date") + dt.timedelta(days=1)).alias("birth_date")),
        "stated age 63": who(pl.lit(63, dtype=pl.Int64).alias("age")),
        "stated age 16": who(pl.lit(16, dtype=pl.Int64).alias("age")),
        "phone +86-": who(pl.concat_str(pl.lit("+86-"), f("phone")).alias("phone")),
        "phone invalid": who(pl.concat_str(pl.lit("2"), f("phone").str.slice(1)).alias("phone")),
        "emergency = own phone": pl.struct(pl.col("contacts").struct.field("count"),
                                          pl.col("applicant").struct.field("phone").alias("emergency_phone"),
                                          pl.col("contacts").struct.field("emergency_overdue"),
                                          pl.col("contacts").struct.field("blocklisted")).alias("contacts"),
        "emergency blocklisted": con(pl.lit("86 " + blocked_phone).alias("emergency_phone")),
        "phone blocklisted": who(pl.lit("+86" + blocked_phone).alias("phone")),
        "device blocklisted": dev(pl.lit(sorted(H.BLOCKED_DEVICES)[-1]).alias("id")),
        "ID blocklisted": who(pl.lit(sorted(H.BLOCKED_ID_NUMBERS)[0]).alias("id_number")),
        "amount 300": app(pl.lit(300.0).alias("amount")),
        "term 7 months": app(pl.lit(7, dtype=pl.Int64).alias("term_months")),
        "term 0 months": app(pl.lit(0, dtype=pl.Int64).alias("term_months")),
        "no income": who(pl.lit(0.0).alias("monthly_income")),
        "12 accounts on the device": dev(pl.lit(12, dtype=pl.Int64).alias("accounts")),
        "no IP province": dev(pl.lit(None, dtype=pl.String).alias("ip_province")),
        "employed, no employer": who(pl.lit("employed").alias("employment"), pl.lit(None, dtype=pl.String).alias("employer")),
        "thin file, 15,000": cr(pl.lit(None, dtype=pl.Int64).alias("bureau_score"),
                                pl.lit(3, dtype=pl.Int64).alias("history_months")),
        "account 1 h old": who(pl.lit(now - dt.timedelta(hours=1)).alias("registered_at")),
    }
    parts = []
    for k, (name, e) in enumerate(changes.items()):
        part = df.slice((k * per) % max(df.height - per, 1), per).with_columns(e)
        if name in ("thin file, 15,000", "account 1 h old"):
            part = part.with_columns(app(pl.lit(15000.0).alias("amount")))
        parts.append(part)
    return pl.concat(parts, how="vertical_relaxed")


def check_agreement(engine, df: pl.DataFrame, now: dt.datetime) -> list[list[str]]:
    """Assert that riskrules and the hand-written version decide ``df`` alike; rule hit counts."""
    from riskrules.engine.batch import decide_frame

    rr = decide_frame(engine, df, now=now)
    hw = HP.decide(df, now, with_reasons=True)
    assert rr.height == hw.height == df.height
    bad_input = rr["input_error"].drop_nulls()
    assert bad_input.len() == 0, f"{bad_input.len()} rows break the schema, e.g. {bad_input.head(3).to_list()}"
    errored = rr.filter(pl.col("errors").list.len() > 0)
    assert errored.height == 0, f"{errored.height} rows have rule errors: {errored['errors'].head(3).to_list()}"

    def close(a: str, b: str, tol: float) -> pl.Expr:
        x, y = pl.col(a), pl.col(b)
        return ((x - y).abs() <= tol) | (x.is_null() & y.is_null())

    both = pl.concat([rr.select(pl.all().name.prefix("rr.")), hw.select(pl.all().name.prefix("hw."))],
                     how="horizontal").with_row_index("row")
    checks = {
        "outcome": pl.col("rr.outcome") == pl.col("hw.outcome"),
        "score": close("rr.score", "hw.score", 1e-6),
        "pd": close("rr.model:pd", "hw.pd", 1e-9),
        "pd points": close("rr.model:pd.points", "hw.pd_points", 1e-9),
        "credit limit": pl.col("rr.table:credit_limit.limit").cast(pl.Int64).eq_missing(
            pl.col("hw.table:credit_limit.limit").cast(pl.Int64)),
        "apr": close("rr.table:credit_limit.apr", "hw.table:credit_limit.apr", 1e-12),
        "unexplained": pl.col("rr.unexplained") == pl.col("hw.unexplained"),
        "reasons": pl.col("rr.reasons") == pl.col("hw.reasons"),
    } | {c: pl.col(f"rr.{c}") == pl.col(f"hw.{c}") for c in HP.RULE_COLUMNS}
    assert set(rr.columns) >= set(HP.RULE_COLUMNS), "riskrules has other rules than the hand-written version"
    ok = both.select([e.fill_null(False).alias(name) for name, e in checks.items()])
    failed = {name: ok.height - ok[name].sum() for name in checks if not ok[name].all()}
    if failed:
        print(f"\nMISMATCH on {len(failed)} checks (rows differing): {failed}")
        with pl.Config(tbl_cols=-1, fmt_str_lengths=120, tbl_width_chars=200, fmt_table_cell_list_len=6):
            for name in list(failed)[:6]:
                rows = both.filter(~ok[name])
                src = {"pd": "model:pd", "pd points": "model:pd.points", "credit limit": "table:credit_limit.limit",
                       "apr": "table:credit_limit.apr"}.get(name, name)
                hw_src = {"model:pd": "pd", "model:pd.points": "pd_points"}.get(src, src)
                print(f"\n-- {name}: {rows.height} rows, e.g.")
                print(rows.select("row", f"rr.{src}", f"hw.{hw_src}", "rr.outcome", "rr.fired", "rr.reasons",
                                  "hw.reasons").head(5))
                ids = rows["row"].head(2).to_list()
                for r in df[ids].to_dicts():
                    print("   input:", json.dumps(r, default=str, ensure_ascii=False)[:1200])
        raise AssertionError(f"riskrules and the hand-written polars version disagree: {failed}")
    counts = rr.select([pl.col(c).sum().alias(c) for c in HP.RULE_COLUMNS]).row(0, named=True)
    never = [c.removeprefix("rule:") for c, n in counts.items() if n == 0]
    outcomes = dict(rr["outcome"].value_counts().iter_rows())
    print(f"agreement: {df.height:,} rows, outcome, score, PD, credit limit/APR, review flag, reasons and all "
          f"{len(HP.RULE_COLUMNS)} rule columns identical "
          f"(approve {outcomes.get('approve', 0):,} / review {outcomes.get('review', 0):,} / "
          f"decline {outcomes.get('decline', 0):,}; rows with >= 1 reason: "
          f"{rr.filter(pl.col('reasons').list.len() > 0).height:,})")
    if never:
        print(f"  rules that never fire in the sample: {', '.join(never)}")
    return counts


# ---------------------------------------------------------------------------- timing
def time_rounds(impls: dict, df: pl.DataFrame) -> dict[str, list[float]]:
    """Seconds per pass over ``df``: one warm-up each, then ROUNDS rounds taking turns."""
    for fn in impls.values():
        fn(df)
    samples = {name: [] for name in impls}
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(ROUNDS):
            for name, fn in impls.items():
                t0 = time.perf_counter_ns()
                out = fn(df)
                samples[name].append((time.perf_counter_ns() - t0) / 1e9)
                del out
            gc.collect()
    finally:
        if gc_was:
            gc.enable()
    return samples


def _hwm_reset() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0), so it excludes loading."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _hwm() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def peak_rss_child(args) -> None:
    """Child process: load the frame, decide it twice with one implementation, report memory."""
    from riskrules import Engine

    engine = Engine.load(RULESET)
    df = pl.read_parquet(args.frame)  # exactly the parent's frame, without reading the whole book
    now = dt.datetime.fromisoformat(args.now)
    gc.collect()
    before_now = C.rss_bytes()
    reset = _hwm_reset()
    fn = implementations(engine, now)[args.child]
    for _ in range(2):
        out = fn(df)
        del out
    # VmHWM after the reset excludes the peak of reading the whole book; ru_maxrss does not
    peak = _hwm() if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"before": before_now, "peak": peak, "hwm_reset": reset}))


def measure_rss(df: pl.DataFrame, now: dt.datetime) -> dict[str, dict]:
    out = {}
    with tempfile.TemporaryDirectory(prefix="riskrules-bench-batch-") as tmp:
        frame = Path(tmp) / "frame.parquet"
        df.write_parquet(frame)
        for name in IMPLS:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--frame", str(frame),
                   "--now", now.isoformat()]
            try:
                res = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)
                out[name] = json.loads(res.stdout.strip().splitlines()[-1])
            except (subprocess.SubprocessError, ValueError, IndexError) as exc:
                print(f"peak RSS of {name} unavailable: {exc}")
    return out


def profile_stages(engine, df: pl.DataFrame, now: dt.datetime) -> list[list[str]]:
    """Diagnostics (engine internals): each with_columns stage of the batch plan run on its own."""
    try:
        from riskrules.engine.batch import build_plan
        from riskrules.engine.batch.input import prepare
    except ImportError as exc:
        return [[f"(profile unavailable: {exc})", "", ""]]
    prog = engine.program
    t0 = time.perf_counter()
    frame = prepare(df, prog.schema)
    rows = [["prepare (input checks)", f"{time.perf_counter() - t0:.3f}", ""]]
    run, _ = build_plan(prog, now)
    cur = frame
    for i, stage in enumerate(run.stages):
        names = [e.meta.output_name() for e in stage]
        t0 = time.perf_counter()
        cur = cur.lazy().with_columns(stage).collect()
        s = time.perf_counter() - t0
        label = ", ".join(names[:3]) + (f" … (+{len(names) - 3})" if len(names) > 3 else "")
        if i >= getattr(run, "row_stages", len(run.stages)):  # decide_frame runs these per distinct combination
            label += " (per combination in decide_frame; here on every row)"
        rows.append([f"stage {i}: {label}", f"{s:.3f}", ""])
    total = sum(float(r[1]) for r in rows)
    for r in rows:
        r[2] = f"{float(r[1]) / total * 100:.0f}%"
    t0 = time.perf_counter()
    run(frame)
    rows.append(["whole plan in one query (for comparison)", f"{time.perf_counter() - t0:.3f}", ""])
    return rows


# ---------------------------------------------------------------------------- main
def main() -> int:
    args = parse_args()
    C.wait_for_parser()
    if args.child:
        peak_rss_child(args)
        return 0

    book, tmp = find_book(args)
    try:
        return run(args, book)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args, book: Path) -> int:
    from riskrules import Engine

    load_before = os.getloadavg()
    print(C.environment() + f", polars {pl.__version__}, {pl.thread_pool_size()} polars threads")
    engine = Engine.load(RULESET)
    prog = engine.program
    df, now = load(book, args.rows)
    print(f"book {book}: {df.height:,} applications; decision time {now.isoformat()}; ruleset "
          f"{engine.ruleset['version']} ({len(prog.rules)} active + {len(prog.shadow)} shadow rules)")

    sample = df.sample(min(CHECK_ROWS, df.height), seed=2026) if df.height > CHECK_ROWS else df
    varied = variations(sample, now)
    print(f"agreement check: {sample.height:,} sampled rows + {varied.height:,} varied rows")
    check_agreement(engine, pl.concat([sample, varied], how="vertical_relaxed"), now)

    samples = time_rounds(implementations(engine, now), df)
    rss = measure_rss(df, now)
    load_after = os.getloadavg()

    med = {name: C.median(s) for name, s in samples.items()}
    hw, hw_plain = med[IMPLS[1]], med[IMPLS[2]]
    rows = []
    for name in IMPLS:
        m = rss.get(name)
        rows.append([name, f"{med[name]:.3f}", f"{min(samples[name]):.3f}-{max(samples[name]):.3f}",
                     f"{df.height / med[name] / 1e6:.2f} M", f"{med[name] / hw:.2f}x", f"{med[name] / hw_plain:.2f}x",
                     f"{m['peak'] / 2**20:,.0f}" if m else "-",
                     f"{(m['peak'] - m['before']) / 2**20:,.0f}" if m else "-"])
    C.print_table(f"origination ruleset over {df.height:,} applications (median of {ROUNDS} rounds after a warm-up)",
                  ["implementation", "median s", "range s", "decisions/s", "vs hand-written",
                   "vs hw no reasons", "peak RSS MiB", "peak - loaded MiB"], rows)
    print("peak RSS: a child process per implementation reads the frame and decides it twice; the kernel's "
          "peak mark (VmHWM) is reset after reading; 'peak - loaded' subtracts the RSS with the frame loaded")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)"
          + ("  ** the machine was loaded (> 1.5): absolute times are pessimistic **"
             if max(load_before[0], load_after[0]) > 1.5 else ""))
    rr = med[IMPLS[0]]
    print(f"target riskrules >= 2,000,000 decisions/s: {df.height / rr:,.0f}/s  "
          f"{C.verdict(df.height / rr >= 2_000_000)}")
    print(f"target riskrules <= 3x hand-written polars: {rr / hw:.2f}x (with reasons), "
          f"{rr / hw_plain:.2f}x (without)  {C.verdict(rr / hw <= 3)}")

    if args.profile:
        C.print_table("where decide_frame spends its time: each stage of the plan materialised on its own (s)",
                      ["stage", "s", "share"], profile_stages(engine, df, now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
