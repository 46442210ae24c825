"""What the learning side reads and feeds back: labelled cases and loan outcomes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from . import audit
from .models import Case, Outcome, Verdict

LABELS = ("bad", "good")


@dataclass(frozen=True, slots=True)
class LabelledCase:
    """A reviewed case with its latest bad/good verdict and known loan outcomes."""

    case: Case
    verdict: str
    reviewer: str
    decided_at: datetime
    outcomes: tuple[str, ...]

    @property
    def evidence(self) -> dict:
        return self.case.evidence


def labelled_cases(session: Session, ruleset: str | None) -> list[LabelledCase]:
    query = (
        select(Verdict, Case)
        .join(Case, col(Case.id) == col(Verdict.case_id))
        .where(col(Verdict.verdict).in_(LABELS))
        .order_by(col(Verdict.case_id), col(Verdict.created_at), col(Verdict.id))
    )
    if ruleset is not None:
        query = query.where(Case.ruleset == ruleset)
    latest: dict[int, tuple[Verdict, Case]] = {}
    for verdict, case in session.exec(query).all():
        latest[verdict.case_id] = (verdict, case)  # rows are in time order: the last one wins
    outcomes = _outcome_labels(session, [case.decision_id for _, case in latest.values()])
    return [
        LabelledCase(case, v.verdict, v.reviewer, v.created_at, outcomes.get(case.decision_id, ()))
        for v, case in latest.values()
    ]


def _outcome_labels(session: Session, decision_ids: list[str]) -> dict[str, tuple[str, ...]]:
    labels: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(decision_ids, 500):
        query = select(Outcome.decision_id, Outcome.label).where(col(Outcome.decision_id).in_(chunk))
        for decision_id, label in session.exec(query.order_by(col(Outcome.id))).all():
            labels[decision_id].append(label)
    return {k: tuple(v) for k, v in labels.items()}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_outcome(
    session: Session, decision_id: str, label: str, observed_at: datetime | None, actor: str
) -> Outcome:
    """Idempotent: the same (decision, label) reported twice is stored once."""
    existing = session.exec(
        select(Outcome).where(Outcome.decision_id == decision_id, Outcome.label == label)
    ).first()
    if existing is not None:
        return existing
    outcome = Outcome(decision_id=decision_id, label=label)
    if observed_at is not None:
        outcome.observed_at = observed_at
    session.add(outcome)
    session.flush()
    audit.append(
        session, actor=actor, action="outcome.added", entity="decision", entity_id=decision_id,
        detail={"label": label, "outcome_id": outcome.id},
    )
    return outcome


def outcomes_for(session: Session, decision_ids: Iterable[str], label: str | None) -> list[Outcome]:
    found: list[Outcome] = []
    for chunk in _chunks(list(dict.fromkeys(decision_ids)), 500):
        query = select(Outcome).where(col(Outcome.decision_id).in_(chunk))
        if label is not None:
            query = query.where(Outcome.label == label)
        found.extend(session.exec(query).all())
    return sorted(found, key=lambda o: (o.decision_id, o.id or 0))
