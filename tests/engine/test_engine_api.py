"""The in-process API: decide, decide_many, InputError, reload, threads, JSON."""
from __future__ import annotations

import datetime as dt
import json
import threading

import pydantic
import pytest

from riskrules import Engine, InputError, RulesetError

from .helpers import engine_from, write_ruleset

NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)

BASE = {
    "ruleset": "api",
    "version": "1.0",
    "schema": {"app": {"age": "int", "income": "number", "born": "date?", "at": "datetime?",
                       "kind": "enum(a, b)", "tags": "list<string>?"}},
    "rules": [
        {"id": "AGE", "when": "app.age < 18", "action": "decline", "reason": "AGE_BELOW_MINIMUM"},
        {"id": "INC", "when": "app.income < 1000", "action": "review", "reason": "LOW_INCOME"},
    ],
    "decision": {"policy": "worst"},
}


@pytest.fixture
def engine(tmp_path):
    return engine_from(tmp_path, BASE)


def test_decide_declines_and_serialises(engine):
    d = engine.decide({"app": {"age": 16, "income": 500, "kind": "a"}}, now=NOW)
    assert d.outcome == "decline"
    assert d.reason_codes == ["AGE_BELOW_MINIMUM", "LOW_INCOME"]
    assert d.fired == ("AGE", "INC")
    out = json.loads(d.to_json())
    assert out["ruleset"]["name"] == "api" and len(out["ruleset"]["digest"]) == 16
    assert out["evaluated_at"] == NOW.isoformat()
    assert out["decision_id"] != engine.decide({"app": {"age": 16, "income": 500, "kind": "a"}}, now=NOW).decision_id


def test_approve_has_no_reasons(engine):
    d = engine.decide({"app": {"age": 30, "income": 5000, "kind": "b"}}, now=NOW)
    assert d.outcome == "approve" and d.reasons == () and d.fired == ()


def test_input_error_names_every_bad_field(engine):
    with pytest.raises(InputError) as e:
        engine.decide({"app": {"age": "16", "income": float("nan"), "kind": "z", "born": "2020-13-01",
                               "at": "yesterday", "tags": ["a", 3]}})
    fields = {p for p, _ in e.value.problems}
    assert fields == {"app.age", "app.income", "app.kind", "app.born", "app.at", "app.tags[1]"}
    assert "expected one of a, b" in str(e.value)


@pytest.mark.parametrize("bad", [None, [], "x", 5, {"app": None}, {"app": []}, {}])
def test_input_error_on_wrong_shapes(engine, bad):
    with pytest.raises(InputError):
        engine.decide(bad)


def test_bool_is_not_an_int(engine):
    with pytest.raises(InputError) as e:
        engine.decide({"app": {"age": True, "income": 1, "kind": "a"}})
    assert e.value.problems[0][0] == "app.age"


def test_strict_input_rejects_unknown_fields(tmp_path):
    path = write_ruleset(tmp_path, BASE)
    strict = Engine.load(path, strict_input=True)
    with pytest.raises(InputError) as e:
        strict.decide({"app": {"age": 30, "income": 5000, "kind": "a", "agee": 3}})
    assert e.value.problems == [("app.agee", "unknown field")]
    assert Engine.load(path).decide({"app": {"age": 30, "income": 5000, "kind": "a", "agee": 3}}).outcome == "approve"


def test_pydantic_model_input(engine):
    class App(pydantic.BaseModel):
        age: int
        income: float
        kind: str

    class Inp(pydantic.BaseModel):
        app: App

    assert engine.decide(Inp(app=App(age=17, income=5000, kind="a")), now=NOW).outcome == "decline"


def test_decide_many_yields_errors_in_place(engine):
    items = [{"app": {"age": 16, "income": 5000, "kind": "a"}}, {"app": {}}, {"app": {"age": 40, "income": 5000, "kind": "a"}}]
    out = list(engine.decide_many(items, now=NOW))
    assert out[0].outcome == "decline" and isinstance(out[1], InputError) and out[2].outcome == "approve"


def test_trace_records_every_rule_and_node(engine):
    d = engine.decide({"app": {"age": 16, "income": 5000, "kind": "a"}}, now=NOW, trace=True)
    nodes = {t["node"]: t["value"] for t in d.trace}
    assert nodes["rule AGE"] is True and nodes["rule INC"] is False
    assert nodes["app.age"] == 16 and nodes["app.age < 18"] is True
    json.dumps(d.to_dict())


def test_reload_swaps_and_keeps_old_version_on_errors(tmp_path):
    path = write_ruleset(tmp_path, BASE)
    engine = Engine.load(path)
    old_digest = engine.ruleset["digest"]
    bad = dict(BASE, rules=[{"id": "AGE", "when": "app.agee < 18", "action": "decline"}])
    write_ruleset(tmp_path, bad)
    diags = engine.reload()
    assert any(d.code == "E200" for d in diags)
    assert engine.ruleset["digest"] == old_digest
    assert engine.decide({"app": {"age": 16, "income": 5000, "kind": "a"}}).outcome == "decline"
    good = dict(BASE, rules=[{"id": "AGE", "when": "app.age < 21", "action": "review"}])
    write_ruleset(tmp_path, good)
    assert not [d for d in engine.reload() if d.is_error]
    assert engine.ruleset["digest"] != old_digest
    assert engine.decide({"app": {"age": 19, "income": 5000, "kind": "a"}}).outcome == "review"


def test_threads_decide_while_reloading(tmp_path):
    path = write_ruleset(tmp_path, BASE)
    engine = Engine.load(path)
    failures = []

    def work():
        for i in range(300):
            d = engine.decide({"app": {"age": 16, "income": 5000, "kind": "a"}}, now=NOW)
            if d.outcome not in ("decline", "review"):
                failures.append(d.outcome)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(5):
        rules = [{"id": "AGE", "when": "app.age < 18", "action": "decline" if i % 2 else "review"}]
        write_ruleset(tmp_path, dict(BASE, rules=rules))
        engine.reload()
    for t in threads:
        t.join()
    assert failures == []


def test_load_reports_every_problem(tmp_path):
    bad = dict(BASE, rules=[{"id": "A", "when": "app.agee < 18", "action": "declin"},
                            {"id": "B", "when": "nosuch(app.age)", "action": "decline"}])
    with pytest.raises(RulesetError) as e:
        Engine.load(write_ruleset(tmp_path, bad))
    assert {d.code for d in e.value.diagnostics} >= {"E200", "E210", "E201"}
    text = str(e.value)
    assert "^" in text and "ruleset.yaml:" in text


def test_generated_code_is_readable(engine):
    src = engine.source
    assert "# AGE" in src and "def decide_ruleset(inp, now):" in src and "api 1.0" in src
    assert "__import__" not in src and "eval(" not in src
