"""Commands over a whole book: simulate, backtest, demo."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..dsl.diagnostics import RulesetError
from .common import NOW_HELP, FormatOpt, PathArg, app, _parse_now, _ruleset_path
from .render import out, err, _usage, _cannot, _esc, _ruleset_failed


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the Parquet book")],
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same book")] = 1,
    applicants: Annotated[int, typer.Option(help="number of applicants")] = 10_000,
    days: Annotated[int, typer.Option(help="span of application dates in days")] = 90,
    start: Annotated[Optional[str], typer.Option(help="first application date, YYYY-MM-DD")] = None,
) -> None:
    """Write a synthetic consumer-lending book (applications, loans, repayments, transfers, truth) as Parquet."""
    import datetime as dt

    from ..sim import simulate as run_sim

    try:
        first = dt.date.fromisoformat(start) if start else dt.date(2026, 1, 1)
    except ValueError:
        raise _usage(f"--start {start!r} is not a date (YYYY-MM-DD)")
    try:
        summary = run_sim(seed, applicants, out, days=days, start=first)
    except ValueError as exc:
        raise _usage(str(exc))
    from rich.table import Table

    t = Table(title=f"book in {out}", show_edge=False)
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in summary.rows.items():
        t.add_row(name, f"{n:,}")
    err.print(t)
    err.print(f"default rate {summary.default_rate:.1%}, first-party fraud {summary.fraud_rate:.1%}; planted patterns: "
              + ", ".join(f"{k} {v}" for k, v in summary.patterns.items()))


@app.command()
def backtest(
    path: PathArg,
    data: Annotated[Path, typer.Option("--data", "-d", help="Parquet, CSV or JSONL file, or a simulated book folder")],
    label: Annotated[Optional[str], typer.Option(help="column saying which loans went bad: 1/true/bad or 0/false/good (a book folder defaults to default_90d)")] = None,
    bad_value: Annotated[Optional[str], typer.Option("--bad-value", help="the label value meaning bad, when the column is coded otherwise (e.g. 2)")] = None,
    good_value: Annotated[Optional[str], typer.Option("--good-value", help="the label value meaning good (e.g. 1)")] = None,
    against: Annotated[Optional[Path], typer.Option(help="champion ruleset to compare with")] = None,
    id_column: Annotated[Optional[str], typer.Option("--id", help="column naming rows in the sample of changes")] = None,
    format: FormatOpt = "text",
    report: Annotated[Optional[Path], typer.Option(help="write a self-contained HTML report here")] = None,
    now: Annotated[Optional[str], typer.Option(help=NOW_HELP)] = None,
) -> None:
    """What a ruleset would have done to a book: hits, precision, overlap, KS/AUC, champion vs challenger."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..backtest import render_rich, write_html
    from ..backtest.metrics import BacktestError
    from ..data import DataError
    from ..engine.batch.input import DataError as FrameError
    from .jobs import backtest as run_backtest

    if format not in ("text", "json"):
        raise _usage("--format is text or json")
    rs = _ruleset_path(path)
    champion = _ruleset_path(against) if against is not None else None
    if not data.exists():
        raise _usage(f"{data}: no such file or folder")
    if report is not None and not report.parent.is_dir():  # fail before the (long) backtest, not after
        raise _usage(f"{_esc(str(report))}: cannot write the report: {os.strerror(errno.ENOENT)} "
                     f"(no folder {_esc(str(report.parent))})")
    steps = ["decide"] + (["decide champion"] if champion else []) + ["summary", "rules", "overlap"] + \
        (["champion", "compare"] if champion else [])
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                      transient=True, disable=format == "json") as bar:
            task = bar.add_task("deciding every row", total=len(steps))
            run = run_backtest(rs, data, label=label, against=champion, id_column=id_column, now=_parse_now(now),
                               on_step=lambda s: bar.update(task, advance=1, description=s),
                               bad_value=bad_value, good_value=good_value)
    except RulesetError as exc:
        raise _ruleset_failed(exc)
    except (DataError, FrameError, BacktestError) as exc:
        err.print(f"[red]error:[/] {_esc(str(exc))}")
        raise typer.Exit(1)
    if format == "json":
        out.print(json.dumps(run.result.to_dict(), ensure_ascii=False, indent=1), markup=False)
    else:
        render_rich(run.result, out)
    if report is not None:
        try:
            write_html(run.result, report)
        except OSError as exc:
            raise _cannot(report, "write the report", exc) from None
        err.print(f"report written to {report}")


@app.command()
def demo(out: Annotated[Path, typer.Option("--out", "-o", help="folder for decisions, the book and the report")] = Path("demo"),
         applicants: Annotated[int, typer.Option(help="size of the simulated book")] = 5_000) -> None:
    """The main job on embedded defaults: screen the shipped samples, simulate a book, backtest it."""
    from .jobs import demo as run_demo

    if applicants <= 0:
        raise _usage("--applicants must be positive")
    try:
        summary = run_demo(out, applicants=applicants, on_step=lambda s: err.print(f"[green]✔[/] {s}"))
    except FileNotFoundError as exc:  # the shipped ruleset or its samples are missing (not a source checkout)
        err.print(f"[red]error:[/] {_esc(str(exc))}")
        raise typer.Exit(1)
    total = sum(summary.outcomes.values())
    mix = ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in sorted(summary.outcomes.items(), key=lambda x: -x[1]))
    s = summary.backtest.summary
    err.print(f"\nscreened {total} sample applications: {mix} → {summary.decisions}")
    err.print(f"backtest on {summary.book}: approval rate {s.approval_rate:.1%}"
              + (f", AUC {s.score.auc:.3f}, KS {s.score.ks:.3f}" if getattr(s.score, 'auc', None) else ""))
    err.print(f"report: {summary.report} (open it in a browser)")
    i = summary.intake
    err.print(f"review loop: {i['decided']} decisions logged, {i['cases']} unexplained case(s) queued in {summary.review_db}")
    err.print(f"open the queue: riskrules review --db {summary.review_db}   "
              f"(or: riskrules queue list --db {summary.review_db})")
