"""Names from rule files never become code: hostile names are rejected or escaped,
and names that are not Python identifiers never collide in generated code."""
from __future__ import annotations

import pytest

import riskrules
from riskrules import Engine

from .helpers import write_ruleset

BASE = {"ruleset": "n", "version": "1", "schema": {"app": {"a": "int"}},
        "rules": [{"id": "R", "when": "app.a > 100", "action": "decline"}]}


@pytest.mark.parametrize("where,value", [
    ("version", '1"""; errors.append(("PWNED", 1)); """'),
    ("ruleset", "x\n    fired.append(0)\n    #"),
    ("rule_name", "R\x00"),
    ("rule_name", "line\u2028break"),
    ("rule_id", "R\nfired.append(0)"),
    ("outcome", "decline\n    fired.append(0)\n    #"),
    ("table", "x', 1)); fired.append(0) #"),
])
def test_hostile_names_are_rejected_or_inert(tmp_path, where, value):
    rs = {**BASE, "rules": [dict(BASE["rules"][0])]}
    if where == "version":
        rs["version"] = value
    elif where == "ruleset":
        rs["ruleset"] = value
    elif where == "rule_name":
        rs["rules"][0]["name"] = value
    elif where == "rule_id":
        rs["rules"][0]["id"] = value
    elif where == "outcome":
        rs["outcomes"] = {value: {"severity": 10, "adverse": False}}
        rs["rules"][0]["action"] = value
    elif where == "table":
        rs["tables"] = {value: {"hit": "first", "inputs": ["app.a"], "outputs": ["v"],
                                "rows": [{"when": ["< 5"], "then": [1]}], "default": [0]}}
    path = write_ruleset(tmp_path, rs)
    diags = riskrules.check(path)
    if any(d.is_error for d in diags):
        assert all(d.span.line >= 1 for d in diags)
        return
    engine = Engine.load(path)
    d = engine.decide({"app": {"a": 0}})
    assert d.fired == () and d.errors == ()  # the rule does not fire on a = 0; nothing injected
    assert "PWNED" not in [e["where"] for e in d.errors]


def test_non_identifier_names_do_not_collide(tmp_path):
    rs = {"ruleset": "n", "version": "1", "schema": {"app": {"a": "int", "é": "int", "n1": "int"}},
          "features": {"特征": "app.é * 10", "n0": "app.n1 * 100"},
          "models": {}, "rules": [{"id": "E", "when": "app.é > 5", "action": "review"},
                                  {"id": "N", "when": "app.n1 > 5", "action": "decline"},
                                  {"id": "F", "when": "特征 > 50 and n0 < 50", "action": "review"}]}
    engine = Engine.load(write_ruleset(tmp_path, rs))
    d = engine.decide({"app": {"a": 0, "é": 9, "n1": 0}})
    assert d.fired == ("E", "F")
    d = engine.decide({"app": {"a": 0, "é": 0, "n1": 9}})
    assert d.fired == ("N",)


def test_models_with_non_identifier_names_stay_apart(tmp_path):
    import yaml

    for name, pts in (("a.yaml", 100), ("b.yaml", 900)):
        (tmp_path / name).write_text(yaml.safe_dump({"model": name, "version": "1", "scaling": {"base_points": 500},
                                                     "features": [{"name": "x", "bins": [{"points": pts, "other": True}]}]}),
                                     encoding="utf-8")
    rs = {"ruleset": "m", "version": "1", "schema": {"app": {"a": "int"}},
          "models": {"评分": {"type": "scorecard", "path": "a.yaml", "inputs": {"x": "app.a"}},
                     "欺诈": {"type": "scorecard", "path": "b.yaml", "inputs": {"x": "app.a"}}},
          "rules": [{"id": "LOW", "when": "models.评分.points < 500", "action": "review"}],
          "decision": {"policy": "worst", "score": "models.欺诈.points"}}
    engine = Engine.load(write_ruleset(tmp_path, rs))
    for backend in ("codegen", "interpret"):
        d = engine.decide({"app": {"a": 1}}, backend=backend)
        assert (d.outcome, d.score) == ("review", 900)
