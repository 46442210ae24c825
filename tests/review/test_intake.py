"""Intake: the background decision log, case opening, evidence, anomaly model, outcome import."""
from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from riskrules import Engine
from riskrules.review.anomaly import AnomalyError, AnomalyScorer
from riskrules.review.evidence import build_evidence
from riskrules.review.history import decision_records
from riskrules.review.intake import DecisionLog, Intake, LogOverflow
from riskrules.review.outcomes import OutcomeFileError, import_outcomes
from riskrules.review.store import Store

RULESET = Path(__file__).parents[2] / "rulesets" / "origination" / "ruleset.yaml"
SAMPLES = RULESET.parent / "samples" / "applications.jsonl"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(RULESET)


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    with Store.open(f"sqlite:///{tmp_path / 'review.db'}") as store:
        yield store


def unexplained_input(engine, samples) -> dict:
    for s in samples:
        if engine.decide(s, now=NOW).unexplained:
            return s
    # never skip: a sample set with no unexplained decision would silently disable the tests below
    pytest.fail("no sample is unexplained (review.unexplained: models.pd > 0.2 and no rule fired); "
                "the sample set or the ruleset changed, fix the fixture")


def test_decision_log_writes_everything_in_the_background(engine, samples, store):
    with DecisionLog(store, batch_size=64) as log:
        for s in samples[:150]:
            assert log.submit(engine.decide(s, now=NOW), s)
        assert log.flush(timeout=30)
    assert (log.stats.submitted, log.stats.written, log.stats.dropped, log.stats.failed) == (150, 150, 0, 0)
    rows = decision_records(store, "origination")
    assert len(rows) == 150
    assert rows[0].input["application"]["id"] and rows[0].decision["outcome"] == rows[0].outcome


def test_a_bad_row_does_not_sink_its_batch(engine, samples, sqlite_store):
    decisions = [engine.decide(s, now=NOW) for s in samples[:5]]
    log = DecisionLog(sqlite_store, batch_size=100, linger_s=1.0)
    for d, s in zip(decisions, samples):
        log.submit(d, s)
    log.submit(decisions[0], samples[0])  # the same decision twice: its id is taken
    stats = log.close(timeout=30)
    assert (stats.written, stats.failed) == (5, 1)
    assert "UNIQUE" in stats.errors[0] or "unique" in stats.errors[0].lower()


def test_log_rows_store_what_the_slow_walk_would_for_any_input(engine, samples, sqlite_store):
    """The log's fast path (straight to JSON text) and its fallback (values the JSON
    encoder refuses) store the same thing the plain walk gives."""
    from decimal import Decimal

    import numpy as np

    from riskrules._common.json import to_jsonable as jsonable
    from riskrules.review.intake import log_row

    odd = {"waited": dt.timedelta(minutes=90), "ratio": float("nan"), "n": np.int64(3), "at": NOW, 7: "int key",
           True: "bool key", "fee": Decimal("12.30"), "big": 10**5000}
    inputs = [samples[0], samples[1] | {"extra": odd}, samples[2] | {"tags": ("a", "b"), "day": NOW.date()}]
    decisions = [engine.decide(s, now=NOW) for s in inputs]
    sqlite_store.log_decisions_many([log_row(d, s) for d, s in zip(decisions, inputs)])
    stored = {r.id: r for r in decision_records(sqlite_store, "origination")}
    for d, s in zip(decisions, inputs):
        plain = d.to_dict()
        plain.pop("trace", None)
        assert stored[d.decision_id].input == jsonable(s)
        assert stored[d.decision_id].decision == jsonable(plain)
    assert stored[decisions[1].decision_id].input["extra"] == {
        "waited": 5400.0, "ratio": None, "n": 3, "at": NOW.isoformat(), "7": "int key", "true": "bool key",
        "fee": "12.30", "big": "1" + "0" * 5000}


def test_json_text_that_is_not_an_object_is_refused(engine, samples, sqlite_store):
    from riskrules.review.intake import log_row
    from riskrules.review.store import InvalidData
    from riskrules.review.store.connect import Serialized

    row = log_row(engine.decide(samples[0], now=NOW), samples[0])
    with pytest.raises(InvalidData, match="decision input must be a JSON object"):
        sqlite_store.log_decisions_many([row | {"input": Serialized("[1, 2]")}])
    assert decision_records(sqlite_store, "origination") == []


def test_an_input_that_is_a_mapping_but_not_a_dict_is_logged(engine, samples, sqlite_store):
    """decide() takes any mapping; the log's JSON fast path refused a non-dict one and its
    fallback walk left it as it was, so the decision was counted failed and never written."""
    import types

    data = types.MappingProxyType(samples[0])
    with DecisionLog(sqlite_store) as log:
        log.submit(engine.decide(data, now=NOW), data)
    assert (log.stats.written, log.stats.failed) == (1, 0), log.stats.errors
    assert decision_records(sqlite_store, "origination")[0].input == json.loads(json.dumps(samples[0]))


class _SlowStore:
    """A store whose writes wait until released: the queue fills up behind it."""

    def __init__(self):
        self.release = threading.Event()
        self.rows = 0

    def log_decisions_many(self, rows):
        self.release.wait(10)
        rows = list(rows)
        self.rows += len(rows)
        return len(rows)


def test_full_queue_never_blocks_and_never_drops_silently(engine, samples):
    slow = _SlowStore()
    log = DecisionLog(slow, batch_size=1, max_queue=2, linger_s=0)
    decision = engine.decide(samples[0], now=NOW)
    with pytest.warns(LogOverflow, match="queue full"):
        accepted = [log.submit(decision, samples[0]) for _ in range(10)]
    assert not all(accepted)
    assert log.stats.dropped == accepted.count(False) >= 7
    slow.release.set()
    stats = log.close(timeout=10)
    assert stats.written == stats.submitted == accepted.count(True) == slow.rows


def test_a_queue_smaller_than_a_batch_is_written_without_waiting_out_the_linger(engine, samples):
    """The writer gathers a batch asleep until batch_size are waiting; a queue that cannot
    hold that many never got there, so it slept the whole linger while submits were dropped."""
    store = _SlowStore()
    store.release.set()
    log = DecisionLog(store, batch_size=1000, max_queue=10, linger_s=10)
    decision = engine.decide(samples[0], now=NOW)
    for _ in range(10):
        assert log.submit(decision, samples[0])
    try:
        assert log.flush(timeout=3), "the writer waited out its linger behind a full queue"
        assert store.rows == 10
    finally:
        log.close(timeout=1)


def test_an_unexpected_store_error_is_counted_and_close_returns(engine, samples, sqlite_store, monkeypatch):
    decisions = [engine.decide(s, now=NOW) for s in samples[:3]]

    def boom(rows):
        raise OverflowError("integer too large")

    monkeypatch.setattr(sqlite_store, "log_decisions_many", boom)
    log = DecisionLog(sqlite_store, batch_size=100, linger_s=0.01)
    for d, s in zip(decisions, samples):
        assert log.submit(d, s)
    assert log.flush(timeout=30)
    done = threading.Event()
    result = {}

    def closer():
        result["stats"] = log.close(timeout=30)
        done.set()

    threading.Thread(target=closer, daemon=True).start()
    assert done.wait(30), "close() hung"
    stats = result["stats"]
    assert (stats.written, stats.failed) == (0, 3)
    assert any("OverflowError" in e and "integer too large" in e for e in stats.errors)
    assert log._thread.is_alive() is False  # stopped cleanly, not crashed


def test_a_dead_writer_does_not_hang_close(engine, samples, sqlite_store):
    log = DecisionLog(sqlite_store, linger_s=0.01)
    log._q.put(None)  # stop the writer behind the log's back
    log._thread.join(10)
    assert not log._thread.is_alive()
    assert log.submit(engine.decide(samples[0], now=NOW), samples[0])
    assert log.flush(timeout=None)
    stats = log.close()
    assert stats.failed == 1 and stats.written == 0


def test_submit_after_close_is_an_error(engine, samples, sqlite_store):
    log = DecisionLog(sqlite_store)
    log.close()
    with pytest.raises(RuntimeError, match="closed"):
        log.submit(engine.decide(samples[0], now=NOW), samples[0])


def test_unexplained_decision_opens_a_case_with_evidence(engine, samples, sqlite_store):
    data = unexplained_input(engine, samples)
    decision = engine.decide(data, now=NOW)
    intake = Intake(engine, sqlite_store)
    assert intake.process(decision, data)
    [case] = sqlite_store.list_cases()
    pd = decision.models["pd"]["probability"]
    assert case.priority == pytest.approx(pd * data["application"]["amount"])
    assert case.model_score == pytest.approx(pd)
    left = case.sla_due_at - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(hours=23) < left <= dt.timedelta(hours=24)
    ev = case.evidence
    assert {"input", "features", "models", "fired", "shadow_fired", "nearly_fired", "ruleset", "outcome",
            "score", "reasons", "links"} <= set(ev)
    assert ev["sources"] == ["unexplained"] and ev["links"] == []
    assert ev["ruleset"]["digest"] == engine.ruleset["digest"]
    assert ev["models"]["pd"]["contributions"][0]["feature"]
    assert "dti" in ev["features"]


def test_explained_decision_is_logged_without_a_case(engine, samples, sqlite_store):
    data = next(s for s in samples if engine.decide(s, now=NOW).fired)
    assert not Intake(engine, sqlite_store).process(engine.decide(data, now=NOW), data)
    assert sqlite_store.list_cases() == []


def test_evidence_is_json_and_names_nearly_fired_rules(engine, samples):
    data = json.loads(json.dumps(samples[0]))
    data["device"]["accounts"] = 3  # one short of the DEV-006 challenger
    ev = build_evidence(engine, data, now=NOW)
    json.dumps(ev)
    near = {n["rule"]: n for n in ev["nearly_fired"]}
    assert "DEV-006" in near and 0 < near["DEV-006"]["distance"] <= 0.34
    assert "device.accounts = 3" in near["DEV-006"]["detail"]


def test_anomaly_model_round_trips_and_scores(engine, tmp_path):
    from riskrules.sim import load_applications, simulate

    simulate(5, 600, tmp_path / "book")
    book = load_applications(tmp_path / "book")
    scorer = AnomalyScorer.fit(engine, book, now=NOW)
    assert scorer.version.startswith("iforest-origination-")
    loaded = AnomalyScorer.load(scorer.save(tmp_path / "an.joblib"))
    assert loaded.version == scorer.version and loaded.threshold == scorer.threshold
    assert list(loaded.score_frame(engine, book.head(5), now=NOW)) == pytest.approx(
        list(scorer.score_frame(engine, book.head(5), now=NOW)))
    (tmp_path / "junk.joblib").write_bytes(b"not a model")
    with pytest.raises(AnomalyError):
        AnomalyScorer.load(tmp_path / "junk.joblib")
    with pytest.raises(AnomalyError, match="at least 50"):
        AnomalyScorer.fit(engine, book.head(10))


def _logged(engine, samples, store, n=20) -> list:
    decisions = []
    for s in samples[:n]:
        d = engine.decide(s, now=NOW)
        Intake(engine, store).process(d, s)
        decisions.append((d, s))
    return decisions


def test_outcomes_import_opens_cases_for_approved_bad_applications(engine, samples, sqlite_store, tmp_path):
    decisions = _logged(engine, samples, sqlite_store)
    approved = [s for d, s in decisions if d.outcome == "approve"][:2]
    declined = [s for d, s in decisions if d.outcome != "approve"][:1]
    before = len(sqlite_store.list_cases(limit=None))
    f = tmp_path / "outcomes.csv"
    lines = ["application_id,label,observed_at"] + [f"{s['application']['id']},default_90d,2026-06-01" for s in approved]
    lines += [f"{s['application']['id']},fraud," for s in declined]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_outcomes(sqlite_store, f, engine=engine)
    assert report.added == 3 and report.cases == 2
    assert len(sqlite_store.list_cases(limit=None)) == before + 2
    case = sqlite_store.get_case(report.case_ids[0])
    assert case.evidence["sources"] == ["outcome:default_90d"] and case.priority == case.amount
    again = import_outcomes(sqlite_store, f, engine=engine)  # idempotent
    assert again.cases == 0


@pytest.mark.parametrize(("name", "text", "message"), [
    ("o.csv", "application_id,label\nAPP-NOPE,fraud\n", "line 2: column application_id: no logged decision"),
    ("o.csv", "decision_id,label\nabc,\n", "line 2: column label: missing"),
    ("o.csv", "who,label\nx,fraud\n", "column decision_id or application_id: missing"),
    ("o.jsonl", '{"decision_id": "a", "label": "fraud"}\n{oops\n', "line 2: not JSON"),
    ("o.jsonl", '{"decision_id": "a", "label": "fraud", "observed_at": "soon"}\n', "line 1: column observed_at"),
    ("o.txt", "x", "unknown file extension '.txt'"),
    ("o.csv", "", "file is empty"),
    ("o.csv", "decision_id,label\n", "no rows"),
    # 1 was recorded as not bad: a label is read by the one convention, or refused
    ("o.csv", "decision_id,label\na,0\nb,1\nc,2\n", "column 'label': a label must say which rows went bad"),
    ("o.csv", "decision_id,label\na,paid\n", "found 'paid' (1 rows)"),
])
def test_outcome_file_errors_name_line_and_column(engine, sqlite_store, tmp_path, name, text, message):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    with pytest.raises(OutcomeFileError) as info:
        import_outcomes(sqlite_store, f, engine=engine)
    assert message in str(info.value)


def test_outcomes_by_application_id_need_the_rulesets_id_field(sqlite_store, tmp_path):
    """The application id is looked up where the ruleset's review block says, never at a
    path the simulator happens to use."""
    f = tmp_path / "o.csv"
    f.write_text("application_id,label\nAPP-1,fraud\n", encoding="utf-8")
    with pytest.raises(OutcomeFileError, match="no input field to match it on"):
        import_outcomes(sqlite_store, f)


@pytest.mark.parametrize(("header", "value", "kw", "recorded", "opens_case"), [
    ("label", "1", {}, "bad", True),                    # was silently recorded as not bad
    ("label", "true", {}, "bad", True),
    ("label", "0", {}, "good", False),
    ("label", "good", {}, "good", False),
    ("default_90d", "1", {"label": "default_90d"}, "default_90d", True),
    ("kredit", "2", {"label": "kredit", "bad_value": "2", "good_value": "1"}, "kredit", True),
    ("kredit", "1", {"label": "kredit", "bad_value": "2", "good_value": "1"}, "good", False),
])
def test_outcome_labels_follow_the_one_convention(engine, samples, sqlite_store, tmp_path, header, value, kw,
                                                  recorded, opens_case):
    decisions = _logged(engine, samples, sqlite_store)
    d, s = next((d, s) for d, s in decisions if d.outcome == "approve")
    f = tmp_path / "o.csv"
    f.write_text(f"application_id,{header}\n{s['application']['id']},{value}\n", encoding="utf-8")
    report = import_outcomes(sqlite_store, f, engine=engine, **kw)
    assert sqlite_store.outcomes_for(d.decision_id)[0].label == recorded
    assert report.cases == int(opens_case)


def test_outcomes_from_parquet(engine, samples, sqlite_store, tmp_path):
    import polars as pl

    decisions = _logged(engine, samples, sqlite_store, n=5)
    f = tmp_path / "o.parquet"
    pl.DataFrame({"decision_id": [decisions[0][0].decision_id], "label": ["fraud"]}).write_parquet(f)
    assert import_outcomes(sqlite_store, f).added == 1
    assert sqlite_store.outcomes_for(decisions[0][0].decision_id)[0].label == "fraud"


@pytest.mark.parametrize("keys", [{True: 1, False: 2, None: 3}, {7: "int", 1.5: "float", "s": "str"}])
def test_odd_keys_are_spelled_the_same_by_the_fast_path_and_the_walk(engine, samples, keys):
    """json.dumps spells a True key "true"; the walk's str() gave "True", so the same
    input was logged with different keys depending on whether some other value in it
    sent it down the walk."""
    from riskrules.review.intake import log_row

    fast, walked = samples[0] | {"extra": keys}, samples[0] | {"extra": keys, "waited": dt.timedelta(hours=1)}
    rows = [log_row(engine.decide(s, now=NOW), s) for s in (fast, walked)]
    extras = [json.loads(row["input"])["extra"] for row in rows]
    assert extras[0] == extras[1] == json.loads(json.dumps(keys))
