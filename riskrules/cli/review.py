"""The review loop's commands: ``review`` (the terminal UI), ``ingest``, and the queue, rules
and outcomes groups mounted on the app.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import FormatOpt, _ruleset_path, app
from .outcomes import outcomes_app
from .queue import queue_app
from .render import out, _fail, _format, _json
from .reviewing import DEFAULT_DB, DbOpt, claim_lease, _store, _errors, _describe, _engine
from .rules import rules_app


def ingest(book: Annotated[Path, typer.Argument(help="JSONL or Parquet applications, or a simulated book folder")],
           ruleset: Annotated[Path, typer.Option("--ruleset", help="ruleset folder or file")],
           db: DbOpt = DEFAULT_DB,
           anomaly: Annotated[Optional[Path], typer.Option(help="anomaly model (joblib); fitted on the book and saved here when absent")] = None,
           now: Annotated[Optional[str], typer.Option(
               help="decide as of this time, ISO 8601 (default: the ruleset's decision_time, else the wall clock)")] = None,
           format: FormatOpt = "text") -> None:
    """Decide a book, fill the decision log and open review cases (the demo's intake)."""
    _format(format)
    from ..engine.validate import as_datetime
    from ..review.ingest import ingest_book

    when = as_datetime(now) if now is not None else None
    if now is not None and when is None:
        raise _fail(f"--now {now[:60]!r} is not an ISO 8601 datetime (e.g. 2026-03-01T10:00:00+08:00)", 2)
    if not book.exists():
        raise _fail(f"{book}: no such file or folder", 2)
    store = _store(db, create=True)
    try:
        engine, _ = _engine(ruleset)
        summary = ingest_book(engine, store, book, anomaly_path=anomaly, now=when)
    except typer.Exit:
        raise
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json(summary)
    else:
        out.print(f"{summary['decided']} decided, {summary['logged']} logged, {summary['cases']} case(s) opened"
                  + (f", {summary['rejected']} rejected input(s)" if summary["rejected"] else ""))


@app.command()
def review(db: Annotated[Optional[str], typer.Option(help="store URL: a SQLite file (default riskrules-review.db) or postgresql://…")] = None,
           reviewer: Annotated[Optional[str], typer.Option(help="your name (default $RISKRULES_REVIEWER or the login name)")] = None,
           ruleset: Annotated[Optional[Path], typer.Option(help="ruleset for proposed rules (default rulesets/<case's ruleset>)")] = None,
           lease: Annotated[Optional[float], typer.Option(help="minutes your claims last before another reviewer may take the case over (default 30)")] = None) -> None:
    """The review queue in the terminal: claim cases, read the evidence, record verdicts and notes, propose and promote rules."""
    from ..review.tui.app import run_tui

    if ruleset is not None:
        ruleset = _ruleset_path(ruleset)
    raise typer.Exit(run_tui(db, reviewer, ruleset=ruleset, claim_lease=None if lease is None else claim_lease(lease)))


def _mount_review_commands() -> None:
    app.add_typer(queue_app, name="queue", help="The review queue, scriptable: list, show, claim, verdict.")
    app.add_typer(rules_app, name="rules", help="Verdicts become rules: propose from a case, promote (maker-checker).")
    app.add_typer(outcomes_app, name="outcomes", help="Outcome feedback: approved loans that later went bad.")
    app.command("ingest")(ingest)


_mount_review_commands()
