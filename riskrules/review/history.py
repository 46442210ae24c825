"""Reading the decision log back in bulk (backtests, outcome matching, shadow hits).

The learning side needs all of a ruleset's decisions as one frame; the store reads
them in bulk (``Store.decisions``) and this module shapes them.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl
from .store import DecisionRecord, Store


def decision_records(store: Store, ruleset: str | None = None, *, since: datetime | None = None,
                     ids: list[str] | None = None) -> list[DecisionRecord]:
    """Logged decisions, oldest first; filtered by ruleset, time or ids."""
    return store.decisions(ruleset, since=since, ids=ids)


def decision_frame(store: Store, ruleset: str | None = None, *,
                   since: datetime | None = None) -> tuple[pl.DataFrame, list[dict]]:
    """(frame, inputs): the frame has decision_id, outcome, digest, fired,
    shadow_fired and created_at; ``inputs`` are the logged input dicts in the same order."""
    rows = decision_records(store, ruleset, since=since)
    return pl.DataFrame({
        "decision_id": [r.id for r in rows],
        "outcome": [r.outcome for r in rows],
        "digest": [r.digest for r in rows],
        "fired": [list(r.decision.get("fired", [])) for r in rows],
        "shadow_fired": [list(r.decision.get("shadow_fired", [])) for r in rows],
        "created_at": [r.created_at for r in rows],
    }, schema_overrides={"fired": pl.List(pl.String), "shadow_fired": pl.List(pl.String)}), [r.input for r in rows]
