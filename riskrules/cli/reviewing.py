"""What the review commands share: the store option, opening the store, errors, case rows."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .._common.files import NoRuleset, ruleset_file
from .render import _fail


DEFAULT_DB = "riskrules-review.db"
DbOpt = Annotated[str, typer.Option("--db", help="review store: a SQLite file or sqlite:/// or postgresql:// URL")]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json")]
RulesetOpt = Annotated[Optional[Path], typer.Option("--ruleset", help="ruleset folder (default rulesets/<name>)")]
LeaseOpt = Annotated[Optional[float], typer.Option(
    "--lease", help="minutes a claim lasts before another reviewer may take the case over (default 30)")]


def _store(db: str, lease: float | None = None, *, create: bool = False):
    """The store at ``db``. Only ``ingest`` creates one: every other command reads or changes
    cases and decisions that must already be there, so a mistyped path is said, not made."""
    from ..review.store import Store, StoreError
    from ..review.store.connect import is_memory, normalize_url

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
    from ..review.anomaly import AnomalyError
    from ..review.learn import LearnError
    from ..review.learned import LearnedRuleError
    from ..review.outcomes import OutcomeFileError
    from ..review.store import StoreError

    return (StoreError, LearnError, LearnedRuleError, OutcomeFileError, AnomalyError, RulesetError, InputError,
            DataError, ValueError, OSError)


def _describe(exc: Exception) -> str:
    from .. import RulesetError
    from ..review.learned import error_lines

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
