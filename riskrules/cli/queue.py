"""``riskrules queue``: the review queue, scriptable: list, show, claim, verdict."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .common import FormatOpt
from .render import out, err, _fail, _format, _json
from .reviewing import DEFAULT_DB, DbOpt, LeaseOpt, _store, _errors, _describe, _case_row, _claim_cell


queue_app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                        help="The review queue: list, show, claim and decide cases.")


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
    from ..review.store import VERDICTS

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
