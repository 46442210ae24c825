"""Planted patterns: exact counts, visible signatures, sharing, outcome rates."""
from datetime import timedelta

import polars as pl
import pytest

from riskrules.sim import PATTERNS
from riskrules.sim.patterns import pattern_counts

APP, APPLICANT = pl.col("application").struct, pl.col("applicant").struct
CREDIT, DEVICE, CONTACTS = pl.col("credit").struct, pl.col("device").struct, pl.col("contacts").struct


def lists(book) -> dict[str, set[str]]:
    return {name: set(book.summary.paths[name].read_text(encoding="utf-8").split())
            for name in ("blocked_devices", "blocked_id_numbers", "blocked_phones")}


def flat(book) -> pl.DataFrame:
    apps = book["applications"].select(
        "application_id",
        APPLICANT.field("age"), APPLICANT.field("id_number"), APPLICANT.field("phone"),
        APPLICANT.field("province"), APPLICANT.field("employer"), APPLICANT.field("employment_months"),
        (APPLICANT.field("monthly_debt") / APPLICANT.field("monthly_income")).alias("dti"),
        APPLICANT.field("kyc").struct.field("face_match"),
        CREDIT.field("platforms_90d"), CREDIT.field("inquiries_30d"), CREDIT.field("loans_other_platforms"),
        DEVICE.field("id").alias("device_id"), DEVICE.field("rooted"), DEVICE.field("emulator"),
        DEVICE.field("proxy"), DEVICE.field("ip_province"), DEVICE.field("accounts"),
        DEVICE.field("applications_7d"), CONTACTS.field("count").alias("contacts"),
        CONTACTS.field("emergency_phone"), APP.field("submitted_at"),
    )
    return apps.join(book["truth"], on="application_id")


SIGNATURES = {
    "blocked_devices": None,  # checked against the list files below
    "emulator_device": pl.col("emulator"),
    "rooted_device": pl.col("rooted") & ~pl.col("emulator"),
    "multi_platform_borrowing": (pl.col("platforms_90d") >= 8) & (pl.col("inquiries_30d") >= 10)
    & (pl.col("loans_other_platforms") >= 4),
    "high_dti": pl.col("dti") >= 0.8,
    "kyc_face_mismatch": pl.col("face_match") < 0.55,
    "proxy_other_province": pl.col("proxy") & (pl.col("ip_province") != pl.col("province")),
    "underage": pl.col("age") < 18,
    "over_age": pl.col("age") > 65,
    "ring_shared_device": (pl.col("accounts") >= 4) & (pl.col("contacts") <= 15),
}


def test_counts_are_exact(book):
    expected = dict(zip((p.name for p in PATTERNS), pattern_counts(book.summary.applicants).tolist()))
    assert book.summary.patterns == expected
    got = book["truth"]["pattern"].drop_nulls().value_counts()
    assert dict(got.iter_rows()) == {k: v for k, v in expected.items() if v}


@pytest.mark.parametrize("name", [k for k, v in SIGNATURES.items() if v is not None])
def test_signature_marks_members_and_only_them(big_book, name):
    df = flat(big_book).with_columns(hit=SIGNATURES[name].fill_null(False))
    members = df.filter(pl.col("pattern") == name)
    assert members.height > 0 and members["hit"].all()
    outsiders = df.filter(pl.col("pattern").is_null())["hit"].mean()
    assert outsiders < 0.001, f"{name}: {outsiders:.4%} of ordinary applicants match"


def test_blocklists_hold_members_and_no_ordinary_applicant(big_book):
    df, blocked = flat(big_book), lists(big_book)
    for pattern, column, listed in [("blocklisted_device", "device_id", "blocked_devices"),
                                    ("blocklisted_id", "id_number", "blocked_id_numbers"),
                                    ("blocklisted_phone", "phone", "blocked_phones")]:
        hit = df[column].is_in(pl.Series(sorted(blocked[listed])).implode())
        assert set(df.filter(hit)["pattern"].unique()) == {pattern}, listed
        assert hit.sum() == (df["pattern"] == pattern).sum()
        assert len(blocked[listed]) > hit.sum()  # decoys that never applied


def test_ring_members_share_devices_and_emergency_contacts(big_book):
    df = flat(big_book)
    ring = df.filter(pl.col("pattern") == "ring_shared_device")
    per_device = ring.group_by("device_id").agg(pl.len())
    assert per_device["len"].min() >= 4
    assert ring["emergency_phone"].n_unique() <= ring.height / 5
    # nobody outside the ring uses a ring device or a ring emergency phone
    others = df.filter(pl.col("pattern") != "ring_shared_device")
    assert not others["device_id"].is_in(ring["device_id"].implode()).any()
    assert not others["emergency_phone"].is_in(ring["emergency_phone"].implode()).any()
    # visible in the graph: ring members are linked by device and emergency-contact edges
    edges = big_book["edges"]
    ids = ring["applicant_id"].implode()
    for kind in ("device", "emergency_contact", "bank_card"):
        linked = edges.filter((pl.col("kind") == kind) & pl.col("src").is_in(ids))
        assert linked["dst"].is_in(ids).all() and linked.height >= ring.height // 2, kind
    # not caught by device velocity
    assert ring["applications_7d"].max() < 5


def test_employer_burst_uses_one_fresh_employer_in_72_hours(big_book):
    df = flat(big_book)
    burst = df.filter(pl.col("pattern") == "employer_burst")
    groups = burst.group_by("employer").agg(
        pl.len(), (pl.col("submitted_at").max() - pl.col("submitted_at").min()).alias("span"))
    assert groups.height >= 1 and groups["len"].min() >= 30
    assert groups["span"].max() < timedelta(hours=72)
    outsiders = df.filter(pl.col("pattern").is_null() | (pl.col("pattern") != "employer_burst"))
    assert not outsiders["employer"].is_in(groups["employer"].implode()).any()
    assert burst["employment_months"].max() <= 3


def test_pattern_outcome_rates(big_book):
    df = flat(big_book)
    rates = df.group_by("pattern").agg(pl.len(), pl.col("default_90d").mean().alias("default"),
                                       pl.col("first_party_fraud").mean().alias("fraud"))
    by = {r["pattern"]: r for r in rates.iter_rows(named=True)}
    for p in PATTERNS:
        r = by[p.name]
        tolerance = 3 * (p.default_rate * (1 - p.default_rate) / r["len"]) ** 0.5 + 0.02
        assert abs(r["default"] - p.default_rate) < tolerance, p.name
    assert by[None]["default"] < 0.1
    for novel in ("ring_shared_device", "employer_burst"):
        assert by[novel]["default"] > 0.6 and by[novel]["fraud"] > 0.4
