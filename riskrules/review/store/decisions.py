"""The decision log: every decision, with the input it was made on.

Logged decisions make replay possible (same input + same digest = same decision)
and are what review cases point at.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from . import audit
from .connect import Serialized, jsonable, serialized
from .errors import InvalidData
from .models import DecisionRecord, utcnow

REQUIRED = ("ruleset", "version", "digest", "outcome")
OPTIONAL = ("id", "score", "created_at", "input", "decision")
_BATCH = 2000


def new_id() -> str:
    return uuid.uuid4().hex


def row(values: Mapping[str, Any], *, bulk: bool = False) -> dict[str, Any]:
    """Validate one decision-log row and fill defaults.

    ``bulk``: the JSON columns are serialised once here and written as text (the
    single-row path instead round-trips them, so the returned record equals the stored one).
    """
    missing = [k for k in REQUIRED if values.get(k) is None]
    unknown = sorted(set(values) - set(REQUIRED) - set(OPTIONAL))
    if missing or unknown:
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unknown {', '.join(unknown)}"] if unknown else []
        raise InvalidData(f"decision log row: {'; '.join(problems)}")
    created_at = values.get("created_at") or utcnow()
    if not isinstance(created_at, datetime):
        raise InvalidData(f"decision log row: created_at must be a datetime, not {created_at!r}")
    score = values.get("score")
    return {
        "id": str(values.get("id") or new_id()),
        "ruleset": str(values["ruleset"]),
        "version": str(values["version"]),
        "digest": str(values["digest"]),
        "outcome": str(values["outcome"]),
        "score": None if score is None else float(score),
        "created_at": created_at,
        "input": _json_column(values.get("input"), "decision input", bulk),
        "decision": _json_column(values.get("decision"), "decision result", bulk),
    }


def _json_column(value: Any, what: str, bulk: bool) -> Any:
    """A JSON object column: a mapping, or (bulk) JSON text of an object already made by ``serialized``."""
    if isinstance(value, Serialized):
        if not value.startswith("{"):
            raise InvalidData(f"{what} must be a JSON object")
        return value if bulk else json.loads(value)
    return (serialized if bulk else jsonable)(dict(value or {}), what)


def log_one(session: Session, values: Mapping[str, Any], actor: str) -> DecisionRecord:
    record = DecisionRecord(**row(values))
    session.add(record)
    session.flush()
    audit.append(
        session, actor=actor, action="decision.logged", entity="decision", entity_id=record.id,
        detail={"ruleset": record.ruleset, "digest": record.digest, "outcome": record.outcome},
    )
    return record


def log_many(session: Session, rows: Iterable[Mapping[str, Any]], actor: str) -> int:
    """Insert in batches with one executemany each; one audit entry for the lot."""
    table = DecisionRecord.__table__
    count, rulesets, batch = 0, set(), []
    for values in rows:
        batch.append(row(values, bulk=True))
        rulesets.add(batch[-1]["ruleset"])
        if len(batch) >= _BATCH:
            session.execute(sa.insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        session.execute(sa.insert(table), batch)
        count += len(batch)
    if count:
        audit.append(
            session, actor=actor, action="decision.logged_many", entity="decision", entity_id="*",
            detail={"count": count, "rulesets": sorted(rulesets)},
        )
    return count
