"""Commands on a ruleset's text: check, fmt, compile."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .._common.files import write_atomic
from ..dsl.diagnostics import RulesetError
from .common import FormatOpt, PathArg, app, _load_engine, _ruleset_path
from .render import out, err, _usage, _cannot, _print_diagnostics, _ruleset_failed


@app.command()
def check(path: PathArg, format: FormatOpt = "text",
          strict: Annotated[bool, typer.Option(help="treat warnings as problems (exit 1)")] = False) -> None:
    """Check a ruleset: every problem at once, as file:line:col: code: message."""
    from .. import check as run_check

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
    from ..dsl.fmt import format_rules, format_yaml
    from ..dsl.loader import load_ruleset

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
    from ..dsl.loader import load_ruleset
    from ..engine.passes import STAGES, Context, run_stages

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
        from ..engine.batch import describe

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
