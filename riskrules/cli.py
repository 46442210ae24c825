"""The ``riskrules`` command line: a thin typer app.

Each command calls one library function and renders its result: results on
stdout, diagnostics and summaries on stderr. Exit codes: 0 ok, 1 problems
found (diagnostics, failing tests, bad input lines), 2 usage errors.
"""
from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from ._common.files import NoRuleset, ruleset_file, write_atomic
from .dsl.diagnostics import RulesetError, SourceCache, render_one, to_json

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="riskrules: risk rules for consumer lending — check, test, run and explain them.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one error, one line: greppable, and carets stay under their source line
NOW_HELP = "decide as of this time, ISO 8601 (default: the ruleset's decision_time, else the wall clock)"

PathArg = Annotated[Path, typer.Argument(help="ruleset file (.yaml or .rules)")]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json")]


def _usage(msg: str) -> typer.Exit:
    err.print(f"[red]error:[/] {msg}", soft_wrap=True)  # one line, whatever the terminal's width
    return typer.Exit(2)


def _cannot(path, what: str, exc: OSError) -> typer.Exit:
    """A usage error for a file the OS refused: ``PATH: cannot WHAT: reason``."""
    return _usage(f"{_esc(str(path))}: cannot {what}: {_esc(exc.strerror or str(exc))}")


def _ruleset_path(path: Path) -> Path:
    """The ruleset file ``path`` names: the file itself, or a folder's ruleset.yaml / ruleset.rules."""
    try:
        return ruleset_file(path)
    except NoRuleset as exc:
        raise _usage(_esc(str(exc))) from None


def _print_diagnostics(diags, fmt: str, sources: SourceCache | None = None) -> None:
    if fmt == "json":
        out.print(to_json(diags), markup=False)
        return
    for d in diags:
        style = "red" if d.is_error else "yellow"
        text = render_one(d, sources)
        head, _, rest = text.partition("\n")
        err.print(f"[{style}]{_esc(head)}[/]" + ("\n" + _esc(rest) if rest else ""))


def _esc(s: str) -> str:
    from rich.markup import escape

    return escape(s)


def _ruleset_failed(exc: RulesetError, fmt: str = "text") -> typer.Exit:
    """Print why a ruleset did not load; the caller raises the returned exit (1)."""
    _print_diagnostics(exc.diagnostics, fmt, exc.sources)
    return typer.Exit(1)


def _load_engine(path: Path, fmt: str = "text", strict_input: bool = False):
    from .engine.runtime import Engine

    try:
        return Engine.load(_ruleset_path(path), strict_input=strict_input)
    except RulesetError as exc:
        failed = _ruleset_failed(exc, fmt)
        if fmt != "json":
            n = sum(d.is_error for d in exc.diagnostics)
            err.print(f"[red]{n} error{'s' if n != 1 else ''}[/]: the ruleset does not check")
        raise failed


@app.command()
def check(path: PathArg, format: FormatOpt = "text",
          strict: Annotated[bool, typer.Option(help="treat warnings as problems (exit 1)")] = False) -> None:
    """Check a ruleset: every problem at once, as file:line:col: code: message."""
    from . import check as run_check

    if format not in ("text", "json"):
        raise _usage("--format is text or json")
    diags = run_check(_ruleset_path(path))
    _print_diagnostics(diags, format)
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    if format == "text":
        if diags:
            err.print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
        else:
            err.print("[green]ok[/]: no problems")
    raise typer.Exit(1 if errors or (strict and warnings) else 0)


@app.command()
def fmt(path: PathArg,
        to: Annotated[Optional[str], typer.Option("--to", help="rules or yaml (default: the file's own format)")] = None,
        write: Annotated[bool, typer.Option("--write", "-w", help="rewrite the file in place")] = False,
        check_only: Annotated[bool, typer.Option("--check", help="exit 1 if the file is not canonical")] = False) -> None:
    """Print a ruleset in canonical form, or convert it between YAML and .rules."""
    from .dsl.fmt import format_rules, format_yaml
    from .dsl.loader import load_ruleset

    path = _ruleset_path(path)
    kind = to or ("rules" if path.suffix == ".rules" else "yaml")
    if kind not in ("rules", "yaml"):
        raise _usage("--to is rules or yaml")
    try:
        rs = load_ruleset(path)
    except RulesetError as exc:
        raise _ruleset_failed(exc)
    text = format_rules(rs) if kind == "rules" else format_yaml(rs)
    if check_only:
        same = path.read_text(encoding="utf-8") == text
        if not same:
            err.print(f"{path}: not in canonical form (run riskrules fmt --write)")
        raise typer.Exit(0 if same else 1)
    if write:
        if to and kind != ("rules" if path.suffix == ".rules" else "yaml"):
            raise _usage("--write keeps the file's format; redirect the output to convert")
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise _cannot(path, "write", exc) from None
        err.print(f"formatted {path}")
        return
    sys.stdout.write(text)


@app.command("compile")
def compile_(path: PathArg,
             show: Annotated[bool, typer.Option("--show", help="print the generated code")] = False,
             dump_after: Annotated[Optional[str], typer.Option("--dump-after", help="print the graph after a compiler stage: lower, fold, order or analyse")] = None,
             backend: Annotated[str, typer.Option(help="codegen (per event) or batch (polars)")] = "codegen") -> None:
    """Compile a ruleset; --show prints the generated Python, --dump-after a stage's graph."""
    from .dsl.loader import load_ruleset
    from .engine.passes import STAGES, Context, run_stages

    if dump_after == "check":  # the stage's name before it was called lower
        dump_after = "lower"
    if dump_after is not None and dump_after not in STAGES:
        raise _usage(f"--dump-after takes one of: {', '.join(STAGES)}")
    if backend not in ("codegen", "batch"):
        raise _usage(f"unknown backend {backend!r} (codegen or batch)")
    path = _ruleset_path(path)
    if dump_after:
        try:
            rs = load_ruleset(path)
            _, dump = run_stages(rs, Context(path.parent), dump_after, until=dump_after)
        except RulesetError as exc:
            raise _ruleset_failed(exc)
        sys.stdout.write(dump)
        return
    engine = _load_engine(path)
    if show and backend == "batch":
        from .engine.batch import describe

        sys.stdout.write(describe(engine))
        return
    if show:
        from rich.syntax import Syntax

        out.print(Syntax(engine.source, "python", line_numbers=False, word_wrap=True))
    else:
        p = engine.program
        err.print(f"[green]compiled[/] {p.name} {p.version} digest {p.digest}: {len(p.rules)} active, "
                  f"{len(p.shadow)} shadow rules, {len(p.features)} features, {len(p.models)} models, "
                  f"{len(p.tables)} tables")


@app.command()
def run(path: PathArg,
        input: Annotated[Optional[Path], typer.Option("--input", "-i", help="JSONL, CSV or Parquet file of inputs (default: JSONL on stdin)")] = None,
        id_column: Annotated[Optional[str], typer.Option("--id", help="input column (dotted path) copied into every record as id, to join decisions back")] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="JSONL file of decisions (default: stdout)")] = None,
        now: Annotated[Optional[str], typer.Option(help=NOW_HELP)] = None) -> None:
    """Decide every input (JSONL line, CSV or Parquet row); a bad one becomes an error record and processing continues."""
    from .data import DataError, is_jsonl, records
    from .engine.batchio import run_jsonl, run_records

    engine = _load_engine(path)
    when = _parse_now(now)
    if input is not None and not input.is_file():
        raise _usage(f"{input}: no such file")
    if input is not None and not is_jsonl(input):
        from .review.frames import number_fields

        try:  # a table is read whole, through the one reader: dotted columns nest, errors name the column
            rows = records(input, require=(id_column,) if id_column else (), numbers=number_fields(engine.program))
        except DataError as exc:
            err.print(f"[red]error:[/] {_esc(str(exc))}")
            raise typer.Exit(1)
        try:
            with open(output, "w", encoding="utf-8") if output else contextlib.nullcontext(sys.stdout) as dst:
                summary = run_records(engine, rows, dst, now=when, id_column=id_column)
        except OSError as exc:
            raise _cannot(output, "write", exc) from None
        _render_summary(summary)
        raise typer.Exit(1 if summary.failed else 0)
    # binary: each line is decoded on its own, so bad bytes cost one error record
    try:
        src = open(input, "rb") if input else getattr(sys.stdin, "buffer", sys.stdin)
    except OSError as exc:
        raise _cannot(input, "read", exc) from None
    try:
        dst = open(output, "w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        if input:
            src.close()
        raise _cannot(output, "write", exc) from None
    try:
        summary = run_jsonl(engine, src, dst, now=when, id_column=id_column)
    finally:
        if input:
            src.close()
        if output:
            dst.close()
    _render_summary(summary)
    raise typer.Exit(1 if summary.failed else 0)


def _parse_now(now: str | None):
    """``--now``: an explicit decision time overriding the ruleset's ``decision_time`` (naive is UTC)."""
    from .engine.validate import as_datetime

    if now is None:
        return None
    when = as_datetime(now)
    if when is None:
        raise _usage(f"--now {_esc(repr(now[:60]))} is not an ISO 8601 datetime (e.g. 2026-03-01T10:00:00+08:00)")
    return when


def _render_summary(summary) -> None:
    from rich.table import Table

    t = Table(title="decisions", show_edge=False)
    t.add_column("outcome")
    t.add_column("count", justify="right")
    t.add_column("share", justify="right")
    total = max(1, summary.decided)
    for outcome, n in sorted(summary.outcomes.items(), key=lambda x: -x[1]):
        t.add_row(outcome, str(n), f"{n / total:.1%}")
    err.print(t)
    err.print(f"{summary.decided} decided, {summary.failed} failed lines, {summary.rule_errors} rule faults")
    for where, msg in summary.failures[:10]:
        err.print(f"  [red]{f'line {where}' if isinstance(where, int) else where}[/]: {_esc(msg)}")
    if len(summary.failures) > 10:
        err.print(f"  … and {len(summary.failures) - 10} more (see the error records in the output)")


@app.command()
def test(path: PathArg,
         tests: Annotated[Optional[Path], typer.Option(help="test file or folder (default: the ruleset's tests:)")] = None) -> None:
    """Run the ruleset's YAML test cases; ends with 'N passed, M failed'."""
    from .engine.testing import run_tests

    rs_path = _ruleset_path(path)
    engine = _load_engine(rs_path)
    where = tests or (rs_path.parent / engine.program.ast.tests if engine.program.ast.tests else rs_path.parent / "tests")
    if not where.exists():
        raise _usage(f"no tests at {where}")
    report = run_tests(engine, where)
    for r in report.results:
        if r.passed:
            continue
        err.print(f"[red]FAIL[/] {r.file}:{r.line}: {_esc(r.name)}")
        for p in r.problems:
            err.print(f"    [red]•[/] {_esc(p)}")
        for line in r.diff.splitlines():
            style = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
            err.print(f"      [{style}]{_esc(line)}[/]")
    fired = report.rule_count - len(report.never_fired)
    err.print(f"coverage: {fired}/{report.rule_count} rules fired in some case"
              + (f"; never fired: {', '.join(report.never_fired)}" if report.never_fired else ""))
    out.print(f"{report.passed} passed, {report.failed} failed")
    raise typer.Exit(1 if report.failed or not report.results else 0)


@app.command()
def explain(path: PathArg,
            input: Annotated[Path, typer.Option("--input", "-i", help="a JSON file with one input")],
            now: Annotated[Optional[str], typer.Option(help=NOW_HELP)] = None,
            format: FormatOpt = "text") -> None:
    """Decide one input and show why, as a tree (or the traced decision as JSON)."""
    from .engine.explain import explain_tree
    from .engine.validate import InputError

    engine = _load_engine(path)
    if not input.is_file():
        raise _usage(f"{input}: no such file")
    try:
        data = json.loads(input.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        err.print(f"[red]{_esc(str(input))}: not valid UTF-8 at byte {exc.start + 1} ({exc.reason})[/]")
        raise typer.Exit(1)
    except OSError as exc:
        err.print(f"[red]{_esc(str(input))}: cannot read: {_esc(exc.strerror or str(exc))}[/]")
        raise typer.Exit(1)
    except json.JSONDecodeError as exc:
        err.print(f"[red]{input}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}[/]")
        raise typer.Exit(1)
    try:
        d = engine.decide(data, now=_parse_now(now), trace=True)
    except InputError as exc:
        for p, m in exc.problems:
            err.print(f"[red]{input}: {p or '<input>'}: {_esc(m)}[/]")
        raise typer.Exit(1)
    if format == "json":
        out.print(d.to_json(indent=2), markup=False)
    else:
        out.print(explain_tree(engine, d))


SCHEMA_KINDS = ("ruleset", "scorecard", "tests")


@app.command()
def schema(kind: Annotated[str, typer.Option("--kind", help="ruleset, scorecard (a model file) or tests (a test file)")] = "ruleset") -> None:
    """Print the JSON Schema of a YAML format: rulesets, scorecards or test files (for editors and CI)."""
    if kind not in SCHEMA_KINDS:
        raise _usage(f"--kind is one of {', '.join(SCHEMA_KINDS)}, not {kind!r}")
    if kind == "ruleset":
        from .dsl.yaml_format import json_schema
    elif kind == "scorecard":
        from .engine.providers.scorecard import json_schema
    else:
        from .engine.testing_schema import json_schema
    out.print(json.dumps(json_schema(), indent=2, ensure_ascii=False), markup=False)


@app.command()
def functions() -> None:
    """List the builtin functions with their signatures."""
    from rich.table import Table

    from .engine.functions import all_builtins

    t = Table(show_edge=False)
    for c in ("function", "signature", "domain", "vectorised", "what it does"):
        t.add_column(c)
    for name, b in all_builtins().items():
        t.add_row(name, b.signature(), b.domain, "yes" if b.polars else "per row", b.doc)
    out.print(t)


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

    from .sim import simulate as run_sim

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

    from .backtest import render_rich, write_html
    from .backtest.metrics import BacktestError
    from .data import DataError
    from .engine.batch.input import DataError as FrameError
    from .workflows import backtest as run_backtest

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
    from .workflows import demo as run_demo

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


@app.command()
def review(db: Annotated[Optional[str], typer.Option(help="store URL: a SQLite file (default riskrules-review.db) or postgresql://…")] = None,
           reviewer: Annotated[Optional[str], typer.Option(help="your name (default $RISKRULES_REVIEWER or the login name)")] = None,
           ruleset: Annotated[Optional[Path], typer.Option(help="ruleset for proposed rules (default rulesets/<case's ruleset>)")] = None,
           lease: Annotated[Optional[float], typer.Option(help="minutes your claims last before another reviewer may take the case over (default 30)")] = None) -> None:
    """The review queue in the terminal: claim cases, read the evidence, record verdicts and notes, propose and promote rules."""
    from .review.cli_review import claim_lease
    from .review.tui.app import run_tui

    if ruleset is not None:
        ruleset = _ruleset_path(ruleset)
    raise typer.Exit(run_tui(db, reviewer, ruleset=ruleset, claim_lease=None if lease is None else claim_lease(lease)))


def _mount_review_commands() -> None:
    from .review.cli_review import ingest, outcomes_app, queue_app, rules_app

    app.add_typer(queue_app, name="queue", help="The review queue, scriptable: list, show, claim, verdict.")
    app.add_typer(rules_app, name="rules", help="Verdicts become rules: propose from a case, promote (maker-checker).")
    app.add_typer(outcomes_app, name="outcomes", help="Outcome feedback: approved loans that later went bad.")
    app.command("ingest")(ingest)


_mount_review_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
