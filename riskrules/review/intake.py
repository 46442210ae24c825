"""Intake: every decision to the decision log, the unexplained ones to the review queue.

``decide()`` stays as fast as before: :class:`DecisionLog` only puts a reference on a
bounded in-memory queue; one daemon thread serialises, writes in batches and opens
cases (evidence needs a second, traced run, and cases are rare).

>>> log = DecisionLog(store)                                     # doctest: +SKIP
>>> intake = Intake(engine, store, log=log, anomaly=AnomalyScorer.load("iforest.joblib"))  # doctest: +SKIP
>>> d = engine.decide(app); intake.process(d, app)  # priority: risk x the review block's amount  # doctest: +SKIP
>>> log.close()                                                  # doctest: +SKIP

A case opens when the review block's ``unexplained`` holds, when the anomaly score
is above its threshold and no rule with an action fired, or (see :mod:`.outcomes`) when an
approved application later turns out bad.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .anomaly import AnomalyScorer
from .outcomes import OutcomeFileError, import_outcomes  # noqa: F401 - part of the intake API
from .evidence import build_evidence
from .frames import acting_rules, amount_of, review_field
from .store import DuplicateCase, Store, StoreError
from .store.connect import Serialized, serialized

log = logging.getLogger(__name__)

DEFAULT_MAX_QUEUE = 100_000
DEFAULT_BATCH = 1_000
_NAP_S = 0.005  # how often a gathering writer looks whether a full batch is waiting


class LogOverflow(UserWarning):
    """The decision log's queue was full and decisions were not logged."""


@dataclass
class _Item:
    decision: Any
    input: Any
    amount: float | None = None
    wants_case: bool = False


@dataclass
class LogStats:
    submitted: int = 0
    written: int = 0
    dropped: int = 0      # refused because the queue was full (counted and warned, never silent)
    failed: int = 0       # lost to a write error (logged with the error)
    cases: int = 0
    errors: list[str] = field(default_factory=list)


class DecisionLog:
    """A background writer of decisions into the store, never blocking the caller.

    Overflow policy: the queue holds at most ``max_queue`` decisions; when it is
    full, :meth:`submit` returns False at once, counts the decision in
    ``stats.dropped`` and warns (``LogOverflow``, the first time and at every
    power of two), so a slow database costs log completeness, visibly, never
    decision latency. ``after_write(items)`` runs on the writer thread after each
    batch is committed (the intake opens cases there).
    """

    def __init__(self, store: Store, *, batch_size: int = DEFAULT_BATCH, max_queue: int = DEFAULT_MAX_QUEUE,
                 linger_s: float = 0.05, after_write=None, block: bool = False) -> None:
        """``block=True`` is for bulk loads (``riskrules ingest``): a full queue makes the
        caller wait instead of dropping — back-pressure where latency does not matter."""
        self.store = store
        self.block = block
        self.batch_size = batch_size
        self.linger_s = linger_s
        self.after_write = after_write
        self.stats = LogStats()
        self._q: queue.Queue = queue.Queue(maxsize=max_queue)
        self._closed = False
        self._count_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="riskrules-decision-log", daemon=True)
        self._thread.start()

    def submit(self, decision, data, *, amount: float | None = None, wants_case: bool = False) -> bool:
        """Queue one decision (and its input, which must not be changed afterwards)."""
        if self._closed:
            raise RuntimeError("the decision log is closed")
        try:
            if self.block:
                self._q.put(_Item(decision, data, amount, wants_case))
            else:
                self._q.put_nowait(_Item(decision, data, amount, wants_case))
        except queue.Full:
            with self._count_lock:
                self.stats.dropped += 1
                n = self.stats.dropped
            if n & (n - 1) == 0:
                warnings.warn(f"decision log queue full ({self._q.maxsize}): {n} decision(s) not logged so far",
                              LogOverflow, stacklevel=2)
            return False
        with self._count_lock:  # services submit from many threads; `+=` alone could lose counts
            self.stats.submitted += 1
        return True

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is written; False on timeout.

        Never hangs on a dead writer: when the thread is gone, what is still queued
        is counted in ``stats.failed`` and the wait ends."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._q.all_tasks_done:
            while self._q.unfinished_tasks:
                if not self._thread.is_alive():
                    break
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._q.all_tasks_done.wait(0.1 if left is None else min(left, 0.1))
        if not self._thread.is_alive():
            self._drain_dead()
        return True

    def _drain_dead(self) -> None:
        """The writer thread is gone: count what it will never write as failed."""
        lost = 0
        while True:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                lost += 1
            self._q.task_done()
        if lost:
            self.stats.failed += lost
            self.stats.errors.append(f"decision log writer stopped: {lost} decision(s) not written")
            log.error("decision log: writer stopped; %d decision(s) not written", lost)

    def close(self, timeout: float | None = None) -> LogStats:
        """Write what is queued, stop the thread, return the counts."""
        if not self._closed:
            self.flush(timeout)
            self._closed = True
            if self._thread.is_alive():
                try:
                    self._q.put(None, timeout=timeout)
                except queue.Full:
                    pass
                self._thread.join(timeout)
            if not self._thread.is_alive():
                self._drain_dead()
        return self.stats

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- writer thread ---------------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                if self._run_once():
                    return
            except Exception:  # noqa: BLE001 - keep the writer alive whatever happens
                log.exception("decision log: writer loop error")

    def _run_once(self) -> bool:
        """Write one batch; True when the stop marker was seen."""
        first = self._q.get()
        if first is None:
            self._q.task_done()
            return True
        # Let a batch gather while asleep rather than waiting on the queue: a thread
        # blocked in get() is woken by every put(), and each wake-up takes the
        # interpreter lock from the thread that is deciding.
        # a queue smaller than a batch is as full as it gets: waiting on would only drop
        # (or hold up) the decisions that no longer fit
        want = self.batch_size if self._q.maxsize <= 0 else min(self.batch_size, self._q.maxsize)
        deadline = time.monotonic() + self.linger_s
        while self._q.qsize() < want - 1:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, _NAP_S))
        batch = [first]
        stop = False
        while len(batch) < self.batch_size:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
            if item is None:
                stop = True
                self._q.task_done()
                break
            batch.append(item)
        try:
            self._write(batch)
        except Exception as exc:  # noqa: BLE001 - the writer thread must survive any failure
            self.stats.failed += len(batch)
            self.stats.errors.append(f"{type(exc).__name__}: {exc}")
            log.exception("decision log: batch of %d not written", len(batch))
        finally:
            for _ in batch:
                self._q.task_done()
        return stop

    def _write(self, batch: list[_Item]) -> None:
        written = self._insert(batch)
        if written is None and len(batch) > 1:
            # one bad row (a duplicate id, an unserialisable input) must not sink its batch
            written = [item for item in batch if self._insert([item]) is not None]
        if not written:
            return
        if self.after_write is not None:
            try:
                self.after_write(written)
            except Exception as exc:  # noqa: BLE001 - the writer thread must survive; the error is kept
                self.stats.errors.append(f"after_write: {exc}")
                log.exception("decision log: opening cases failed")

    def _insert(self, items: list[_Item]) -> list[_Item] | None:
        """Write ``items`` in one transaction; None (counted and logged) when it fails."""
        try:
            self.stats.written += self.store.log_decisions_many([log_row(i.decision, i.input) for i in items])
            return items
        except Exception as exc:  # noqa: BLE001 - any store failure is counted, never fatal to the writer
            if len(items) == 1:
                self.stats.failed += 1
                known = isinstance(exc, (StoreError, ValueError, TypeError))
                self.stats.errors.append(str(exc) if known else f"{type(exc).__name__}: {exc}")
                log.error("decision log: decision %s not written: %s", items[0].decision.decision_id, exc)
            return None


def log_row(decision, data) -> dict:
    """The decision-log row of one decision (no trace: it is rebuilt for cases).

    The writer thread shares the interpreter lock with the callers of ``decide()``, so
    its work per decision is kept small: input and result go straight to JSON text
    (the C encoder, through :func:`riskrules._common.json.dumps`); only values that
    encoder refuses (NaN, huge integers, odd keys) take the slower walk, which gives
    the same text for everything the fast path accepts.
    """
    result = decision.to_dict(plain=False)
    result.pop("trace", None)
    rs = decision.ruleset
    return {"id": decision.decision_id, "ruleset": rs["name"], "version": rs["version"], "digest": rs["digest"],
            "outcome": decision.outcome, "score": decision.score, "input": _as_json(data, "decision input"),
            "decision": _as_json(result, "decision result"), "created_at": decision.evaluated_at}


def _as_json(value, what: str) -> Serialized:
    # decide() takes any mapping or a pydantic model; the log stores it as a JSON object
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="python")
    elif isinstance(value, Mapping) and not isinstance(value, dict):
        value = dict(value)
    return serialized(value, what)


def acted(decision, acting: frozenset[str]) -> bool:
    """Did a rule with an action fire? Points-only rules (a brand-new account, an IP in
    another province) shade the score but explain no outcome, so they do not count."""
    return any(rule in acting for rule in decision.fired)


def model_risk(decision) -> float:
    """The first model's probability (the ruleset's risk estimate), 0 without models."""
    for m in decision.models.values():
        p = m.get("probability")
        if p is not None:
            return float(p)
    return 0.0


class Intake:
    """Decides which decisions become review cases, and opens them.

    With ``log`` the work happens on the log's writer thread; without, in the caller
    (scripts, tests). ``anomaly`` adds cases whose anomaly score is above the
    scorer's threshold while no rule with an action fired.
    """

    def __init__(self, engine, store: Store, *, log: DecisionLog | None = None,
                 anomaly: AnomalyScorer | None = None, sla_hours: float | None = None) -> None:
        self.engine = engine
        self.store = store
        self.anomaly = anomaly
        review = engine.program.review
        self.sla = timedelta(hours=sla_hours if sla_hours is not None else (review.sla_hours if review else 24.0))
        self.log = log
        self._acting = frozenset(acting_rules(engine.program))
        self._amount = review_field(engine.program, "amount")
        if log is not None:
            log.after_write = self.open_cases

    def process(self, decision, data, amount: float | None = None) -> bool:
        """Log ``decision`` and open a case when it needs one; True when a case may follow."""
        wants = bool(decision.unexplained) or (self.anomaly is not None and not acted(decision, self._acting))
        if self.log is not None:
            self.log.submit(decision, data, amount=amount, wants_case=wants)
            return wants
        self.store.log_decisions_many([log_row(decision, data)])
        self.open_cases([_Item(decision, data, amount, wants)])
        return wants

    def open_cases(self, items: list[_Item]) -> int:
        """Open the cases a written batch calls for (runs after the batch is committed)."""
        candidates = [i for i in items if i.wants_case]
        if not candidates:
            return 0
        scores = [None] * len(candidates)
        if self.anomaly is not None:
            # each input as of the time it was decided (its declared decision time, or the override)
            import polars as pl

            as_of = pl.Series([i.decision.evaluated_at for i in candidates], dtype=pl.Datetime("us", "UTC"))
            scores = list(self.anomaly.score_inputs(self.engine, [i.input for i in candidates], now=as_of))
        opened = 0
        for item, score in zip(candidates, scores):
            sources = ["unexplained"] if item.decision.unexplained else []
            if score is not None and score > self.anomaly.threshold and not acted(item.decision, self._acting):
                sources.append("anomaly")
            if sources and self.enqueue(item.decision, item.input, item.amount, sources, score) is not None:
                opened += 1
        if self.log is not None:
            self.log.stats.cases += opened
        return opened

    def enqueue(self, decision, data, amount, sources: list[str], anomaly_score: float | None = None):
        evidence = build_evidence(self.engine, data, decision=decision)
        evidence["sources"] = sources
        if anomaly_score is not None:
            evidence["anomaly"] = {"score": round(float(anomaly_score), 6), "threshold": self.anomaly.threshold,
                                   "version": self.anomaly.version}
        risk = model_risk(decision)
        amount = amount_of(data, self._amount) if amount is None else float(amount)
        due = datetime.now(timezone.utc) + self.sla  # the case is opened now, whatever the decision time
        try:
            return self.store.enqueue_case(decision.decision_id, amount=amount, evidence=evidence,
                                           model_score=risk, priority=risk * amount, sla_due_at=due)
        except DuplicateCase:
            return None


def load_anomaly(path: str | Path | None) -> AnomalyScorer | None:
    return None if path is None else AnomalyScorer.load(path)
