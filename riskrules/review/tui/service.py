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
from typing import TypeVar

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


class ReviewService:
    """Blocking access to the review store for one reviewer. Thread-safe."""

    MAX_LINKED = 50

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _call(self, fn: Callable[[Store], T]) -> T:
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.store_url)
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


__all__ = [
    "CASE_STATUSES", "CaseView", "LinkedCase", "OUTAGES", "QueuePage", "QueueQuery",
    "ReviewService", "is_outage",
]
