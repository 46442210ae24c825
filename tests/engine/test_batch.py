"""The batch backend against the per-event engine, on simulated books and on bad data."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from riskrules import Engine
from riskrules.engine.batch import decide_frame, describe
from riskrules.engine.batch.input import DataError
from riskrules.sim import iter_inputs, load_applications, simulate

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 4, 1, 2, tzinfo=dt.timezone.utc)
INPUT_COLUMNS = ["application", "applicant", "credit", "device", "contacts"]


@pytest.fixture(scope="module")
def engine():
    return Engine.load(ROOT / "rulesets/origination/ruleset.yaml")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    simulate(11, 2500, out)
    return load_applications(out)


def test_batch_equals_per_event_on_a_simulated_book(engine, book):
    res = decide_frame(engine, book, now=NOW)
    assert res.height == book.height
    mismatches = []
    for i, (inp, b) in enumerate(zip(iter_inputs(book.select(INPUT_COLUMNS)), res.iter_rows(named=True))):
        d = engine.decide(inp, now=NOW)
        got = (d.outcome, list(d.fired), list(d.shadow_fired), d.reason_codes, [e["where"] for e in d.errors],
               d.unexplained, {f"table:{t}.{k}": v for t, outs in d.tables.items() for k, v in outs.items()})
        exp = (b["outcome"], b["fired"], b["shadow_fired"], b["reasons"], b["errors"], b["unexplained"],
               {k: b[k] for k in b if k.startswith("table:")})
        if got != exp or abs(d.score - b["score"]) > 1e-6:
            mismatches.append((i, got, exp))
    assert mismatches == []
    # the book exercises the ruleset: every outcome occurs and most rules fire somewhere
    assert set(res["outcome"]) >= {"approve", "review", "decline"}
    fired = {c for c in res.columns if c.startswith("rule:") and res[c].any()}
    assert len(fired) >= 20


def test_rows_that_break_the_schema_are_marked_not_decided(engine, book):
    df = book.head(3).with_columns(pl.col("applicant").struct.with_fields(pl.lit(None, dtype=pl.Int64).alias("age")))
    res = decide_frame(engine, df, now=NOW)
    assert res["input_error"].to_list() == ["applicant.age: required field is missing"] * 3
    assert res["outcome"].null_count() == 3


def test_bad_enum_value_and_unparsable_date_are_row_errors(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "schema": {"a": {"e": "enum(x, y)", "d": "date?"}},
                                 "rules": [{"id": "R", "when": 'a.e == "x"', "action": "review"}]})
    df = pl.DataFrame({"a": [{"e": "x", "d": "2026-01-01"}, {"e": "z", "d": None}, {"e": "y", "d": "2026-13-01"}]})
    res = decide_frame(eng, df, now=NOW)
    assert res["outcome"].to_list() == ["review", None, None]
    assert res["input_error"].to_list() == [None, "a.e: expected one of x, y", "a.d: not a valid date"]


@pytest.mark.parametrize("frame,message", [
    (pl.DataFrame({"application": [1]}), "column application: expected an object.*column applicant is missing"),
    (pl.DataFrame(), "no rows"),
])
def test_frame_errors_name_the_column(engine, frame, message):
    with pytest.raises(DataError, match=message):
        decide_frame(engine, frame, now=NOW)


def test_wrong_column_type_is_named(engine, book):
    df = book.with_columns(pl.col("applicant").struct.with_fields(pl.lit("old").alias("age")))
    with pytest.raises(DataError, match=r"column applicant\.age: expected integers, found String"):
        decide_frame(engine, df, now=NOW)


def test_describe_shows_expressions_and_per_row_functions(engine):
    text = describe(engine, NOW)
    assert "rule:" in text and "functions evaluated per row" in text
    assert "= cn_id_valid(applicant.id_number)" in text  # the shared call a rule's col("__call0") means


def test_nan_and_infinity_are_input_errors_as_per_event(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "schema": {"a": {"x": "number", "o?": {"b": "int"}}},
                                 "rules": [{"id": "R", "when": "a.x > 0.5", "action": "decline"}]})
    df = pl.DataFrame({"a": [{"x": 1.0, "o": None}, {"x": float("nan"), "o": None}, {"x": float("inf"), "o": None}]})
    res = decide_frame(eng, df, now=NOW)
    assert res["outcome"].to_list() == ["decline", None, None]
    assert res["input_error"].to_list()[1:] == ["a.x: expected a finite number"] * 2
    for row in ({"a": {"x": float("nan")}}, {"a": {"x": float("inf")}}):
        with pytest.raises(Exception):
            eng.decide(row, now=NOW)


def test_an_optional_object_missing_in_every_row(tmp_path):
    from .helpers import engine_from

    eng = engine_from(tmp_path, {"ruleset": "t", "version": "1", "schema": {"a": {"x": "int"}, "extra?": {"b": "int"}},
                                 "rules": [{"id": "R", "when": "extra.b is missing", "action": "review"}]})
    res = decide_frame(eng, pl.DataFrame({"a": [{"x": 1}], "extra": [None]}), now=NOW)
    assert res["outcome"].to_list() == ["review"] and res["input_error"].to_list() == [None]


ID_CASES = ["11010519491231002X", "11010519491231002x", "110105194912310021", "440304200802291234",
            "110105194913310028", "110105189912310020", "990105194912310025", "1101051949123100", "", None]
PHONE_CASES = ["13800138000", "+86 13800138000", "86-13912345678", "12800138000", "1380013800", None]


def test_identity_checks_shared_between_calls_fault_as_per_event(tmp_path):
    # the ID accessors and phone normaliser read one shared validity column per argument;
    # unguarded calls must still fault exactly where the number is invalid
    from .helpers import engine_from

    eng = engine_from(tmp_path, {
        "ruleset": "t", "version": "1", "schema": {"p": {"id?": "string", "phone?": "string", "other?": "string"}},
        "features": {"ok": {"expr": "cn_id_valid(p.id)"},
                     "age": {"expr": "if ok then cn_id_age(p.id) else null"},
                     "phone11": {"expr": "if cn_phone_valid(p.phone) then cn_phone_normalize(p.phone) else null"}},
        "rules": [
            {"id": "AGE", "when": "age < 30", "action": "review"},
            {"id": "RAW_AGE", "when": "cn_id_age(p.id) >= 70", "action": "decline"},
            {"id": "BORN", "when": "years_since(cn_id_birth_date(p.id)) >= 60", "action": "review"},
            {"id": "SEX", "when": 'cn_id_gender(p.id) == "male" and cn_id_province(p.id) == "44"', "action": "review"},
            {"id": "REGION", "when": 'cn_id_region(p.other) == "110105"', "action": "review"},
            {"id": "PHONE", "when": 'phone11 == "13800138000"', "action": "review"},
            {"id": "RAW_PHONE", "when": 'cn_phone_normalize(p.phone) == "13912345678"', "action": "decline"},
        ]})
    rows = [{"p": {"id": i, "phone": PHONE_CASES[k % len(PHONE_CASES)], "other": ID_CASES[(k + 3) % len(ID_CASES)]}}
            for k, i in enumerate(ID_CASES * 3)]
    res = decide_frame(eng, pl.DataFrame(rows), now=NOW)
    for row, b in zip(rows, res.iter_rows(named=True)):
        d = eng.decide(row, now=NOW)
        assert (b["outcome"], b["fired"], b["errors"], b["reasons"]) == \
            (d.outcome, list(d.fired), [e["where"] for e in d.errors], d.reason_codes), row
    assert {"rule:RAW_AGE", "rule:REGION", "rule:RAW_PHONE"} <= {e for es in res["errors"] for e in es}
    assert {"AGE", "BORN", "SEX", "REGION", "PHONE", "RAW_PHONE"} <= {r for rs in res["fired"] for r in rs}


def test_results_spread_by_join_when_combinations_share_a_hash(engine, book, monkeypatch):
    # reasons and id lists are computed per combination of keys and spread back by a hash of
    # the keys; if two combinations ever shared a hash, the join must give the same frame
    from riskrules.engine.batch import plan as batch  # _spread hashes the keys there

    by_hash = decide_frame(engine, book, now=NOW)
    monkeypatch.setattr(batch, "_key_hash", lambda names: pl.struct(names).hash() * 0)
    by_join = decide_frame(engine, book, now=NOW)
    assert by_hash["reasons"].list.len().sum() > 0 and by_hash.equals(by_join)


@pytest.mark.parametrize("agg,other", [("rules.count", 7), ("rules.score", 7.5), ("rules.any_fired", False)])
def test_a_table_default_reads_rules_aggregates(tmp_path, agg, other):
    # batch computes only the rules.* aggregates something reads; a table default counts
    from .helpers import engine_from

    eng = engine_from(tmp_path, {
        "ruleset": "t", "version": "1", "schema": {"a": {"x": "int"}},
        "rules": [{"id": "R", "when": "a.x > 1", "action": "review", "score": 3}],
        "tables": {"t": {"hit": "first", "inputs": ["a.x"], "outputs": ["v"], "rows": [{"when": ["> 100"], "then": [other]}],
                         "default": [agg]}}})
    res = decide_frame(eng, pl.DataFrame([{"a": {"x": 5}}, {"a": {"x": 0}}]), now=NOW)
    # against the interpreter: Program.uses() leaves table defaults out, so the generated code
    # does not compute the aggregate for them (reported, not fixed here)
    want = [eng.decide({"a": {"x": x}}, now=NOW, backend="interpret").tables["t"]["v"] for x in (5, 0)]
    assert res["table:t.v"].to_list() == want


def test_feature_frame_names_features_and_input_fields(tmp_path):
    # the public feature frame: features (one reading another) and input fields by their names
    from riskrules.engine.batch import DataError, feature_frame
    from .helpers import engine_from

    eng = engine_from(tmp_path, {
        "ruleset": "t", "version": "1", "schema": {"applicant": {"name": "string", "age": "int"}},
        "features": {"n": "length(applicant.name)", "n2": "n * 2"},
        "rules": [{"id": "R", "when": "n2 > 4", "action": "review"}],
    })
    df = pl.DataFrame({"applicant": [{"name": "abc", "age": 30}, {"name": None, "age": 40}]})
    flat = feature_frame(eng, df, ["n2", "n", "applicant.age"], now=NOW)
    assert flat.columns == ["n2", "n", "applicant.age"]
    assert flat.to_dicts() == [{"n2": 6, "n": 3, "applicant.age": 30}, {"n2": None, "n": None, "applicant.age": 40}]
    assert feature_frame(eng.program, df, now=NOW).columns == ["n", "n2"]
    with pytest.raises(DataError, match="applicant.nope"):
        feature_frame(eng, df, ["applicant.nope"], now=NOW)
