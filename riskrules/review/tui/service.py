"""Everything the TUI asks of the review store, as blocking calls for workers.

Screens never touch :class:`Store` directly: they run these methods in
``@work(thread=True)`` workers and post the results back as messages. The store is
opened lazily and dropped after an outage so the next call reconnects; a TUI
started while the database is away therefore recovers by simply retrying.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from riskrules.review.store import (
    CASE_STATUSES,
    Case,
    CaseHistory,
    DatabaseUnavailable,
    MigrationError,
    NotFound,
    Store,
    StoreBusy,
    StoreError,
    Verdict,
)

from .evidence import read_evidence
from .similar import LabelledExample, SimilarCase, similar_cases

T = TypeVar("T")

# errors that mean "the database is not there right now" rather than "you asked for
# something wrong"; the TUI shows them in a banner and retries
OUTAGES = (DatabaseUnavailable, StoreBusy, MigrationError)


def is_outage(error: BaseException) -> bool:
    """True for errors worth retrying: the database went away, stayed locked, or
    failed in a way the store could not classify (a generic :class:`StoreError`)."""
    return isinstance(error, OUTAGES) or type(error) is StoreError


@dataclass(frozen=True, slots=True)
class QueueQuery:
    status: str | None = "open"
    ruleset: str | None = None
    order_by: str = "priority"
    desc: bool = True
    limit: int = 500


@dataclass(frozen=True, slots=True)
class QueuePage:
    query: QueueQuery
    cases: list[Case]
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class LinkedCase:
    case_id: int
    status: str
    verdict: str | None


@dataclass(frozen=True, slots=True)
class CaseView:
    """One case with what the case screen shows beside it."""

    history: CaseHistory
    similar: list[SimilarCase] = field(default_factory=list)
    linked: dict[int, LinkedCase] = field(default_factory=dict)

    @property
    def case(self) -> Case:
        return self.history.case


# -- rules learned from verdicts (shapes) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleCandidates:
    """What the rule screen shows for one case: the learned candidates, or why none."""

    case: Case
    ruleset_dir: Path
    case_ids: list[int]
    candidates: list[Any]  # learn.Candidate
    positives: int = 0
    negatives: int = 0
    background: int = 0
    problem: str | None = None  # learning failed (too few labelled cases, ...): the editor still works


@dataclass(frozen=True, slots=True)
class SavedRule:
    proposal_id: int
    rule_id: str
    expression: str
    learned_file: Path
    test_file: Path
    shadow_fired: list[str]


@dataclass(frozen=True, slots=True)
class ProposalRow:
    id: int
    rule_id: str
    ruleset: str
    status: str
    expression: str
    proposed_by: str
    promoted_by: str | None
    shadow_hits: int


class ReviewService:
    """Blocking access to the review store for one reviewer. Thread-safe."""

    MAX_LINKED = 50

    def __init__(self, store_url: str, *, clock: Callable[[], datetime] | None = None,
                 claim_lease: timedelta | None = None) -> None:
        self.store_url = store_url
        # the app's clock and lease for the claims this reviewer makes
        self._options: dict[str, Any] = {"clock": clock, "claim_lease": claim_lease}
        self._options = {k: v for k, v in self._options.items() if v is not None}
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _call(self, fn: Callable[[Store], T]) -> T:
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.store_url, **self._options)
            store = self._store
        try:
            return fn(store)
        except StoreError as error:
            if is_outage(error) and not isinstance(error, StoreBusy):
                # reconnect next time: the file may have been replaced, the server restarted
                self._forget(store)
            raise

    def _forget(self, store: Store) -> None:
        with self._lock:
            if self._store is store:
                self._store = None
        try:
            store.close()
        except Exception:  # closing a dead engine may fail in many ways; we drop it anyway
            pass

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # -- reads ---------------------------------------------------------------------

    def queue_page(self, query: QueueQuery) -> QueuePage:
        def read(store: Store) -> QueuePage:
            cases = store.list_cases(
                status=query.status, ruleset=query.ruleset, order_by=query.order_by,
                desc=query.desc, limit=query.limit,
            )
            return QueuePage(query, cases, store.counts_by_status(ruleset=query.ruleset))

        return self._call(read)

    def case_view(self, case_id: int, *, k: int = 5) -> CaseView:
        def read(store: Store) -> CaseView:
            history = store.case_history(case_id)
            evidence = read_evidence(history.case.evidence)
            labelled = store.labelled_cases(ruleset=history.case.ruleset)
            verdicts = {lc.case.id: lc.verdict for lc in labelled}
            pool = [
                LabelledExample(lc.case.id, lc.verdict, read_evidence(lc.evidence).features,
                                lc.case.amount, lc.outcomes)
                for lc in labelled
                if lc.case.id is not None
            ]
            similar = similar_cases(evidence.features, pool, k=k, exclude=case_id)
            linked = {}
            wanted = sorted({i for link in evidence.links for i in link.other_case_ids} - {case_id})
            for other in wanted[: self.MAX_LINKED]:
                try:
                    found = store.get_case(other)
                except NotFound:
                    continue
                linked[other] = LinkedCase(other, found.status, verdicts.get(other))
            return CaseView(history, similar, linked)

        return self._call(read)

    # -- writes --------------------------------------------------------------------

    def claim(self, case_id: int, reviewer: str) -> Case:
        return self._call(lambda store: store.claim(case_id, reviewer))

    def claim_next(self, reviewer: str, ruleset: str | None = None) -> Case | None:
        return self._call(lambda store: store.claim_next(reviewer, ruleset=ruleset))

    def release(self, case_id: int, reviewer: str) -> Case:
        return self._call(lambda store: store.release(case_id, reviewer))

    def record_verdict(self, case_id: int, reviewer: str, verdict: str, note: str | None) -> Verdict:
        return self._call(lambda store: store.record_verdict(case_id, reviewer, verdict, note=note or None))

    def add_note(self, case_id: int, reviewer: str, text: str) -> None:
        self._call(lambda store: store.add_note(case_id, reviewer, text))

    # -- rules learned from verdicts ----------------------------------------------

    def get_case(self, case_id: int) -> Case:
        return self._call(lambda store: store.get_case(case_id))

    def propose_rules(self, case_id: int, ruleset_for: Callable[[str], str | Path]) -> RuleCandidates:
        """Candidate conditions learned for ``case_id`` (learn.propose), each backtested;
        ``ruleset_for`` maps the case's ruleset name to its folder."""
        from riskrules import Engine
        from riskrules.review.learn import LearnError, propose
        from riskrules.review.learned import ruleset_file

        def read(store: Store) -> RuleCandidates:
            case = store.get_case(case_id)
            src = ruleset_file(ruleset_for(case.ruleset))
            engine = Engine.load(src)
            try:
                result = propose(engine, store, src.parent)
            except LearnError as error:
                return RuleCandidates(case, src.parent, [case_id], [], problem=str(error))
            return RuleCandidates(case, src.parent, list(result.case_ids), list(result.candidates),
                                  result.positives, result.negatives, result.background)

        return self._call(read)


    def save_rule(self, case: Case, ruleset_dir: str | Path, expression: str, reviewer: str, *,
                  case_ids: list[int], learner: str = "reviewer", backtest: dict | None = None,
                  action: str = "review", reason: str = "LEARNED_PATTERN", now: datetime | None = None) -> SavedRule:
        """Save ``expression`` as a shadow rule the way ``riskrules rules propose`` does: a store
        proposal, the rule with its provenance in learned.yaml and a generated test, all
        or nothing (``learned.propose_learned_rule``)."""
        from riskrules import Engine
        from riskrules.review.backtest import backtest_candidates
        from riskrules.review.learn import Candidate
        from riskrules.review.learned import LearnedRuleError, propose_learned_rule, ruleset_file

        def write(store: Store) -> SavedRule:
            src = ruleset_file(ruleset_dir)
            engine = Engine.load(src)
            figures = backtest
            if figures is None:  # an edited expression: measure it like the CLI does
                chosen = Candidate(expression, learner)
                backtest_candidates(engine, store, src.parent, [chosen], action=action)
                if chosen.diagnostics:
                    raise LearnedRuleError(f"{expression}: " + "; ".join(chosen.diagnostics))
                figures = chosen.backtest
            when = now or datetime.now(timezone.utc)
            proposal, saved = propose_learned_rule(
                store, src.parent, engine.ruleset["name"], expression, reviewer, action=action, reason=reason,
                case_input=(case.evidence or {}).get("input") or {}, backtest=figures, now=now,
                provenance={"case_ids": case_ids, "learner": learner},
                rule_provenance={"case_id": case.id, "case_ids": case_ids, "reviewer": reviewer,
                                 "proposed_at": when.isoformat(), "learner": learner, "backtest": figures})
            assert proposal.id is not None
            return SavedRule(proposal.id, saved.rule_id, expression, saved.learned_file, saved.test_file,
                             saved.shadow_fired)

        return self._call(write)


    def proposals(self: ReviewService) -> list[ProposalRow]:
        """Every rule proposal with its shadow-period hits from the decision log."""
        from riskrules.review.history import decision_frame
        from riskrules.review.learned import rule_id_for

        def read(store: Store) -> list[ProposalRow]:
            found = store.list_proposals()
            logs: dict[str, Any] = {}
            rows = []
            for p in found:
                assert p.id is not None
                rule_id = (p.provenance or {}).get("rule_id") or rule_id_for(p.id)
                if p.ruleset not in logs:
                    logs[p.ruleset] = decision_frame(store, p.ruleset)[0]
                log = logs[p.ruleset]
                hits = int(log["shadow_fired"].list.contains(rule_id).sum()) if log.height else 0
                rows.append(ProposalRow(p.id, rule_id, p.ruleset, p.status, p.expression, p.proposed_by,
                                        p.promoted_by, hits))
            return rows

        return self._call(read)


    def promote_rule(self, proposal_id: int, actor: str, ruleset_dir: str | Path) -> Any:
        """learned.promote: maker-checker in the store; the proposal, learned.yaml and its
        test become active all or nothing."""
        from riskrules.review.learned import promote

        return self._call(lambda store: promote(store, proposal_id, actor, ruleset_dir))


__all__ = [
    "CASE_STATUSES", "CaseView", "LinkedCase", "OUTAGES", "ProposalRow", "QueuePage", "QueueQuery",
    "ReviewService", "RuleCandidates", "SavedRule", "is_outage",
]
