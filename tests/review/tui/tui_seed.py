"""Seed data for the TUI tests: a small, realistic review store at a frozen time.

Cases are seeded with evidence shaped like the intake side writes it (input,
features, models with contributions, fired / nearly fired rules, reasons, links),
with ``created_at`` pinned so ages and SLAs render the same on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from riskrules.review.store import Store
from riskrules.review.store import queue as store_queue

SEEDED_AT = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
NOW = SEEDED_AT + timedelta(hours=6, minutes=20)
SIZE = (120, 36)
SMALL = (80, 24)
REVIEWER = "alice"


def _evidence(n: int, *, amount: float, pd: float, platforms: int, dti: float, accounts: int,
              fired: list[str], near: list[dict], links: list[dict], ruleset: str = "origination") -> dict[str, Any]:
    age = 24 + (n * 7) % 30
    income = 6000.0 + 1500 * (n % 5)
    return {
        "input": {
            "application": {"id": f"APP{n:010d}", "amount": amount, "term_months": 12, "purpose": "consumption",
                            "channel": "app" if n % 2 else "partner"},
            "applicant": {"age": age, "phone": f"1390068{n:04d}", "monthly_income": income,
                          "employment": "employed" if n % 3 else "self_employed", "province": "Zhejiang",
                          "kyc": {"id_verified": True, "face_match": 0.93, "liveness_passed": True}},
            "credit": {"history_months": 10 + n * 3, "platforms_90d": platforms, "delinquencies_12m": n % 2,
                       "bureau_score": 520 + n * 9},
            "device": {"id": f"dev-{(n % 3):04x}a9f", "os": "android", "rooted": False, "accounts": accounts},
        },
        "features": {
            "dti": dti, "lti": round(amount / (income * 12), 3), "id_ok": True, "id_age": age,
            "new_account": n % 4 == 0, "ip_province_mismatch": n % 3 == 0, "working": n % 5 != 0,
            "platforms_90d": platforms, "device_accounts": accounts,
        },
        "models": {
            "pd": {
                "probability": pd, "points": round(640 - pd * 900), "version": "1.0.0",
                "contributions": [
                    {"feature": "platforms_90d", "value": platforms, "points": 55 - platforms * 9,
                     "reason": "MANY_PLATFORMS" if platforms >= 2 else None},
                    {"feature": "dti", "value": dti, "points": 60 if dti < 0.2 else 35 if dti < 0.5 else 15,
                     "reason": "HIGH_DTI" if dti >= 0.2 else None},
                    {"feature": "history_months", "value": 10 + n * 3, "points": 25 if n < 9 else 40,
                     "reason": "SHORT_CREDIT_HISTORY"},
                    {"feature": "age", "value": age, "points": 45, "reason": "AGE_PROFILE"},
                    {"feature": "bureau_score", "value": 520 + n * 9, "points": 30 + n, "reason": None},
                ],
            }
        },
        "fired": fired,
        "shadow_fired": ["DEV-006"] if accounts >= 4 else [],
        "nearly_fired": near,
        "ruleset": {"name": ruleset, "version": "1.0.0", "digest": "sha256:9f2c41d07be3a1e5"},
        "outcome": "review",
        "score": pd,
        "reasons": [{"code": "MULTI_PLATFORM_ACCELERATING", "source": rule, "detail": "platforms up 3 in 30 days"}
                    for rule in fired if rule == "MPL-006"]
                   + [{"code": "HIGH_DTI", "source": rule, "detail": f"dti {dti:.2f} over 0.45"}
                      for rule in fired if rule == "INC-003"],
        "links": links,
    }


NEAR_DEVICE = {"rule": "DEV-005", "name": "Many accounts on one device", "distance": 0.12,
               "detail": "device.accounts 3, fires at 4"}
NEAR_DTI = {"rule": "INC-002", "name": "DTI too high", "distance": 0.31, "detail": "dti 0.48, fires at 0.60"}
NEAR_INQ = {"rule": "MPL-004", "name": "Inquiries in 7 days", "distance": 0.55, "detail": "inquiries_7d 2, fires at 5"}

# (ruleset, amount, pd, platforms, dti, device accounts, fired, nearly fired, links, sla hours, verdicts)
CASES: list[tuple] = [
    ("origination", 48000.0, 0.21, 5, 0.46, 3, ["MPL-006", "INC-003"], [NEAR_DEVICE, NEAR_DTI],
     [{"kind": "device", "value": "dev-0001a9f", "other_case_ids": [4, 7]},
      {"kind": "phone", "value": "13900680004", "other_case_ids": [4]},
      {"kind": "contact", "value": "13712345678", "other_case_ids": []}], 2, []),
    ("origination", 12000.0, 0.08, 2, 0.22, 1, ["MPL-003"], [NEAR_INQ], [], 20, []),
    ("origination", 30500.0, 0.15, 4, 0.51, 4, ["INC-003"], [NEAR_DTI], [], -3, []),
    ("origination", 52000.0, 0.24, 6, 0.47, 3, ["MPL-006"], [NEAR_DEVICE], [
        {"kind": "device", "value": "dev-0001a9f", "other_case_ids": [1]}], 18, ["bad"]),
    ("limit_increase", 8000.0, 0.05, 1, 0.18, 1, [], [NEAR_INQ], [], 30, []),
    ("origination", 9000.0, 0.04, 1, 0.12, 1, [], [NEAR_INQ], [], 22, ["good"]),
    ("origination", 41000.0, 0.19, 5, 0.44, 3, ["MPL-006"], [NEAR_DEVICE], [
        {"kind": "device", "value": "dev-0001a9f", "other_case_ids": [1]}], 12, ["bad"]),
    ("limit_increase", 15000.0, 0.11, 3, 0.35, 2, ["INC-003"], [NEAR_DTI], [], 6, ["escalate"]),
    ("origination", 22000.0, 0.09, 2, 0.30, 2, [], [NEAR_DTI], [], 9, []),
]


# how long before NOW each case was opened
AGE_MINUTES = [380, 95, 1500, 2900, 50, 3000, 2000, 700, 240]


def seed(store: Store) -> list[int]:
    """Log a decision for each row of CASES, enqueue its case and apply its verdicts."""
    with pytest.MonkeyPatch.context() as patch:
        return _seed(store, patch)


def _seed(store: Store, patch: pytest.MonkeyPatch) -> list[int]:
    ids = []
    for n, (ruleset, amount, pd, platforms, dti, accounts, fired, near, links, sla_h, verdicts) in enumerate(CASES, 1):
        opened = NOW - timedelta(minutes=AGE_MINUTES[n - 1])
        patch.setattr(store_queue, "utcnow", lambda opened=opened: opened)
        patch.setattr(store, "clock", lambda opened=opened: opened)
        evidence = _evidence(n, amount=amount, pd=pd, platforms=platforms, dti=dti, accounts=accounts,
                             fired=fired, near=near, links=links, ruleset=ruleset)
        decision = store.log_decision(
            id=f"dec-{n:04d}-7c1e", ruleset=ruleset, version="1.0.0", digest="sha256:9f2c41d07be3a1e5",
            outcome="review", score=pd, input=evidence["input"], decision={"outcome": "review"},
            created_at=opened - timedelta(minutes=2),
        )
        case = store.enqueue_case(decision.id, amount=amount, evidence=evidence, model_score=pd,
                                  sla_due_at=NOW + timedelta(hours=sla_h))
        for verdict in verdicts:
            store.claim(case.id, "bob")
            store.record_verdict(case.id, "bob", verdict, note=f"checked {verdict}")
        ids.append(case.id)
    patch.setattr(store_queue, "utcnow", lambda: NOW - timedelta(minutes=30))
    patch.setattr(store, "clock", lambda: NOW - timedelta(minutes=30))
    patch.setattr(store, "claim_lease", timedelta(hours=8))
    store.claim(ids[-1], "bob")  # someone else holds the last case (and will, all day)
    return ids
