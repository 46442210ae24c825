"""Model nodes: scorecards (YAML) and scikit-learn estimators, per event and in batch."""
from __future__ import annotations

import datetime as dt

import joblib
import numpy as np
import polars as pl
import pytest
import yaml
from sklearn.linear_model import LogisticRegression

import riskrules
from riskrules.engine.batch import decide_frame

from .helpers import engine_from, write_ruleset

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
SCHEMA = {"app": {"income": "number", "dti": "number?", "kind": "enum(salaried, self)"}}

CARD = {
    "model": "mini", "version": "3.1", "type": "scorecard",
    "scaling": {"base_points": 100, "base_odds": 1, "pdo": 20},
    "features": [
        {"name": "income", "bins": [{"max": 3000, "points": 10, "reason": "LOW_INCOME"},
                                    {"min": 3000, "max": 10000, "points": 40}, {"min": 10000, "points": 60}]},
        {"name": "dti", "bins": [{"missing": True, "points": 20, "reason": "DTI_UNKNOWN"},
                                 {"max": 0.4, "points": 50}, {"min": 0.4, "points": 5, "reason": "HIGH_DTI"}]},
        {"name": "kind", "kind": "category", "bins": [{"values": ["salaried"], "points": 30},
                                                      {"other": True, "points": 0, "reason": "SELF_EMPLOYED"}]},
    ],
}


def _scorecard_ruleset(tmp_path, card=CARD):
    (tmp_path / "card.yaml").write_text(yaml.safe_dump(card), encoding="utf-8")
    return {"ruleset": "m", "version": "1", "schema": SCHEMA,
            "models": {"pd": {"type": "scorecard", "path": "card.yaml",
                              "inputs": {"income": "app.income", "dti": "app.dti", "kind": "app.kind"}}},
            "rules": [{"id": "PD", "when": "models.pd > 0.5", "action": "decline", "reason": "HIGH_PD"}],
            "decision": {"policy": "worst", "score": "models.pd.points"}}


def test_scorecard_points_probability_and_reasons(tmp_path):
    engine = engine_from(tmp_path, _scorecard_ruleset(tmp_path))
    d = engine.decide({"app": {"income": 2000, "dti": 0.6, "kind": "self"}}, now=NOW)
    assert d.score == 15  # 10 + 5 + 0
    factor = 20 / np.log(2)
    offset = 100 - factor * np.log(1)
    assert d.models["pd"]["probability"] == pytest.approx(1 / (1 + np.exp((15 - offset) / factor)))
    assert d.models["pd"]["version"] == "3.1"
    assert d.outcome == "decline"
    # rule reason first, then features by points lost: dti 45, kind 30, income 50 -> income, dti, kind
    assert d.reason_codes == ["HIGH_PD", "LOW_INCOME", "HIGH_DTI", "SELF_EMPLOYED"]
    good = engine.decide({"app": {"income": 20000, "dti": None, "kind": "salaried"}}, now=NOW)
    assert good.score == 110 and good.outcome == "approve" and good.reasons == ()


def test_scorecard_batch_equals_per_event(tmp_path):
    engine = engine_from(tmp_path, _scorecard_ruleset(tmp_path))
    rows = [{"app": {"income": i, "dti": d, "kind": k}} for i in (500, 3000, 9999.5, 10000, 50000)
            for d in (None, 0.1, 0.4, 0.9) for k in ("salaried", "self")]
    res = decide_frame(engine, pl.DataFrame(rows), now=NOW)
    for row, b in zip(rows, res.iter_rows(named=True)):
        d = engine.decide(row, now=NOW)
        assert (d.outcome, d.score, d.reason_codes) == (b["outcome"], b["score"], b["reasons"])
        assert d.models["pd"]["probability"] == pytest.approx(b["model:pd"])


def test_value_outside_every_bin_is_a_fault_of_the_rule(tmp_path):
    card = dict(CARD, features=[dict(CARD["features"][0], bins=[{"min": 0, "points": 1}])] + CARD["features"][1:])
    engine = engine_from(tmp_path, _scorecard_ruleset(tmp_path, card))
    d = engine.decide({"app": {"income": -5, "dti": 0.1, "kind": "self"}}, now=NOW)
    assert [e["where"] for e in d.errors] == ["rule:PD", "score"] and d.outcome == "review"
    b = decide_frame(engine, pl.DataFrame([{"app": {"income": -5.0, "dti": 0.1, "kind": "self"}}]), now=NOW).row(0, named=True)
    assert b["errors"] == ["rule:PD", "score"]


@pytest.mark.parametrize("mutate,needle", [
    (lambda c: c.pop("version"), "version"),
    (lambda c: c["features"][0]["bins"].append({"min": 5, "max": 1, "points": 1}), "min"),
    (lambda c: c["features"][0]["bins"].append({"min": 1, "values": ["a"], "points": 1}), "one of"),
])
def test_bad_scorecard_files_are_E302(tmp_path, mutate, needle):
    import copy

    card = copy.deepcopy(CARD)
    mutate(card)
    diags = riskrules.check(write_ruleset(tmp_path, _scorecard_ruleset(tmp_path, card)))
    e302 = [d for d in diags if d.code == "E302"]
    assert e302 and needle in e302[0].message


def test_model_input_mapping_is_checked(tmp_path):
    rs = _scorecard_ruleset(tmp_path)
    rs["models"]["pd"]["inputs"] = {"income": "app.income", "dtii": "app.dti", "kind": "app.kind"}
    codes = [d.code for d in riskrules.check(write_ruleset(tmp_path, rs))]
    assert codes.count("E302") == 2  # dti unmapped, dtii unknown


def test_sklearn_estimator_per_event_and_batch(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    joblib.dump(LogisticRegression().fit(X, y), tmp_path / "lr.joblib")
    rs = {"ruleset": "sk", "version": "1", "schema": {"a": {"x": "number", "y": "number?"}},
          "models": {"p": {"type": "sklearn", "path": "lr.joblib", "version": "lr-1",
                           "inputs": {"x": "a.x", "y": "coalesce(a.y, 0)"}}},
          "rules": [{"id": "P", "when": "models.p > 0.7", "action": "review", "reason": "MODEL_RISK"}],
          "decision": {"policy": "worst", "score": "models.p.points"}}
    engine = engine_from(tmp_path, rs)
    rows = [{"a": {"x": float(x), "y": None if i % 3 == 0 else float(x) / 2}} for i, x in enumerate(np.linspace(-2, 2, 9))]
    res = decide_frame(engine, pl.DataFrame(rows), now=NOW)
    for row, b in zip(rows, res.iter_rows(named=True)):
        d = engine.decide(row, now=NOW)
        assert d.models["p"]["version"] == "lr-1"
        assert d.models["p"]["probability"] == pytest.approx(b["model:p"])
        assert d.outcome == b["outcome"]
    assert {b["outcome"] for b in res.iter_rows(named=True)} == {"approve", "review"}


def test_file_that_is_not_an_estimator(tmp_path):
    joblib.dump({"not": "a model"}, tmp_path / "x.joblib")
    rs = {"ruleset": "sk", "version": "1", "schema": {"a": {"x": "number"}},
          "models": {"p": {"type": "sklearn", "path": "x.joblib", "inputs": {"x": "a.x"}}}}
    diags = riskrules.check(write_ruleset(tmp_path, rs))
    assert any(d.code == "E302" and "predict_proba" in d.message for d in diags)


@pytest.mark.parametrize("text,needle", [
    ("model: [\n", "card.yaml:2:1: invalid YAML"),
    ("a: &a [x]\n" + "".join(f"k{i}: *a\n" for i in range(150)), "more than 100 YAML aliases"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_a_scorecard_file_that_is_not_safe_yaml_is_E302_with_its_position(tmp_path, text, needle):
    rs = _scorecard_ruleset(tmp_path)
    path = write_ruleset(tmp_path, rs)
    card = tmp_path / "card.yaml"
    card.write_bytes(text if isinstance(text, bytes) else text.encode())
    e302 = [d for d in riskrules.check(path) if d.code == "E302"]
    assert len(e302) == 1 and needle in e302[0].message, e302
