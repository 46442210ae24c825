"""Command line of the review loop: typer sub-apps that ``riskrules`` mounts.

    app.add_typer(queue_app, name="queue")       # riskrules queue list|show|claim|verdict
    app.add_typer(rules_app, name="rules")       # riskrules rules propose|promote
    app.add_typer(outcomes_app, name="outcomes") # riskrules outcomes import FILE
    app.command("ingest")(ingest)                # riskrules ingest BOOK --ruleset DIR

Results go to stdout (``--format json`` for scripts), diagnostics to stderr.
Exit codes: 0 ok, 1 the operation failed (store, data, maker-checker ...), 2 usage.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._common.files import NoRuleset, ruleset_file
from .._common.json import dumps

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # one error, one line: greppable

queue_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="The review queue: list, show, claim and decide cases.")
rules_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="Rules learned from verdicts: propose (with backtests) and promote.")
outcomes_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                           help="Loan outcomes fed back into the review loop.")

DEFAULT_DB = "riskrules-review.db"
DbOpt = Annotated[str, typer.Option("--db", help="review store: a SQLite file or sqlite:/// or postgresql:// URL")]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json")]
RulesetOpt = Annotated[Optional[Path], typer.Option("--ruleset", help="ruleset folder (default rulesets/<name>)")]
LeaseOpt = Annotated[Optional[float], typer.Option(
    "--lease", help="minutes a claim lasts before another reviewer may take the case over (default 30)")]


def _fail(msg: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(msg)}")
    return typer.Exit(code)


def _format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise _fail("--format is text or json", 2)


def _json(data) -> None:
    out.print(dumps(data, indent=1), markup=False)


def _store(db: str, lease: float | None = None, *, create: bool = False):
    """The store at ``db``. Only ``ingest`` creates one: every other command reads or changes
    cases and decisions that must already be there, so a mistyped path is said, not made."""
    from .store import Store, StoreError
    from .store.connect import is_memory, normalize_url

    options = {} if lease is None else {"claim_lease": claim_lease(lease)}  # a usage error before any store error
    if not create:
        try:
            url = normalize_url(db)
        except StoreError as exc:
            raise _fail(str(exc)) from None
        if url.get_backend_name() == "sqlite" and not is_memory(url) and not Path(url.database).exists():
            raise _fail(f"no review store at {url.database} (riskrules ingest creates one; --db names another)")
    try:
        return Store.open(db, **options)
    except StoreError as exc:
        raise _fail(str(exc)) from None


def claim_lease(minutes: float):
    """``--lease MINUTES`` as a timedelta; a usage error unless positive and finite."""
    from datetime import timedelta

    if not 0 < minutes < 60 * 24 * 366:
        raise _fail(f"--lease is a number of minutes above 0 (and below a year), not {minutes:g}", 2)
    return timedelta(minutes=minutes)


def _errors():
    """The exceptions a command reports as one line and exit code 1."""
    from .. import InputError, RulesetError
    from ..data import DataError
    from .anomaly import AnomalyError
    from .learn import LearnError
    from .learned import LearnedRuleError
    from .outcomes import OutcomeFileError
    from .store import StoreError

    return (StoreError, LearnError, LearnedRuleError, OutcomeFileError, AnomalyError, RulesetError, InputError,
            DataError, ValueError, OSError)


def _describe(exc: Exception) -> str:
    from .. import RulesetError
    from .learned import error_lines

    if isinstance(exc, RulesetError):
        return "the ruleset does not check: " + "; ".join(error_lines(exc.diagnostics))
    return str(exc)


def _engine(ruleset: Path | None, name: str | None = None):
    from .. import Engine

    try:
        path = ruleset_file(ruleset if ruleset is not None else Path("rulesets") / (name or ""))
    except NoRuleset as exc:
        raise _fail(f"{exc}; pass --ruleset", 2) from None
    return Engine.load(path), path.parent


def _case_row(c, now=None) -> dict:
    ev = c.evidence or {}
    return {"id": c.id, "status": c.status, "priority": round(c.priority, 2), "amount": c.amount,
            "model_score": c.model_score, "sources": ev.get("sources", []),
            "anomaly": (ev.get("anomaly") or {}).get("score"), "claimed_by": c.claimed_by,
            "claim_expires_at": c.claim_expires_at.isoformat() if c.claim_expires_at else None,
            "claim_stale": c.claim_expired(now),
            "sla_due_at": c.sla_due_at.isoformat() if c.sla_due_at else None, "decision_id": c.decision_id}


def _claim_cell(r: dict) -> str:
    """Who holds the case; a stale claim (anyone may take it over) stands out."""
    who = escape(r["claimed_by"] or "")
    return f"[yellow]{who} (stale)[/]" if r["claim_stale"] else who


# -- queue ----------------------------------------------------------------------------------

@queue_app.command("list")
def queue_list(db: DbOpt = DEFAULT_DB, status: Annotated[Optional[str], typer.Option(help="open, claimed, decided, escalated")] = "open",
               ruleset: Annotated[Optional[str], typer.Option(help="only this ruleset's cases")] = None,
               order: Annotated[str, typer.Option(help="priority, age, sla, amount, score or anomaly")] = "priority",
               stale: Annotated[bool, typer.Option("--stale", help="only claimed cases whose claim has expired (any reviewer may take them over)")] = False,
               limit: Annotated[int, typer.Option(help="at most this many")] = 20, format: FormatOpt = "text") -> None:
    """Cases in the queue, highest priority (or anomaly score) first; stale claims are marked."""
    _format(format)
    if stale:
        status = "claimed"
    store = _store(db)
    now = store.clock()
    try:
        if order == "anomaly":
            cases = store.list_cases(status=status, ruleset=ruleset, limit=None, stale=stale)
            cases.sort(key=lambda c: -((c.evidence.get("anomaly") or {}).get("score") or float("-inf")))
            cases = cases[:limit]
        else:
            cases = store.list_cases(status=status, ruleset=ruleset, order_by=order, limit=limit, stale=stale)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    rows = [_case_row(c, now) for c in cases]
    if format == "json":
        _json(rows)
        return
    table = Table("id", "status", "priority", "amount", "pd", "sources", "anomaly", "claimed by", "SLA due")
    for r in rows:
        table.add_row(str(r["id"]), r["status"], f"{r['priority']:.0f}", f"{r['amount']:.0f}",
                      "" if r["model_score"] is None else f"{r['model_score']:.3f}", ", ".join(r["sources"]),
                      "" if r["anomaly"] is None else f"{r['anomaly']:.3f}", _claim_cell(r),
                      (r["sla_due_at"] or "")[:16])
    out.print(table)
    n_stale = sum(r["claim_stale"] for r in rows)
    err.print(f"{len(rows)} case(s)" + (f", {n_stale} with a stale claim (riskrules queue claim ID takes one over)"
                                        if n_stale else ""))


@queue_app.command("show")
def queue_show(case_id: int, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text") -> None:
    """One case: its evidence, claims, verdicts and notes."""
    _format(format)
    store = _store(db)
    try:
        h = store.case_history(case_id)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    data = {"case": _case_row(h.case), "evidence": h.case.evidence,
            "claims": [{"reviewer": c.reviewer, "claimed_at": c.claimed_at, "expires_at": c.expires_at,
                        "released_at": c.released_at, "end_reason": c.end_reason} for c in h.claims],
            "verdicts": [{"reviewer": v.reviewer, "verdict": v.verdict, "at": v.created_at} for v in h.verdicts],
            "notes": [{"author": n.author, "text": n.text, "at": n.created_at} for n in h.notes]}
    if format == "json":
        _json(data)
        return
    ev = h.case.evidence
    out.print(f"[bold]case {case_id}[/] {h.case.status} · priority {h.case.priority:.0f} · "
              f"sources {', '.join(ev.get('sources', []))} · outcome {ev.get('outcome')}")
    out.print(f"fired: {', '.join(ev.get('fired', [])) or 'none'}; shadow: {', '.join(ev.get('shadow_fired', [])) or 'none'}")
    for n in ev.get("nearly_fired", []):
        out.print(f"  nearly {n['rule']} ({n['distance']}): {escape(n['detail'])}")
    for name, m in (ev.get("models") or {}).items():
        out.print(f"model {name}: probability {m.get('probability')}, points {m.get('points')}")
    for c in h.claims:
        end = f"ended ({c.end_reason or 'released'}) {c.released_at:%Y-%m-%d %H:%M}" if c.released_at else (
            f"[yellow]stale since {c.expires_at:%Y-%m-%d %H:%M}[/]" if h.case.claim_expired()
            else f"until {c.expires_at:%Y-%m-%d %H:%M}")
        out.print(f"claim by {escape(c.reviewer)} at {c.claimed_at:%Y-%m-%d %H:%M}, {end}")
    for v in data["verdicts"]:
        out.print(f"verdict {v['verdict']} by {v['reviewer']} at {v['at']}")


@queue_app.command("claim")
def queue_claim(case_id: Annotated[Optional[int], typer.Argument(help="case id; omitted = the next by priority")] = None,
                reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="who claims")] = "",
                lease: LeaseOpt = None, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text") -> None:
    """Claim a case (or the highest-priority open one) for a lease; a stale claim is taken over.

    Claiming a case you hold again renews your lease."""
    _format(format)
    if not reviewer.strip():
        raise _fail("--reviewer is required", 2)
    store = _store(db, lease)
    try:
        case = store.claim(case_id, reviewer) if case_id is not None else store.claim_next(reviewer)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if case is None:
        raise _fail("no open case to claim")
    if format == "json":
        _json(_case_row(case, store.clock()))
    else:
        out.print(f"claimed case {case.id} for {reviewer} until {case.claim_expires_at:%Y-%m-%d %H:%M} UTC")


@queue_app.command("verdict")
def queue_verdict(case_id: int, verdict: Annotated[str, typer.Argument(help="bad, good, escalate or skip")],
                  reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="who decides (must hold the claim)")] = "",
                  note: Annotated[Optional[str], typer.Option(help="a note kept with the verdict")] = None,
                  db: DbOpt = DEFAULT_DB, format: FormatOpt = "text") -> None:
    """Record a verdict on a claimed case."""
    _format(format)
    if not reviewer.strip():
        raise _fail("--reviewer is required", 2)
    from .store import VERDICTS

    if verdict not in VERDICTS:
        raise _fail(f"verdict is one of {', '.join(VERDICTS)}, not {verdict!r}", 2)
    store = _store(db)
    try:
        v = store.record_verdict(case_id, reviewer, verdict, note)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json({"case_id": case_id, "verdict": v.verdict, "reviewer": v.reviewer, "at": v.created_at})
    else:
        out.print(f"case {case_id}: {verdict} by {reviewer}")


# -- rules ----------------------------------------------------------------------------------

@rules_app.command("propose")
def rules_propose(case_id: int, ruleset: RulesetOpt = None, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text",
                  accept: Annotated[Optional[int], typer.Option(help="save candidate N (1-based) as a shadow rule")] = None,
                  expression: Annotated[Optional[str], typer.Option(help="save this (edited) expression instead")] = None,
                  reviewer: Annotated[str, typer.Option("--reviewer", "-r", help="who proposes (needed to save)")] = "",
                  action: Annotated[str, typer.Option(help="the rule's action")] = "review",
                  reason: Annotated[str, typer.Option(help="the rule's reason code")] = "LEARNED_PATTERN") -> None:
    """Candidate rules learnt from case CASE_ID and the labelled cases, each with its backtest."""
    _format(format)
    from .backtest import backtest_candidates
    from .learn import Candidate, propose
    from .learned import propose_learned_rule

    store = _store(db)
    try:
        case = store.get_case(case_id)
        engine, folder = _engine(ruleset, case.ruleset)
        result = propose(engine, store, folder)
    except typer.Exit:
        raise
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    chosen = None
    if expression is not None:
        chosen = Candidate(expression, "reviewer")
        backtest_candidates(engine, store, folder, [chosen], action=action)  # checks it first
    elif accept is not None:
        if not 1 <= accept <= len(result.candidates):
            raise _fail(f"--accept is 1..{len(result.candidates)}", 2)
        chosen = result.candidates[accept - 1]
    data = result.to_dict()
    if chosen is not None:
        if chosen.diagnostics:
            raise _fail(f"{chosen.expression}: " + "; ".join(chosen.diagnostics))
        if not reviewer.strip():
            raise _fail("--reviewer is required to save a rule", 2)
        try:  # all or nothing: a failed save leaves no proposal and the learned rules untouched
            p, saved = propose_learned_rule(
                store, folder, engine.ruleset["name"], chosen.expression, reviewer, action=action, reason=reason,
                case_input=case.evidence["input"], backtest=chosen.backtest,
                provenance={"case_ids": result.case_ids, "learner": chosen.learner},
                rule_provenance={"case_ids": result.case_ids, "reviewer": reviewer, "learner": chosen.learner,
                                 "backtest": chosen.backtest})
        except _errors() as exc:
            raise _fail(_describe(exc)) from None
        data["saved"] = {"proposal_id": p.id, "rule_id": saved.rule_id, "expression": chosen.expression}
    if format == "json":
        _json(data)
        _fail_when_none_usable(result.candidates)
        return
    out.print(f"learnt from {result.positives} bad and {result.negatives} good case(s), "
              f"{result.background} background decision(s)")
    for k, c in enumerate(result.candidates, 1):
        b = c.backtest
        out.print(f"[bold]{k}.[/] {escape(c.expression)}  [dim]({c.learner})[/]")
        if c.diagnostics:
            out.print("   [red]" + escape("; ".join(c.diagnostics)) + "[/]")
        else:
            out.print(f"   hits {b.get('hits')} ({b.get('hit_rate', 0):.2%}), precision on labelled "
                      f"{b.get('precision_labelled')}, recall {b.get('recall_labelled')}, overlap with existing "
                      f"rules {b.get('overlap_existing', 0):.0%}, approval rate {b.get('approval_rate_change', 0):+.2%}")
    if "saved" in data:
        s = data["saved"]
        err.print(f"saved {s['rule_id']} (proposal {s['proposal_id']}) in shadow; "
                  f"another reviewer promotes it: riskrules rules promote {s['proposal_id']} --actor NAME")
    _fail_when_none_usable(result.candidates)


def _fail_when_none_usable(candidates) -> None:
    """Exit 1 when candidates were learnt but none could be backtested: nothing to propose."""
    if candidates and all(c.diagnostics for c in candidates):
        raise _fail(f"none of the {len(candidates)} candidate rule(s) could be backtested (see above)")


@rules_app.command("promote")
def rules_promote(proposal_id: int, actor: Annotated[str, typer.Option("--actor", help="who promotes (not the proposer)")] = "",
                  ruleset: RulesetOpt = None, db: DbOpt = DEFAULT_DB, format: FormatOpt = "text") -> None:
    """Make a shadow rule active (maker-checker), showing its shadow-period hits."""
    _format(format)
    if not actor.strip():
        raise _fail("--actor is required", 2)
    from .learned import promote

    store = _store(db)
    try:
        proposal = store.get_proposal(proposal_id)
        folder = ruleset if ruleset is not None else Path("rulesets") / proposal.ruleset
        result = promote(store, proposal_id, actor, folder)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json(result.to_dict())
    else:
        out.print(f"{result.rule_id} is active (promoted by {actor}); in shadow it fired on "
                  f"{result.shadow_hits} of {result.shadow_decisions} decisions")
    for f in result.test_failures:
        err.print(f"[yellow]test now fails:[/] {escape(f)}")
    if result.test_failures:
        err.print("update those tests' expectations: the active rule changes their decisions")
        raise typer.Exit(1)


# -- outcomes -------------------------------------------------------------------------------

@outcomes_app.command("import")
def outcomes_import(file: Path, db: DbOpt = DEFAULT_DB, ruleset: RulesetOpt = None, format: FormatOpt = "text",
                    label: Annotated[str, typer.Option(help="column saying what became of the loan: 1/true/bad, "
                                                            "0/false/good, or a named bad outcome (default_90d, fraud)")] = "label",
                    id_column: Annotated[str, typer.Option("--id", help="column with the application id, matched on the "
                                                                        "ruleset's review: id field")] = "application_id",
                    bad_value: Annotated[Optional[str], typer.Option("--bad-value", help="the label value meaning bad, when coded otherwise (e.g. 2)")] = None,
                    good_value: Annotated[Optional[str], typer.Option("--good-value", help="the label value meaning good (e.g. 1)")] = None) -> None:
    """Import outcomes (decision_id or an application id, and a label); approved-then-bad opens cases."""
    _format(format)
    from .outcomes import import_outcomes

    if not file.exists():
        raise _fail(f"{file}: no such file", 2)
    store = _store(db)
    try:
        engine = _engine(ruleset)[0] if ruleset is not None else None
        report = import_outcomes(store, file, engine=engine, label=label, id_column=id_column,
                                 bad_value=bad_value, good_value=good_value)
    except _errors() as exc:
        raise _fail(_describe(exc)) from None
    if format == "json":
        _json(report.__dict__)
    else:
        out.print(f"{report.added} outcome(s) recorded; {report.cases} case(s) opened for approved applications gone bad")


# -- ingest ---------------------------------------------------------------------------------

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
    from .ingest import ingest_book

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
