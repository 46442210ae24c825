"""PSI/CSI with frozen bins: the arithmetic, empty and unseen bins, sample-size-aware
significance, and a planted shift on the German credit set."""
from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from riskrules.modeling.drift import UNSEEN, bin_counts, critical_value, psi, quantile_bins

GERMAN = Path(__file__).parent / "data" / "germancredit.csv.gz"


def test_psi_by_hand():
    r = psi({"a": 5000, "b": 3000, "c": 2000}, {"a": 3000, "b": 3000, "c": 4000})
    by_hand = sum((a - e) * math.log(a / e) for e, a in ((0.5, 0.3), (0.3, 0.3), (0.2, 0.4)))
    assert r.psi == pytest.approx(by_hand, abs=1e-3)
    assert r.status == "watch" and r.psi > r.critical_value  # 0.24: above 0.10, below 0.25
    assert psi({"a": 5000, "b": 5000}, {"a": 5000, "b": 5000}).psi == 0


def test_an_empty_bin_is_smoothed_not_infinite():
    r = psi({"a": 1000, "b": 0}, {"a": 900, "b": 100})
    assert math.isfinite(r.psi) and r.psi > 0.25
    assert "empty bins smoothed by 0.5 of a count" in r.notes


def test_the_critical_value_shrinks_with_sample_size():
    assert critical_value(200, 200, 10) > 0.10 > critical_value(20_000, 20_000, 10)
    small = psi({"a": 120, "b": 80}, {"a": 100, "b": 100}, min_rows=50)
    big = psi({"a": 12000, "b": 8000}, {"a": 10000, "b": 10000})
    assert small.psi == pytest.approx(big.psi, rel=0.01)
    assert small.status == "stable" and big.status == "stable"  # 0.04: below both thresholds
    # ten bins of ten rows: a PSI of 0.2 is within what sampling alone gives
    noisy = psi(dict(enumerate([10] * 10)), dict(enumerate([5, 15, 10, 10, 5, 15, 10, 10, 14, 6])), min_rows=50)
    assert noisy.psi > 0.10 and noisy.critical_value > noisy.psi and noisy.status == "stable"
    same_shape = psi(dict(enumerate([1000] * 10)), dict(enumerate([500, 1500, 1000, 1000, 500, 1500, 1000, 1000,
                                                                    1400, 600])))
    assert same_shape.status == "watch"
    assert psi({"a": 10, "b": 10}, {"a": 5, "b": 15}).status == "too few rows"


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="bin 'b' has -1"):
        psi({"a": 10, "b": -1}, {"a": 10, "b": 1})


BINS = [{"values": [-999]}, {"max": 10}, {"min": 10, "max": 20}, {"min": 20}, {"missing": True}]
CATS = [{"values": ["a", "b"]}, {"values": ["c"]}, {"missing": True}]


def test_bin_counts_follow_the_scorecards_rules():
    assert bin_counts(BINS, "numeric", [-999, 5, 10, 19.9, 20, None, float("nan")]) == {0: 1, 1: 1, 2: 2, 3: 1, 4: 2}
    assert bin_counts(CATS, "category", ["a", "c", "zzz", None]) == {0: 1, 1: 1, 2: 1, UNSEEN: 1}
    assert bin_counts(CATS + [{"other": True}], "category", ["zzz"]) == {0: 0, 1: 0, 2: 0, 3: 1}


def test_quantile_bands():
    bands = quantile_bins(range(1000), 4)
    assert bands == [{"max": 250.0}, {"min": 250.0, "max": 500.0}, {"min": 500.0, "max": 750.0}, {"min": 750.0},
                     {"missing": True}]
    assert bin_counts(bands, "numeric", range(1000)) == {0: 250, 1: 250, 2: 250, 3: 250, 4: 0}


def test_a_planted_shift_is_flagged_and_the_rest_is_not():
    """Reference: the German set binned by a card trained on it. Later applications: the
    same people, but long, large loans are over-represented (a new product)."""
    pytest.importorskip("optbinning")
    from riskrules.modeling.train import train_scorecard

    df = pl.read_csv(GERMAN)
    y = (df["creditability"] == "bad").cast(pl.Int8)
    card = train_scorecard(df.drop("creditability"), y, name="m", seed=3,
                           features=["duration_in_month", "credit_amount", "housing", "job"])
    bins = {f["name"]: (f["bins"], f["kind"]) for f in card.spec["features"]}
    later = pl.concat([df] + [df.filter(pl.col("duration_in_month") >= 30)] * 8)
    status = {}
    for name, (b, kind) in bins.items():
        r = psi(bin_counts(b, kind, df[name].to_list()), bin_counts(b, kind, later[name].to_list()), feature=name)
        status[name] = r.status
    assert status["duration_in_month"] == "shift" and status["credit_amount"] in ("watch", "shift")
    assert status["job"] == "stable"
