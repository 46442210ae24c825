"""The origination ruleset (rulesets/origination/ruleset.yaml 1.0.0) hand-written in polars.

The baseline of ``bench_batch.py``: what a competent data engineer would write
to backtest the origination rules over a frame without riskrules. Plain polars
expressions over the simulator's struct columns (``application``,
``applicant``, ``credit``, ``device``, ``contacts``), one lazy query:

* features: the GB 11643 resident-ID check (shape, province, real birth date
  from 1900, MOD 11-2 check character on the 17 leading digits as one Int64),
  the age and birth date from the ID, mobile-number checks and normalisation,
  instalment, DTI, LTI, new account, IP province mismatch;
* the PD scorecard as literal bins (points, probability and reason per feature);
* the 52 rules (2 in shadow) as boolean columns ``rule:<ID>`` with the
  ruleset's missing-value semantics (a comparison with a missing value is false);
* the ``worst`` outcome, the decision score, the credit-limit table (first hit)
  and the review flag;
* optionally the top-4 reason codes ranked as ``riskrules/engine/policies.py``:
  fired acting rules by (severity desc, points desc, file order), then the
  scorecard features that lost points (most lost first, ties in feature
  order), duplicates dropped.

No input validation (the frame is trusted) and no ``fired`` / ``errors`` id
lists. The rule metadata (action, reason, severity, points), the blocklists and
the scorecard bins are the tables of ``handwritten_origination.py``; the logic is
typed out here. **If the ruleset changes, this file must change with it**;
``bench_batch.py`` checks agreement with ``decide_frame`` before timing.
"""
from __future__ import annotations

import datetime as dt
import math

import polars as pl

import handwritten_origination as H

A = pl.col("application")
P = pl.col("applicant")
K = P.struct.field("kyc")
C = pl.col("credit")
D = pl.col("device")
N = pl.col("contacts")

PROVINCES = sorted(H._ID_PROVINCES)
PHONE = r"^(?:\+?86[ -]?)?(1[3-9][0-9]{9})$"
APR_CAP_MONTHLY = 0.24 / 12.0
FACTOR = 20 / math.log(2)
OFFSET = 600 - FACTOR * math.log(50)

# acting rules in the order policies.py ranks their reasons: severity, points (both desc), file order
RANKED = sorted((rid for rid, (action, _, severity, _) in H.RULES.items() if action is not None and severity > 0),
                key=lambda rid: (-H.RULES[rid][2], -H.RULES[rid][3], H.ORDER[rid]))
SHADOW = ["MPL-006", "DEV-006"]
SCORECARD_FEATURES = list(H._BINS) + ["employment"]


def _valid_id(s: pl.Expr) -> pl.Expr:
    n = s.str.slice(0, 17).cast(pl.Int64, strict=False)
    total = pl.sum_horizontal([(n // 10 ** (16 - i)) % 10 * w for i, w in enumerate(H._ID_WEIGHTS)])
    k = total % 11
    last = s.str.slice(17, 1)
    check_ok = pl.when(k == 2).then(last.is_in(["X", "x"])).otherwise(last == ((12 - k) % 11).cast(pl.String))
    born = pl.col("id_birth_raw")
    return (s.str.contains(r"^[0-9]{17}[0-9Xx]$")
            & s.str.slice(0, 2).is_in(PROVINCES)
            & born.is_not_null() & (born.dt.year() >= 1900)
            & check_ok).fill_null(False)


def features(now: dt.datetime) -> list[list[pl.Expr]]:
    today = now.date()
    idn = P.struct.field("id_number")
    income = P.struct.field("monthly_income")
    amount = A.struct.field("amount")
    term = A.struct.field("term_months")
    born = pl.col("id_birth_raw")
    phone, emergency = P.struct.field("phone"), N.struct.field("emergency_phone")
    new_payment = pl.when(term > 0).then(
        amount * APR_CAP_MONTHLY / (1.0 - (1.0 + APR_CAP_MONTHLY) ** (-term.cast(pl.Float64))))
    stage1 = [
        idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).alias("id_birth_raw"),
        phone.str.contains(PHONE).alias("phone_ok"),
        phone.str.extract(PHONE, 1).alias("phone11"),
        emergency.str.contains(PHONE).alias("emergency_ok"),
        emergency.str.extract(PHONE, 1).alias("emergency11"),
        new_payment.alias("new_payment"),
        pl.when(income * 12 > 0).then(amount / (income * 12)).alias("lti"),
        (P.struct.field("registered_at") > now - dt.timedelta(hours=24)).alias("new_account"),
        (D.struct.field("ip_province").is_not_null()
         & (D.struct.field("ip_province") != P.struct.field("province"))).fill_null(False).alias("ip_mismatch"),
        P.struct.field("employment").is_in(["employed", "self_employed"]).alias("working"),
    ]
    stage2 = [
        _valid_id(idn).alias("id_ok"),
        pl.when(income > 0).then((P.struct.field("monthly_debt") + pl.col("new_payment")) / income).alias("dti"),
    ]
    age_from_id = ((today.year - born.dt.year().cast(pl.Int64)) * 12 + (today.month - born.dt.month().cast(pl.Int64))
                   - (born.dt.day() > today.day).cast(pl.Int64)) // 12
    stage3 = [
        pl.when(pl.col("id_ok")).then(born).alias("id_birth_date"),
        pl.when(pl.col("id_ok")).then(age_from_id).alias("id_age"),
    ]
    return [stage1, stage2, stage3]


def _bins(v: pl.Expr, name: str) -> tuple[pl.Expr, pl.Expr]:
    """(points, reason) of one numeric scorecard feature, from the literal bin table."""
    _, bins, missing = H._BINS[name]
    pts = rsn = None
    if missing is not None:
        pts, rsn = pl.when(v.is_null()).then(missing[0]), pl.when(v.is_null()).then(pl.lit(missing[1]))
    for upper, points, reason in bins[:-1]:
        c = v < upper
        pts = pl.when(c).then(points) if pts is None else pts.when(c).then(points)
        rsn = pl.when(c).then(pl.lit(reason)) if rsn is None else rsn.when(c).then(pl.lit(reason))
    _, points, reason = bins[-1]
    return pts.otherwise(points), rsn.otherwise(pl.lit(reason, dtype=pl.String))


def scorecard() -> list[list[pl.Expr]]:
    inputs = {"age": P.struct.field("age"), "dti": pl.col("dti"), "platforms_90d": C.struct.field("platforms_90d"),
              "history_months": C.struct.field("history_months"),
              "delinquencies_12m": C.struct.field("delinquencies_12m"), "monthly_income": P.struct.field("monthly_income"),
              "bureau_score": C.struct.field("bureau_score"), "inquiries_30d": C.struct.field("inquiries_30d")}
    cols = []
    for name, v in inputs.items():
        pts, rsn = _bins(v, name)
        cols += [pts.cast(pl.Float64).alias(f"sc_pts_{name}"), rsn.alias(f"sc_rsn_{name}")]
    emp = P.struct.field("employment")
    pts = rsn = None
    for value, (points, reason) in H._EMPLOYMENT_POINTS.items():
        c = emp == value
        pts = pl.when(c).then(points) if pts is None else pts.when(c).then(points)
        rsn = pl.when(c).then(pl.lit(reason)) if rsn is None else rsn.when(c).then(pl.lit(reason))
    cols += [pts.otherwise(10).cast(pl.Float64).alias("sc_pts_employment"),
             rsn.otherwise(pl.lit("UNSTABLE_EMPLOYMENT")).alias("sc_rsn_employment")]
    total = (pl.lit(float(H._INTERCEPT)) + pl.sum_horizontal([pl.col(f"sc_pts_{f}") for f in SCORECARD_FEATURES]))
    return [cols, [total.alias("pd_points")],
            [(1.0 / (1.0 + ((pl.col("pd_points") - OFFSET) / FACTOR).exp())).alias("pd")]]


def rules() -> list[pl.Expr]:
    amount, term = A.struct.field("amount"), A.struct.field("term_months")
    age, income = P.struct.field("age"), P.struct.field("monthly_income")
    employment = P.struct.field("employment")
    face = K.struct.field("face_match")
    platforms, inq7 = C.struct.field("platforms_90d"), C.struct.field("inquiries_7d")
    dpd, bureau = C.struct.field("max_dpd_24m"), C.struct.field("bureau_score")
    id_age, dti = pl.col("id_age"), pl.col("dti")
    new_account, ip_mismatch = pl.col("new_account"), pl.col("ip_mismatch")
    blocked_phones = sorted(H.BLOCKED_PHONES)
    r = {
        "APP-001": (amount < 500) | (amount > 200000) | ~term.is_in(sorted(H.PRODUCT_TERMS)),
        "KYC-001": ~pl.col("id_ok"),
        "KYC-002": ~K.struct.field("id_verified"),
        "KYC-003": (id_age - age).abs() >= 2,
        "KYC-004": pl.col("id_birth_date") != P.struct.field("birth_date"),
        "KYC-005": face < 0.55,
        "KYC-006": (face >= 0.55) & (face < 0.70),
        "KYC-007": ~K.struct.field("liveness_passed"),
        "KYC-008": ~K.struct.field("name_matches_bank"),
        "KYC-009": ~pl.col("phone_ok"),
        "AGE-001": (age < 18) | (id_age < 18).fill_null(False),
        "AGE-002": (employment == "student") & (age >= 18) & (age < 22),
        "AGE-003": (age > 60) & (age <= 65),
        "AGE-004": age > 65,
        "BLK-001": P.struct.field("id_number").is_in(sorted(H.BLOCKED_ID_NUMBERS)),
        "BLK-002": D.struct.field("id").is_in(sorted(H.BLOCKED_DEVICES)),
        "BLK-003": pl.col("phone11").is_in(blocked_phones),
        "MPL-001": platforms >= 10,
        "MPL-002": (platforms >= 6) & (platforms < 10),
        "MPL-003": C.struct.field("loans_other_platforms") >= 4,
        "MPL-004": inq7 >= 5,
        "MPL-005": C.struct.field("inquiries_30d") >= 10,
        "INC-001": income <= 0,
        "INC-002": dti > 0.9,
        "INC-003": (dti > 0.7) & (dti <= 0.9),
        "INC-004": ~P.struct.field("income_verified") & (amount >= 20000),
        "INC-005": pl.col("lti") > 1.0,
        "DEV-001": D.struct.field("emulator"),
        "DEV-002": D.struct.field("rooted") & ~D.struct.field("emulator"),
        "DEV-003": D.struct.field("proxy"),
        "DEV-004": ip_mismatch,
        "DEV-005": D.struct.field("accounts") >= 10,
        "DEV-007": D.struct.field("applications_7d") >= 3,
        "DEV-008": D.struct.field("proxy") & ip_mismatch,
        "NEW-001": new_account,
        "NEW-002": new_account & (amount >= 10000),
        "EMP-001": (employment == "unemployed") & (amount >= 10000),
        "EMP-002": pl.col("working") & (P.struct.field("employment_months") < 3) & (amount >= 20000),
        "EMP-003": (employment == "employed") & P.struct.field("employer").is_null(),
        "CRD-001": dpd >= 90,
        "CRD-002": (dpd >= 30) & (dpd < 90),
        "CRD-003": C.struct.field("delinquencies_12m") >= 2,
        "CRD-004": bureau.is_null() & (C.struct.field("history_months") < 6) & (amount >= 10000),
        "CRD-005": bureau < 450,
        "CON-001": N.struct.field("emergency_overdue") == True,  # noqa: E712 (missing is not true)
        "CON-002": N.struct.field("blocklisted") >= 2,
        "CON-003": N.struct.field("count") < 5,
        "CON-004": ~pl.col("emergency_ok") | (pl.col("emergency11") == pl.col("phone11")).fill_null(False),
        "CON-005": pl.col("emergency11").is_in(blocked_phones),
        "MOD-001": pl.col("pd") > 0.25,
        # shadow
        "MPL-006": (platforms >= 4) & (inq7 >= 3),
        "DEV-006": D.struct.field("accounts") >= 4,
    }
    assert set(r) == set(H.RULES) | set(SHADOW), "rule set drifted from handwritten_origination.RULES"
    return [e.fill_null(False).alias(f"rule:{rid}") for rid, e in r.items()]


def decision() -> list[list[pl.Expr]]:
    fired = {rid: pl.col(f"rule:{rid}") for rid in H.RULES}
    declines = [fired[rid] for rid, (a, *_) in H.RULES.items() if a == "decline"]
    reviews = [fired[rid] for rid, (a, *_) in H.RULES.items() if a == "review"]
    outcome = (pl.when(pl.any_horizontal(declines)).then(pl.lit("decline"))
               .when(pl.any_horizontal(reviews)).then(pl.lit("review")).otherwise(pl.lit("approve")))
    rules_score = pl.sum_horizontal([pl.when(fired[rid]).then(float(pts)).otherwise(0.0)
                                     for rid, (*_, pts) in H.RULES.items() if pts])
    pd_, income = pl.col("pd"), P.struct.field("monthly_income")
    limit = (pl.when(pd_ < 0.03).then(pl.when(income >= 15000).then(80000).when(income >= 8000).then(50000).otherwise(20000))
             .when(pd_ < 0.08).then(pl.when(income >= 15000).then(50000).when(income >= 8000).then(30000).otherwise(10000))
             .when(pd_ < 0.15).then(pl.when(income >= 8000).then(15000).otherwise(6000))
             .when(pd_ < 0.25).then(3000).otherwise(0))
    apr = (pl.when(pd_ < 0.03).then(pl.when(income >= 15000).then(0.108).when(income >= 8000).then(0.12).otherwise(0.144))
           .when(pd_ < 0.08).then(pl.when(income >= 15000).then(0.144).when(income >= 8000).then(0.156).otherwise(0.18))
           .when(pd_ < 0.15).then(pl.when(income >= 8000).then(0.21).otherwise(0.24))
           .when(pd_ < 0.25).then(0.24).otherwise(None))
    return [outcome.alias("outcome"), (pl.col("pd_points") - rules_score).alias("score"),
            ((pl.col("pd") > 0.2) & ~pl.any_horizontal(list(fired.values()))).alias("unexplained"),
            limit.alias("table:credit_limit.limit"), apr.alias("table:credit_limit.apr")]


def reasons() -> list[list[pl.Expr]]:
    """Stages computing ``reasons``: at most four codes, fired acting rules by rank, then the
    scorecard's lost points (most first, ties in feature order), no duplicates.

    Written with scalar columns: polars 2.1's list kernels (``concat_list`` of many
    columns, ``list.sort``, ``list.drop_nulls``) cost seconds per million rows.
    """
    # acting-rule codes are distinct: the p-th reason is the p-th fired rule in rank order
    rank_stage = []
    for p in range(4):
        after = None if p == 0 else pl.col(f"rr{p - 1}")
        rank_stage.append(pl.min_horizontal([
            pl.when(pl.col(f"rule:{rid}") if after is None else pl.col(f"rule:{rid}") & (after < k)).then(k)
            for k, rid in enumerate(RANKED)]).alias(f"rr{p}"))
    # scorecard: a sort key per feature that lost points (lost * 16 + tie-break), the 4 largest
    best = {f: H._BINS[f][0] for f in H._BINS} | {"employment": 40}
    key_stage = []
    for i, f in enumerate(SCORECARD_FEATURES):
        lost = best[f] - pl.col(f"sc_pts_{f}")
        key_stage.append(pl.when((lost > 0) & pl.col(f"sc_rsn_{f}").is_not_null())
                         .then((lost * 16).cast(pl.Int64) + (15 - i)).alias(f"sk{i}"))
    keys = [pl.col(f"sk{i}") for i in range(len(SCORECARD_FEATURES))]
    mk_stages = []
    for p in range(4):
        below = None if p == 0 else pl.col(f"mk{p - 1}")
        mk_stages.append([pl.max_horizontal(keys if below is None else [pl.when(k < below).then(k) for k in keys])
                          .alias(f"mk{p}")])
    cand = []
    for p in range(4):
        cand.append(pl.col(f"rr{p}").replace_strict(list(range(len(RANKED))), [H.RULES[r][1] for r in RANKED],
                                                    default=None, return_dtype=pl.String).alias(f"cand{p}"))
    for p in range(4):
        feature = 15 - pl.col(f"mk{p}") % 16
        code = pl.lit(None, dtype=pl.String)
        for i, f in reversed(list(enumerate(SCORECARD_FEATURES))):
            code = pl.when(feature == i).then(pl.col(f"sc_rsn_{f}")).otherwise(code)
        cand.append(code.alias(f"cand{4 + p}"))
    # the first four distinct candidates (a model code may repeat a rule's code, e.g. HIGH_DTI)
    picks = []
    for p in range(4):
        pick = pl.lit(None, dtype=pl.String)
        for c in reversed(range(8)):
            fresh = pl.col(f"cand{c}").is_not_null()
            for q in range(p):
                fresh = fresh & (pl.col(f"cand{c}") != pl.col(f"reason{q}")).fill_null(True)
            pick = pl.when(fresh).then(pl.col(f"cand{c}")).otherwise(pick)
        picks.append([pick.alias(f"reason{p}")])
    as_list = pl.concat_str([pl.col(f"reason{p}") for p in range(4)], separator=",", ignore_nulls=True)
    final = (pl.when(pl.col("outcome") == "approve").then(pl.lit([], dtype=pl.List(pl.String)))
             .otherwise(as_list.str.split(",")))
    return [[rank_stage[0]] + key_stage] + [[r, m[0]] for r, m in zip(rank_stage[1:], mk_stages)] \
        + [mk_stages[-1], cand] + picks + [[final.alias("reasons")]]


RULE_COLUMNS = [f"rule:{rid}" for rid in list(H.RULES) + SHADOW]
OUTPUT = (["outcome", "score", "unexplained"] + RULE_COLUMNS
          + ["table:credit_limit.limit", "table:credit_limit.apr", "pd", "pd_points"])


def decide(df: pl.DataFrame, now: dt.datetime, *, with_reasons: bool = True) -> pl.DataFrame:
    """outcome, score, unexplained, rule:<ID>, table:credit_limit.limit/apr, pd, pd_points[, reasons]."""
    lf = df.lazy()
    for stage in features(now) + scorecard():
        lf = lf.with_columns(stage)
    lf = lf.with_columns(rules()).with_columns(decision())
    if with_reasons:
        for stage in reasons():
            lf = lf.with_columns(stage)
        return lf.select(OUTPUT + ["reasons"]).collect()
    return lf.select(OUTPUT).collect()
