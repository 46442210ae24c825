"""The decision time (``decision_time``): per event and in batch, over a book that spans a year.

A backtest over last year must decide each application as it would have been
decided on its day, so ``now()``, ``today()`` and ages are each row's own time.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from riskrules import Engine, InputError
from riskrules.engine.batch import decide_frame, describe
from riskrules.sim import iter_inputs, load_applications, simulate
from riskrules.cli.jobs import backtest

ROOT = Path(__file__).resolve().parents[2]
ORIGINATION = ROOT / "rulesets" / "origination"
START = dt.date(2025, 1, 1)
UTC = dt.timezone.utc

#: rules on now(), today() and ages, each true on some days of the year and false on others
TIME_RULES = [
    {"id": "NEW-ACCOUNT", "when": "now() - applicant.registered_at < 24h", "action": "review", "reason": "NEW"},
    {"id": "WEEKEND", "when": "weekday(today()) >= 6", "score": 5},
    {"id": "SECOND-HALF", "when": "today() >= 2025-07-01", "score": 3},
    {"id": "YOUNG", "when": "years_since(applicant.birth_date) < 23", "action": "review", "reason": "YOUNG"},
    {"id": "ID-AGE", "when": "cn_id_age(applicant.id_number) >= 50", "score": 7},
    {"id": "AGE-DRIFT", "when": "age_now != applicant.age", "score": 1},
    {"id": "RECENT", "when": "months_since(applicant.registered_at) < 2", "score": 2},
    {"id": "WEEK-OLD", "when": "days_since(applicant.registered_at) between 1 and 6", "score": 4},
    {"id": "HOURS", "when": "hours_since(applicant.registered_at) < 72", "score": 6},
]


@pytest.fixture(scope="module")
def year_book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("year")
    simulate(17, 1_500, out, days=365, start=START)
    return out


@pytest.fixture(scope="module")
def time_engine(tmp_path_factory) -> Engine:
    folder = tmp_path_factory.mktemp("as_of")
    shutil.copy(ORIGINATION / "schema.yaml", folder / "schema.yaml")
    rs = {"ruleset": "as_of", "version": "1", "decision_time": "application.submitted_at", "schema": "schema.yaml",
          "features": {"age_now": {"expr": "years_since(applicant.birth_date)"}},
          "rules": TIME_RULES, "decision": {"policy": "worst"}}
    (folder / "ruleset.yaml").write_text(yaml.safe_dump(rs, sort_keys=False), encoding="utf-8")
    return Engine.load(folder / "ruleset.yaml")


def _per_event(d) -> tuple:
    return d.outcome, list(d.fired), list(d.shadow_fired), d.reason_codes, [e["where"] for e in d.errors]


def _batch(row: dict) -> tuple:
    return row["outcome"], row["fired"], row["shadow_fired"], row["reasons"], row["errors"]


def test_per_event_and_batch_agree_row_by_row_over_a_year(time_engine, year_book):
    book = load_applications(year_book)
    submitted = book["application"].struct.field("submitted_at")
    assert (submitted.max() - submitted.min()) > dt.timedelta(days=300)  # the book spans the year
    res = decide_frame(time_engine, book)
    assert res["input_error"].null_count() == book.height
    mismatches = []
    for i, (inp, row) in enumerate(zip(iter_inputs(book), res.iter_rows(named=True))):
        for backend in ("codegen", "interpret"):
            d = time_engine.decide(inp, backend=backend)
            if _per_event(d) != _batch(row) or d.score != pytest.approx(row["score"]):
                mismatches.append((i, backend, _per_event(d), _batch(row)))
            # the declared time is the submission: the same as passing it explicitly, and reported
            assert d.evaluated_at == inp["application"]["submitted_at"]
    assert mismatches == []
    # every time rule is decided by the row's own time: true on some rows and false on others
    for r in TIME_RULES:
        if r["id"] != "AGE-DRIFT":
            hits = res[f"rule:{r['id']}"].sum()
            assert 0 < hits < book.height, (r["id"], hits)
    # the book states each applicant's age at submission, which is the age as of the decision time
    assert res["rule:AGE-DRIFT"].sum() == 0
    assert decide_frame(time_engine, book, now=dt.datetime(2026, 12, 31, tzinfo=UTC))["rule:AGE-DRIFT"].sum() > 0


def test_an_explicit_now_overrides_every_row(time_engine, year_book):
    book = load_applications(year_book).head(300)
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    res = decide_frame(time_engine, book, now=now)
    for inp, row in zip(iter_inputs(book), res.iter_rows(named=True)):
        d = time_engine.decide(inp, now=now)
        assert _per_event(d) == _batch(row)
        assert d.evaluated_at == now
    assert not res["rule:SECOND-HALF"].is_in([False]).any()  # every row is decided in 2026


def test_brand_new_account_rules_hit_a_backtest_as_often_as_the_data_says(year_book):
    """The issue: a backtest on the wall clock found 0 brand-new accounts in 5,000 applications."""
    book = load_applications(year_book)
    new, large = 0, 0
    for app, applicant in zip(book["application"].to_list(), book["applicant"].to_list()):
        if app["submitted_at"] - applicant["registered_at"] < dt.timedelta(hours=24):
            new += 1
            large += app["amount"] >= 10_000
    run = backtest(ORIGINATION / "ruleset.yaml", year_book)
    hits = {r.id: r.hits for r in run.result.rules}
    assert new > 0 and large > 0
    assert (hits["NEW-001"], hits["NEW-002"]) == (new, large)


def test_a_row_without_its_decision_time_is_an_input_error_not_the_wall_clock(time_engine, year_book):
    book = load_applications(year_book).head(4)
    app = pl.col("application")
    book = book.with_columns(pl.when(pl.int_range(pl.len()) == 1)
                             .then(app.struct.with_fields(pl.lit(None, dtype=pl.Datetime("us", "UTC"))
                                                          .alias("submitted_at")))
                             .otherwise(app).alias("application"))
    res = decide_frame(time_engine, book)
    assert res["outcome"].is_null().to_list() == [False, True, False, False]
    assert res["input_error"][1].startswith("application.submitted_at: ")
    inp = list(iter_inputs(book))[1]
    with pytest.raises(InputError) as caught:
        time_engine.decide(inp)
    assert [p for p, _ in caught.value.problems] == ["application.submitted_at"]


def test_an_optional_decision_time_missing_is_reported_with_every_other_bad_field(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "decision_time": "event.at",
                                 "schema": {"event": {"at": "datetime?", "n": "int"}},
                                 "rules": [{"id": "R", "when": "now() - event.at < 1h", "action": "review"}]})
    with pytest.raises(InputError) as caught:
        eng.decide({"event": {"n": "x"}})
    assert sorted(p for p, _ in caught.value.problems) == ["event.at", "event.n"]
    with pytest.raises(InputError, match="event.at: the decision time"):
        eng.decide({"event": {"n": 1}})
    # an explicit time decides it (a naive one is UTC)
    explicit = eng.decide({"event": {"n": 1}}, now=dt.datetime(2025, 3, 1))
    assert explicit.evaluated_at == dt.datetime(2025, 3, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="event: required field is missing"):
        eng.decide({})


def test_naive_and_offset_decision_times_are_the_same_instant(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "decision_time": "event.at",
                                 "schema": {"event": {"at": "datetime"}},
                                 "rules": [{"id": "R", "when": "today() == 2025-06-30", "action": "review"}]})
    naive = dt.datetime(2025, 6, 30, 23, 30)
    shanghai = dt.datetime(2025, 7, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    inputs = [{"event": {"at": naive}}, {"event": {"at": shanghai}}, {"event": {"at": shanghai.isoformat()}}]
    per_event = [eng.decide(i) for i in inputs]
    assert [d.fired for d in per_event] == [("R",)] * 3
    assert {d.evaluated_at for d in per_event} == {naive.replace(tzinfo=UTC)}
    batch = decide_frame(eng, pl.DataFrame({"event": [{"at": naive.replace(tzinfo=UTC)},
                                                      {"at": shanghai.astimezone(UTC)}]}))
    assert batch["fired"].to_list() == [["R"], ["R"]]


def test_without_a_declared_time_the_wall_clock_decides(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "schema": {"event": {"at": "datetime"}},
                                 "rules": [{"id": "R", "when": "now() - event.at < 1h", "action": "review"}]})
    assert eng.program.decision_time is None
    before = dt.datetime.now(UTC)
    d = eng.decide({"event": {"at": before}})
    assert d.fired == ("R",) and before <= d.evaluated_at <= dt.datetime.now(UTC)


def test_a_time_builtin_without_a_vectorised_form_gets_each_rows_time(tmp_path, monkeypatch):
    """Per-row builtins (``map_elements``) receive the row's decision time, not one constant."""
    import dataclasses

    from riskrules.engine import functions

    from .helpers import engine_from

    per_row = dataclasses.replace(functions.get("days_since"), polars=None)
    monkeypatch.setitem(functions.REGISTRY, "days_since", per_row)
    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "decision_time": "event.at",
                                 "schema": {"event": {"at": "datetime?", "due": "date"}},
                                 "rules": [{"id": "LATE", "when": "days_since(event.due) > 30", "action": "review"}]})
    rows = [{"at": dt.datetime(2025, 2, 1, tzinfo=UTC), "due": dt.date(2025, 1, 15)},
            {"at": dt.datetime(2025, 3, 1, tzinfo=UTC), "due": dt.date(2025, 1, 15)},
            {"at": None, "due": dt.date(2025, 1, 15)}]
    res = decide_frame(eng, pl.DataFrame({"event": rows}))
    assert "per row (no vectorised form): days_since" in describe(eng)
    assert res["fired"].to_list()[:2] == [[], ["LATE"]]
    assert res["input_error"][2].startswith("event.at: ")
    assert [eng.decide({"event": r}).fired for r in rows[:2]] == [(), ("LATE",)]
