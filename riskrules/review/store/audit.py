"""The append-only audit log.

There is deliberately no update or delete here: the only write is :func:`append`,
always called inside the transaction of the change it records, so a change and its
audit entry commit together or not at all. The migration adds database triggers
that reject UPDATE/DELETE on ``audit_log`` from any client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from .connect import jsonable
from .models import AuditEntry


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the open transaction of ``session``."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=jsonable(dict(detail or {}), "audit detail"),
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: object | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries oldest first, optionally narrowed to one entity, actor or action."""
    query = select(AuditEntry).order_by(col(AuditEntry.id))
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())
