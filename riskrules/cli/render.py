"""Rendering in one place: the consoles, errors and usage errors, diagnostics, summaries.

Results go to stdout (``out``); diagnostics, summaries and errors to stderr (``err``),
never wrapped at the console width: one error, one line.
"""
from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from .._common.json import dumps
from ..dsl.diagnostics import RulesetError, SourceCache, render_one, to_json


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one error, one line: greppable, and carets stay under their source line


def _usage(msg: str) -> typer.Exit:
    err.print(f"[red]error:[/] {msg}", soft_wrap=True)  # one line, whatever the terminal's width
    return typer.Exit(2)


def _cannot(path, what: str, exc: OSError) -> typer.Exit:
    """A usage error for a file the OS refused: ``PATH: cannot WHAT: reason``."""
    return _usage(f"{_esc(str(path))}: cannot {what}: {_esc(exc.strerror or str(exc))}")


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


def _fail(msg: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(msg)}")
    return typer.Exit(code)


def _format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise _fail("--format is text or json", 2)


def _json(data) -> None:
    out.print(dumps(data, indent=1), markup=False)
