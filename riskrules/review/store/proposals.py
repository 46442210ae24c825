"""Rule proposals: draft -> shadow -> active, or rejected, under maker-checker.

The person who proposed a rule may put it in shadow (it is evaluated and reported,
never changes an outcome) but may not make it active: a second person must.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlmodel import Session

from . import audit
from .connect import jsonable
from .errors import InvalidData, InvalidTransition, MakerCheckerViolation, ProposalNotFound
from .models import PROPOSAL_STATUSES, RuleProposal, utcnow

TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    "draft": frozenset({"shadow", "rejected"}),
    "shadow": frozenset({"active", "rejected", "draft"}),
    # "rejected" from active is how a live rule is retired
    "active": frozenset({"rejected"}),
    "rejected": frozenset(),
}


def create(
    session: Session,
    *,
    ruleset: str,
    expression: str,
    proposed_by: str,
    action: str | None,
    provenance: Mapping[str, Any] | None,
    backtest: Mapping[str, Any] | None,
) -> RuleProposal:
    if not expression.strip():
        raise InvalidData("a rule proposal needs an expression")
    proposal = RuleProposal(
        ruleset=ruleset,
        expression=expression,
        action=action,
        proposed_by=proposed_by,
        provenance=jsonable(dict(provenance or {}), "provenance"),
        backtest=None if backtest is None else jsonable(dict(backtest), "backtest"),
    )
    session.add(proposal)
    session.flush()
    audit.append(
        session, actor=proposed_by, action="proposal.created", entity="proposal", entity_id=proposal.id,
        detail={"ruleset": ruleset, "expression": expression, "action": action},
    )
    return proposal


def _get(session: Session, proposal_id: int) -> RuleProposal:
    proposal = session.get(RuleProposal, proposal_id, with_for_update=True)
    if proposal is None:
        raise ProposalNotFound(f"no rule proposal {proposal_id}")
    return proposal


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def set_status(session: Session, proposal_id: int, status: str, actor: str) -> RuleProposal:
    if status not in PROPOSAL_STATUSES:
        raise InvalidData(f"unknown proposal status {status!r}; expected one of {', '.join(PROPOSAL_STATUSES)}")
    proposal = _get(session, proposal_id)
    before = proposal.status
    if status not in TRANSITIONS[before]:
        allowed = ", ".join(sorted(TRANSITIONS[before])) or "nothing"
        raise InvalidTransition(f"proposal {proposal_id} is {before}; it can move to {allowed}, not {status}")
    if status == "active":
        if _same_person(actor, proposal.proposed_by):
            raise MakerCheckerViolation(
                f"{proposal.proposed_by} proposed rule {proposal_id} and cannot activate it; another reviewer must"
            )
        proposal.promoted_by = actor
    proposal.status, proposal.updated_at = status, utcnow()
    session.add(proposal)
    session.flush()
    audit.append(
        session, actor=actor, action="proposal.status", entity="proposal", entity_id=proposal_id,
        detail={"from": before, "to": status},
    )
    return proposal


def record_backtest(
    session: Session, proposal_id: int, backtest: Mapping[str, Any], actor: str
) -> RuleProposal:
    proposal = _get(session, proposal_id)
    proposal.backtest, proposal.updated_at = jsonable(dict(backtest), "backtest"), utcnow()
    session.add(proposal)
    session.flush()
    audit.append(
        session, actor=actor, action="proposal.backtest", entity="proposal", entity_id=proposal_id,
        detail={"keys": sorted(backtest)},
    )
    return proposal
