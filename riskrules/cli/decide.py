"""Commands that decide: run (JSONL or a table in, decisions out), test, explain."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import NOW_HELP, FormatOpt, PathArg, app, _load_engine, _parse_now, _ruleset_path
from .render import out, err, _usage, _cannot, _esc, _render_summary


@app.command()
def run(path: PathArg,
        input: Annotated[Optional[Path], typer.Option("--input", "-i", help="JSONL, CSV or Parquet file of inputs (default: JSONL on stdin)")] = None,
        id_column: Annotated[Optional[str], typer.Option("--id", help="input column (dotted path) copied into every record as id, to join decisions back")] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", help="JSONL file of decisions (default: stdout)")] = None,
        now: Annotated[Optional[str], typer.Option(help=NOW_HELP)] = None) -> None:
    """Decide every input (JSONL line, CSV or Parquet row); a bad one becomes an error record and processing continues."""
    from ..data import DataError, is_jsonl, records
    from ..engine.batchio import run_jsonl, run_records

    engine = _load_engine(path)
    when = _parse_now(now)
    if input is not None and not input.is_file():
        raise _usage(f"{input}: no such file")
    if input is not None and not is_jsonl(input):
        from ..review.frames import number_fields

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


@app.command()
def test(path: PathArg,
         tests: Annotated[Optional[Path], typer.Option(help="test file or folder (default: the ruleset's tests:)")] = None) -> None:
    """Run the ruleset's YAML test cases; ends with 'N passed, M failed'."""
    from ..engine.testing import run_tests

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
    from ..engine.explain import explain_tree
    from ..engine.validate import InputError

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
