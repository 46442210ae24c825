"""Importing cards from optbinning and toad: the points are theirs, pickles need trust."""
from __future__ import annotations

import json
import math
from pathlib import Path

import joblib
import polars as pl
import pytest
import yaml

from riskrules.engine.providers.scorecard import Scorecard, ScorecardFile
from riskrules.modeling.importers import CardImportError, from_optbinning, from_toad, load_optbinning_file

GERMAN = Path(__file__).parent / "data" / "germancredit.csv.gz"


def _card(spec: dict) -> Scorecard:
    return Scorecard(ScorecardFile.model_validate(yaml.safe_load(yaml.safe_dump(spec))))


def test_from_optbinning_reads_the_scaling_and_matches_points(tmp_path):
    pytest.importorskip("optbinning")
    from riskrules.modeling.train import _pandas, train_scorecard

    df = pl.read_csv(GERMAN)
    y = (df["creditability"] == "bad").cast(pl.Int8)
    feats = ["duration_in_month", "purpose", "credit_amount"]
    trained = train_scorecard(df.select(feats), y, name="m", base_points=500, base_odds=20, pdo=40)
    spec = from_optbinning(trained.estimator, name="m2")
    assert spec["scaling"] == {"base_points": 500.0, "base_odds": 20.0, "pdo": 40.0}
    card = _card(spec)
    theirs = trained.estimator.score(_pandas(df.select(feats), {"purpose"}))
    ours = [card(tuple(r)).points for r in df.select(list(card.input_names)).iter_rows()]
    assert max(abs(a - b) for a, b in zip(ours, theirs)) <= 1e-9
    path = tmp_path / "card.pkl"
    joblib.dump(trained.estimator, path)
    with pytest.raises(CardImportError, match="loading a pickle can run any code"):
        load_optbinning_file(path)
    assert from_optbinning(load_optbinning_file(path, trust_pickle=True), name="m2") == spec


TOAD = {
    "age": {"[-inf ~ 25)": 30.5, "[25 ~ 40)": 55.25, "[40 ~ inf)": 61.0, "nan": 40.0},
    "city": {"beijing,shanghai": 70.0, "shenzhen": 52.5, "else": 45.0},
    "channel": {"app": 20.0, "web": 10.0},
}


def test_from_toad_scores_as_toad_does(tmp_path):
    path = tmp_path / "card.json"
    path.write_text(json.dumps(TOAD), encoding="utf-8")
    spec = from_toad(path, name="t", base_points=600, base_odds=35, pdo=60, rate=2)
    card = _card(spec)
    order = list(card.input_names)
    assert order == ["age", "city", "channel"]
    cases = [((24, "beijing", "app"), 30.5 + 70 + 20), ((25, "shenzhen", "web"), 55.25 + 52.5 + 10),
             ((None, "hangzhou", "web"), 40 + 45 + 10),  # else group for a city toad never saw
             ((80, "shanghai", "kiosk"), 61 + 70 + 10)]  # no else group: toad's lowest score
    for values, points in cases:
        assert card(values).points == pytest.approx(points, abs=1e-12)
    # rate 3 becomes points to double the odds
    assert from_toad(TOAD, name="t", base_points=600, base_odds=35, pdo=60, rate=3)["scaling"]["pdo"] == \
        pytest.approx(60 * math.log(2) / math.log(3))


@pytest.mark.parametrize("rules, message", [
    ({}, "mapping of feature"),
    ({"age": {"[-inf ~ 25)": "x"}}, "not a finite number"),
    ({"age": {"[-inf ~ 25)": float("nan")}}, "not a finite number"),
    ({"age": {"[-inf ~ 25)": 1.0, "[25 ~ 40": 2.0}}, r"is not a range like \[1.5 ~ 3\)"),
    ({"age": []}, "expected a mapping"),
])
def test_bad_toad_exports(rules, message):
    with pytest.raises(CardImportError, match=message):
        from_toad(rules, name="t", base_points=600, base_odds=35, pdo=60)


def test_an_unreadable_toad_file(tmp_path):
    bad = tmp_path / "card.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CardImportError, match="not a readable JSON export"):
        from_toad(bad, name="t", base_points=600, base_odds=35, pdo=60)
