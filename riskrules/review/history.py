"""Reading the decision log back in bulk (backtests, outcome matching, shadow hits).

A thin read-only helper next to the store: the store's API reads one decision at a
time, and the learning side needs all of a ruleset's decisions as one frame.
It uses the store's own read transaction, so it stays on the store's error model.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlmodel import col, select

from .store import DecisionRecord, Store


def decision_records(store: Store, ruleset: str | None = None, *, since: datetime | None = None,
                     ids: list[str] | None = None) -> list[DecisionRecord]:
    """Logged decisions, oldest first; filtered by ruleset, time or ids."""
    query = select(DecisionRecord).order_by(col(DecisionRecord.created_at), col(DecisionRecord.id))
    if ruleset is not None:
        query = query.where(DecisionRecord.ruleset == ruleset)
    if since is not None:
        query = query.where(col(DecisionRecord.created_at) >= since)
    if ids is not None:
        query = query.where(col(DecisionRecord.id).in_(ids))
    with store._read() as session:  # noqa: SLF001 - the store's read transaction, on purpose
        return list(session.exec(query).all())


def decision_frame(store: Store, ruleset: str | None = None, *,
                   since: datetime | None = None) -> tuple[pl.DataFrame, list[dict]]:
    """(frame, inputs): the frame has decision_id, application_id, outcome, digest, fired,
    shadow_fired and created_at; ``inputs`` are the logged input dicts in the same order."""
    rows = decision_records(store, ruleset, since=since)
    return pl.DataFrame({
        "decision_id": [r.id for r in rows],
        "application_id": [str((r.input.get("application") or {}).get("id", "")) for r in rows],
        "outcome": [r.outcome for r in rows],
        "digest": [r.digest for r in rows],
        "fired": [list(r.decision.get("fired", [])) for r in rows],
        "shadow_fired": [list(r.decision.get("shadow_fired", [])) for r in rows],
        "created_at": [r.created_at for r in rows],
    }, schema_overrides={"fired": pl.List(pl.String), "shadow_fired": pl.List(pl.String)}), [r.input for r in rows]
