"""Proof on data: a novel pattern becomes cases, ≤ 20 verdicts become a promoted rule
that catches the pattern on a held-out part of the book.

The book is simulated (20,000 applicants), sorted by submission time and split in
halves: the first is history (decided through intake, anomaly model fitted on it),
the second is held out. A scripted reviewer who recognises the ``ring_shared_device``
fraud ring (ground truth) works the anomaly queue from the most unusual case, then
the cases most like the last one it called bad, 20 verdicts in all. The best
candidate is saved in shadow by the maker, runs in shadow over the first 1,500
held-out applications, and is promoted by a second reviewer; on the rest of the
held-out half it must catch ≥ 70 % of the ring's applications with precision ≥ 0.8.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from riskrules import Engine
from riskrules.engine.batch import decide_frame
from riskrules.review.anomaly import AnomalyScorer
from riskrules.review.intake import DecisionLog, Intake
from riskrules.review.learn import promote, propose, save_learned_rule
from riskrules.review.learned import rule_id_for
from riskrules.review.similar import cases_to_label_next
from riskrules.review.store import MakerCheckerViolation, Store
from riskrules.sim import iter_inputs, load_applications, simulate

ORIGINATION = Path(__file__).parents[2] / "rulesets" / "origination"
PATTERN = "ring_shared_device"
BUDGET = 20
SHADOW_PERIOD = 1_500

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    simulate(11, 20_000, root / "book")
    apps = load_applications(root / "book").sort(pl.col("application").struct.field("submitted_at"))
    truth = pl.read_parquet(root / "book" / "truth.parquet")
    return apps, dict(zip(truth["application_id"], truth["pattern"]))


def _decide_through(engine, store, rows, anomaly=None):
    log = DecisionLog(store)
    intake = Intake(engine, store, log=log, anomaly=anomaly)
    for data in iter_inputs(rows):
        intake.process(engine.decide(data, now=data["application"]["submitted_at"]), data)
    stats = log.close()
    assert (stats.dropped, stats.failed, stats.errors) == (0, 0, [])
    return stats


def _review(engine, store, truth):
    """The scripted reviewer: ``bad`` when the case is a ring member, else ``good``."""
    def verdict(case):
        v = "bad" if truth.get(case.evidence["input"]["application"]["id"]) == PATTERN else "good"
        store.claim(case.id, "alice")
        store.record_verdict(case.id, "alice", v, note="scripted")
        return v

    queue = [c for c in store.list_cases(status="open", limit=None) if "anomaly" in c.evidence["sources"]]
    queue.sort(key=lambda c: -c.evidence["anomaly"]["score"])
    verdicts, last_bad = [], None
    for case in queue:
        verdicts.append(verdict(case))
        if verdicts[-1] == "bad":
            last_bad = case
            break
    assert last_bad is not None, "the anomaly queue holds no ring member"
    while len(verdicts) < BUDGET:
        nearest = cases_to_label_next(engine, store, last_bad.id, k=1)
        if not nearest:
            break
        case = nearest[0][0]
        verdicts.append(verdict(case))
        if verdicts[-1] == "bad":
            last_bad = case
    return verdicts, last_bad


def test_verdicts_on_twenty_cases_yield_a_rule_that_catches_the_ring(book, store, tmp_path):
    apps, truth = book
    ruleset = tmp_path / "origination"
    shutil.copytree(ORIGINATION, ruleset)
    half = apps.height // 2
    history, held_out = apps.head(half), apps.tail(apps.height - half)
    engine = Engine.load(ruleset / "ruleset.yaml")

    # 1. intake over history: unexplained and anomalous decisions become cases
    scorer = AnomalyScorer.fit(engine, history)
    stats = _decide_through(engine, store, history, anomaly=scorer)
    assert stats.written == half and stats.cases > 0
    ring_cases = [c for c in store.list_cases(limit=None) if truth.get(c.evidence["input"]["application"]["id"]) == PATTERN]
    assert ring_cases, "the novel pattern produced no case"

    # 2. at most 20 scripted verdicts
    verdicts, seed = _review(engine, store, truth)
    assert len(verdicts) <= BUDGET and verdicts.count("bad") >= 3

    # 3. learn, check, backtest; the maker saves the best candidate in shadow
    result = propose(engine, store, ruleset)
    best = result.candidates[0]
    assert not best.diagnostics and best.backtest["precision_labelled"] >= 0.8
    assert {"hits", "overlap_existing", "approval_rate_change"} <= set(best.backtest)
    proposal = store.create_proposal("origination", best.expression, "alice", action="review",
                                     provenance={"case_ids": result.case_ids}, backtest=best.backtest)
    rule_id = rule_id_for(proposal.id)
    save_learned_rule(ruleset, best.expression, rule_id, "review", "LEARNED_RING",
                      {"case_ids": result.case_ids, "reviewer": "alice", "backtest": best.backtest},
                      store.get_case(seed.id).evidence["input"])
    store.set_proposal_status(proposal.id, "shadow", "alice")

    # 4. a shadow period on live traffic, then maker-checker promotion
    shadow_engine = Engine.load(ruleset / "ruleset.yaml")
    _decide_through(shadow_engine, store, held_out.head(SHADOW_PERIOD))
    with pytest.raises(MakerCheckerViolation):
        promote(store, proposal.id, "alice", ruleset)
    promotion = promote(store, proposal.id, "bob", ruleset)
    assert promotion.shadow_decisions == SHADOW_PERIOD and promotion.shadow_hits > 0

    # 5. the promoted rule on the rest of the held-out half, against the ground truth
    rest = held_out.tail(held_out.height - SHADOW_PERIOD)
    active = Engine.load(ruleset / "ruleset.yaml")
    assert rule_id in [r.id for r in active.program.rules]
    hit = decide_frame(active, rest, now=dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc))[f"rule:{rule_id}"]
    hit = hit.fill_null(False).to_list()
    member = [truth.get(a) == PATTERN for a in rest["application_id"]]
    caught = sum(h and m for h, m in zip(hit, member))
    recall, precision = caught / sum(member), caught / max(1, sum(hit))
    assert sum(member) >= 40
    assert recall >= 0.7, f"{best.expression}: recall {recall:.2f}"
    assert precision >= 0.8, f"{best.expression}: precision {precision:.2f}"
