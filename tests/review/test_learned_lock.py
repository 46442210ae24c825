"""Two saves on one ruleset at once, in two processes: the lock next to learned.yaml
serialises them, so neither loses the other's rule. On PostgreSQL the store's
transactions alone let both read learned.yaml before either wrote it back (SQLite's
write lock happened to serialise them)."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
import threading
import time
from pathlib import Path

import pytest

from riskrules.review import learned
from riskrules.review.learned import LearnedRuleError, lock_file, read_rules, save_learned_rule
from riskrules.review.store import Store

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)
MEET_S = 2.0  # how long a writer that has read learned.yaml waits for the other to have read it too
SPAWN = multiprocessing.get_context("spawn")

pytestmark = pytest.mark.slow


@pytest.fixture
def ruleset(tmp_path) -> Path:
    dst = tmp_path / "origination"
    shutil.copytree(ORIGINATION, dst, ignore=shutil.ignore_patterns("samples"))
    return dst


def _sample() -> dict:
    return json.loads((ORIGINATION / "samples" / "applications.jsonl").read_text(encoding="utf-8").splitlines()[0])


def _save_in_process(store_url, ruleset, expression, start, meet, delay, results) -> None:
    """A reviewer's process (spawned): save ``expression``; report how it went on ``results``.

    Once it has read learned.yaml it waits for the other writer to have read it too
    (``meet``), then ``delay`` seconds: without the lock both then write from the same
    old copy. With the lock the other one never gets there; the wait times out.
    """
    def hold(_folder: Path) -> None:
        try:
            meet.wait(timeout=MEET_S)
        except threading.BrokenBarrierError:
            pass  # the other writer is waiting for the lock (or has timed out here already)
        time.sleep(delay)

    learned.after_read_hook = hold
    try:
        with Store.open(store_url) as store:
            start.wait(timeout=60)  # both have imported and connected: the race starts together
            _, saved = learned.propose_learned_rule(store, ruleset, "origination", expression, "alice",
                                                    action="review", reason="X", case_input=_sample(),
                                                    provenance={"case_ids": [1]}, now=NOW)
        results.put((expression, "saved", saved.rule_id))
    except LearnedRuleError as exc:
        results.put((expression, "refused", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, with its type
        results.put((expression, "crashed", repr(exc)))


def _race(store_url: str, ruleset: Path, writers: list[tuple[str, float]]) -> dict[str, tuple[str, str]]:
    """Run one process per (expression, delay) in ``writers``; each one's (outcome, detail)."""
    start, meet, results = SPAWN.Barrier(len(writers)), SPAWN.Barrier(len(writers)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_save_in_process, args=(store_url, str(ruleset), expression, start, meet, delay,
                                                          results)) for expression, delay in writers]
    for p in procs:
        p.start()
    try:
        got = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return {expression: (outcome, detail) for expression, outcome, detail in got}


def _in_files(ruleset: Path) -> tuple[dict[str, str], set[str]]:
    """The rules of learned.yaml (id -> expression) and the rules its generated tests are for."""
    import yaml

    tests = yaml.safe_load((ruleset / "tests" / "learned.yaml").read_text(encoding="utf-8"))
    return {r["id"]: r["when"] for r in read_rules(ruleset)}, {c["rule"] for c in tests["cases"]}


def test_two_saves_at_once_keep_both_rules(store, store_url, ruleset):
    outcome = _race(store_url, ruleset, [("device.accounts >= 5", 0.0), ("device.accounts >= 9", 0.0)])
    assert {o for o, _ in outcome.values()} == {"saved"}, outcome
    by_rule = {detail: expression for expression, (_, detail) in outcome.items()}
    assert _in_files(ruleset) == (by_rule, set(by_rule))
    assert {learned.rule_id_for(p.id): p.expression for p in store.list_proposals()} == by_rule


def test_a_failed_save_does_not_undo_the_one_beside_it(store, store_url, ruleset):
    # the failing one restores its copy of the files last: without the lock, a copy
    # taken before the other rule was written
    outcome = _race(store_url, ruleset, [("device.nope >= 5", 1.0), ("device.accounts >= 5", 0.0)])
    assert outcome["device.nope >= 5"][0] == "refused" and "does not check" in outcome["device.nope >= 5"][1]
    assert outcome["device.accounts >= 5"][0] == "saved", outcome
    rule_id = outcome["device.accounts >= 5"][1]
    assert _in_files(ruleset) == ({rule_id: "device.accounts >= 5"}, {rule_id})
    assert [(learned.rule_id_for(p.id), p.expression) for p in store.list_proposals()] == [
        (rule_id, "device.accounts >= 5")]


def _hold_lock(folder: str, ready) -> None:
    with learned.learned_rules_locked(Path(folder)):
        ready.set()
        time.sleep(600)


def test_a_held_lock_is_named_and_a_dead_holder_leaves_none(ruleset, monkeypatch):
    """A save waits for the lock, then says which file it could not lock, and writes
    nothing; the lock is the operating system's, so a holder that dies (killed, no
    clean-up) releases it."""
    before = (ruleset / "learned.yaml").read_bytes()
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=_hold_lock, args=(str(ruleset), ready))
    holder.start()
    try:
        assert ready.wait(timeout=60)
        monkeypatch.setattr(learned, "LOCK_TIMEOUT_S", 0.3)
        with pytest.raises(LearnedRuleError) as refused:
            save_learned_rule(ruleset, "device.accounts >= 5", "LRN-900", "review", "X", {}, _sample(), now=NOW)
        assert str(refused.value) == (f"{lock_file(ruleset)}: another save or promotion of this ruleset held the "
                                      "lock for 0.3 s; try again when it is done (nothing was changed)")
        assert (ruleset / "learned.yaml").read_bytes() == before
    finally:
        holder.kill()
        holder.join(timeout=30)
    monkeypatch.setattr(learned, "LOCK_TIMEOUT_S", 5.0)
    save_learned_rule(ruleset, "device.accounts >= 5", "LRN-900", "review", "X", {}, _sample(), now=NOW)
    assert [r["id"] for r in read_rules(ruleset)] == ["LRN-900"]
