"""Outcomes: a scorecard on the application ranks defaults in the intended band, and
the event tables agree with the ground truth."""
from datetime import timedelta

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from riskrules.sim.reference import HIGH_RISK_CATEGORIES

APP, APPLICANT = pl.col("application").struct, pl.col("applicant").struct
CREDIT, DEVICE, CONTACTS = pl.col("credit").struct, pl.col("device").struct, pl.col("contacts").struct


def observed_features(apps: pl.DataFrame) -> np.ndarray:
    """The numeric and boolean application fields a scorecard would use."""
    return apps.select(
        APP.field("amount").log(), APP.field("term_months"), APPLICANT.field("age"),
        APPLICANT.field("monthly_income").log(),
        (APPLICANT.field("monthly_debt") / APPLICANT.field("monthly_income")).alias("dti"),
        APPLICANT.field("income_verified"), APPLICANT.field("employment_months").fill_null(0),
        APPLICANT.field("kyc").struct.field("face_match"),
        ((APP.field("submitted_at") - APPLICANT.field("registered_at")).dt.total_hours() + 1).log().alias("tenure"),
        *[CREDIT.field(f) for f in ("history_months", "open_loans", "delinquencies_12m", "max_dpd_24m",
                                    "inquiries_7d", "inquiries_30d", "platforms_90d", "loans_other_platforms")],
        CREDIT.field("bureau_score").fill_null(640).alias("score"),
        CREDIT.field("bureau_score").is_null().alias("thin_file"),
        DEVICE.field("rooted"), DEVICE.field("emulator"), DEVICE.field("proxy"),
        DEVICE.field("applications_7d"), DEVICE.field("accounts"),
        CONTACTS.field("count").log().alias("contacts"), CONTACTS.field("blocklisted"),
        CONTACTS.field("emergency_overdue").fill_null(False),
    ).cast(pl.Float64).to_numpy()


def test_scorecard_auc_in_band(big_book):
    X = observed_features(big_book["applications"])
    y = big_book["truth"]["default_90d"].to_numpy()
    train = np.arange(y.size) % 10 < 7
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X[train], y[train])
    auc = roc_auc_score(y[~train], model.predict_proba(X[~train])[:, 1])
    assert 0.70 <= auc <= 0.85, auc


def test_default_rate_is_plausible(big_book):
    assert 0.06 <= big_book.summary.default_rate <= 0.15
    assert big_book.summary.default_rate == big_book["truth"]["default_90d"].mean()


def test_truth_agrees_with_repayments(book):
    r = book["repayments"].join(book["loans"].select("loan_id", "application_id", "disbursed_at"), on="loan_id")
    thirty = timedelta(days=30)
    bad = r.filter(
        (pl.col("due_at") <= pl.col("disbursed_at") + timedelta(days=90))
        & (pl.col("status").is_in(["missed", "partial"]) | (pl.col("paid_at") - pl.col("due_at") >= thirty))
    )["application_id"].unique()
    truth = book["truth"]
    assert set(bad) == set(truth.filter("default_90d")["application_id"])
    # fraudsters never pay anything
    fraud = truth.filter("first_party_fraud")["application_id"].implode()
    assert r.filter(pl.col("application_id").is_in(fraud))["amount_paid"].sum() == 0
    assert truth.filter(pl.col("first_party_fraud") & ~pl.col("default_90d")).height == 0
    assert truth.filter(pl.col("cured") & ~pl.col("delinquent")).height == 0
    assert truth.filter("cured").height > 0


def test_repayment_lateness_categories(book):
    r = book["repayments"]
    assert set(r["status"]) == {"on_time", "late_minutes", "late_hours", "late_days", "partial", "missed"}
    late = r.select("status", "minutes_late")
    bounds = {"on_time": (0, 0), "late_minutes": (1, 59), "late_hours": (60, 1439), "late_days": (1440, None)}
    for status, (lo, hi) in bounds.items():
        m = late.filter(pl.col("status") == status)["minutes_late"]
        assert m.min() >= lo and (hi is None or m.max() <= hi), status
    missed = r.filter(pl.col("status") == "missed")
    assert missed["paid_at"].null_count() == missed.height and (missed["amount_paid"] == 0).all()
    partial = r.filter(pl.col("status") == "partial")
    assert ((partial["amount_paid"] > 0) & (partial["amount_paid"] < partial["amount_due"])).all()


def test_high_risk_transfers(book):
    t = book["transfers"]
    assert set(HIGH_RISK_CATEGORIES) == {"gambling", "securities", "real_estate", "crypto"}
    assert set(HIGH_RISK_CATEGORIES) <= set(t["category"])
    assert set(t.filter("high_risk")["category"]) == set(HIGH_RISK_CATEGORIES)
    assert {7995, 6211, 6513, 6051} <= set(t["mcc"])
    # fraudsters move money to high-risk merchants far more often
    joined = t.join(book["loans"].select("loan_id", "application_id"), on="loan_id").join(
        book["truth"], on="application_id")
    share = joined.group_by("first_party_fraud").agg(pl.col("high_risk").mean())
    rate = dict(share.iter_rows())
    assert rate[True] > 3 * rate[False]


def test_messages_in_both_languages_with_intents(book):
    m = book["messages"]
    assert set(m["language"]) == {"zh", "en"}
    assert set(m["intent"]) == {"promise_to_pay", "hardship", "refusal", "complaint"}
    zh = m.filter(pl.col("language") == "zh")["text"]
    en = m.filter(pl.col("language") == "en")["text"]
    assert zh.str.contains(r"[\u4e00-\u9fff]").all()
    assert not en.str.contains(r"[\u4e00-\u9fff]").any()
    assert not m["text"].str.contains(r"\{").any()  # every slot filled


def test_collections_during_delinquency(book):
    c = book["collections"]
    assert {"sms", "call", "app_push"} == set(c["channel"])
    assert {"promise_to_pay", "no_answer", "refused", "hardship_claimed"} <= set(c["outcome"])
    assert (c["days_past_due"] >= 1).all()
    delinquent = book["truth"].filter("delinquent")["applicant_id"]
    assert c["applicant_id"].is_in(delinquent.implode()).all()
    local_hour = (c["at"] + timedelta(hours=8)).dt.hour()
    assert ((local_hour >= 8) & (local_hour <= 22)).all()
