"""The origination ruleset (rulesets/origination/ruleset.yaml 1.0.0) written by hand.

The baseline of ``bench_origination.py``: what a careful engineer would write
instead of using riskrules. It checks the type of every field it reads (and
parses ISO dates and datetimes), computes the features once, the PD scorecard
with its reason codes, the 52 rules (2 in shadow), the worst outcome, the
ranked principal reasons, the credit-limit table and the review flag. No
generality: the rules, bins and table are code.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import yaml

# ---------------------------------------------------------------------------- lists
# Blocklists are data, not logic: read once from the ruleset's own list entries (inline or files).
RULESET_DIR = Path(__file__).resolve().parent.parent / "rulesets" / "origination"


def _load_lists() -> dict[str, frozenset]:
    declared = yaml.safe_load((RULESET_DIR / "ruleset.yaml").read_text(encoding="utf-8"))["lists"]
    out = {}
    for name, spec in declared.items():
        if isinstance(spec, str):
            lines = (RULESET_DIR / spec).read_text(encoding="utf-8").splitlines()
            spec = [x.split("#", 1)[0].strip() for x in lines]
        out[name] = frozenset(str(x) for x in spec if str(x))
    return out


_LISTS = _load_lists()
BLOCKED_ID_NUMBERS = _LISTS["blocked_id_numbers"]
BLOCKED_DEVICES = _LISTS["blocked_devices"]
BLOCKED_PHONES = _LISTS["blocked_phones"]
PRODUCT_TERMS = frozenset({3, 6, 9, 12, 18, 24, 36})
SEVERITY = {"approve": 0, "review": 50, "decline": 100}

# ---------------------------------------------------------------------------- input checks
_I, _N, _S, _B = (int,), (int, float), (str,), (bool,)
_DATE, _DATETIME = "date", "datetime"
FIELDS = {  # object -> [(field, types, optional)] of the fields the rules read
    "application": [("amount", _N, False), ("term_months", _I, False)],
    "applicant": [("id_number", _S, False), ("age", _I, False), ("birth_date", _DATE, False),
                  ("phone", _S, False), ("registered_at", _DATETIME, False), ("monthly_income", _N, False),
                  ("income_verified", _B, False), ("monthly_debt", _N, False), ("employment", _S, False),
                  ("employer", _S, True), ("employment_months", _I, True), ("province", _S, False)],
    "kyc": [("id_verified", _B, False), ("face_match", _N, False), ("liveness_passed", _B, False),
            ("name_matches_bank", _B, False)],
    "credit": [("history_months", _I, False), ("delinquencies_12m", _I, False), ("max_dpd_24m", _I, False),
               ("inquiries_7d", _I, False), ("inquiries_30d", _I, False), ("platforms_90d", _I, False),
               ("loans_other_platforms", _I, False), ("bureau_score", _I, True)],
    "device": [("id", _S, False), ("rooted", _B, False), ("emulator", _B, False), ("ip_province", _S, True),
               ("proxy", _B, False), ("applications_7d", _I, False), ("accounts", _I, False)],
    "contacts": [("count", _I, False), ("emergency_phone", _S, False), ("emergency_overdue", _B, True),
                 ("blocklisted", _I, False)],
}
EMPLOYMENTS = frozenset({"employed", "self_employed", "unemployed", "student", "retired"})


class InvalidApplication(ValueError):
    pass


def _checked(obj, name: str, errs: list) -> dict:
    """The fields of one object, type-checked; ISO date/datetime strings parsed."""
    out = {}
    if not isinstance(obj, dict):
        errs.append(f"{name}: expected an object")
        return out
    for field, types, optional in FIELDS[name]:
        v = obj.get(field)
        if v is None:
            if not optional:
                errs.append(f"{name}.{field}: required")
        elif types is _DATETIME:
            if type(v) is str:
                try:
                    v = dt.datetime.fromisoformat(v)
                except ValueError:
                    errs.append(f"{name}.{field}: not an ISO datetime")
            elif not isinstance(v, dt.datetime):
                errs.append(f"{name}.{field}: expected a datetime")
            if isinstance(v, dt.datetime) and v.tzinfo is None:
                v = v.replace(tzinfo=dt.timezone.utc)
        elif types is _DATE:
            if type(v) is str:
                try:
                    v = dt.date.fromisoformat(v)
                except ValueError:
                    errs.append(f"{name}.{field}: not an ISO date")
            elif type(v) is not dt.date:
                errs.append(f"{name}.{field}: expected a date")
        elif type(v) not in types:
            if types is _I and type(v) is float and v.is_integer():
                v = int(v)
            else:
                errs.append(f"{name}.{field}: expected {types[-1].__name__}, got {type(v).__name__}")
        elif type(v) is float and not math.isfinite(v):
            errs.append(f"{name}.{field}: not a finite number")
        out[field] = v
    return out


# ---------------------------------------------------------------------------- helpers
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]").fullmatch
_ID_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
                          "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split())
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PHONE = re.compile(r"(?:\+?86[ -]?)?(1[3-9][0-9]{9})").fullmatch


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date of a valid GB 11643 resident ID number, else None."""
    if _ID_SHAPE(id_number) is None or id_number[:2] not in _ID_PROVINCES:
        return None
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
    if born.year < 1900:
        return None
    total = sum(int(c) * w for c, w in zip(id_number, _ID_WEIGHTS))
    return born if "10X98765432"[total % 11] == id_number[17].upper() else None


def years_between(born: dt.date, today: dt.date) -> int:
    return ((today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)) // 12


def phone11(phone: str) -> str | None:
    m = _PHONE(phone)
    return m.group(1) if m else None


def monthly_payment(principal: float, annual_rate: float, months: int) -> float:
    r = annual_rate / 12.0
    return principal * r / (1.0 - (1.0 + r) ** -float(months))


# ---------------------------------------------------------------------------- scorecard
_FACTOR = 20 / math.log(2)
_OFFSET = 600 - _FACTOR * math.log(50)
_INTERCEPT = 225
# feature -> (best points, [(upper bound, exclusive; points; reason)], missing bin (points, reason))
_BINS = {
    "age": (50, [(22, 20, "YOUNG_APPLICANT"), (25, 32, "YOUNG_APPLICANT"), (35, 45, "AGE_PROFILE"),
                      (50, 50, None), (math.inf, 42, "AGE_PROFILE")], None),
    "dti": (60, [(0.2, 60, None), (0.35, 50, "HIGH_DTI"), (0.5, 35, "HIGH_DTI"), (0.7, 15, "HIGH_DTI"),
                 (math.inf, 0, "HIGH_DTI")], (0, "NO_VERIFIABLE_INCOME")),
    "platforms_90d": (55, [(2, 55, None), (4, 45, "MANY_PLATFORMS"), (6, 25, "MANY_PLATFORMS"),
                           (math.inf, 0, "MANY_PLATFORMS")], None),
    "history_months": (50, [(6, 15, "SHORT_CREDIT_HISTORY"), (12, 25, "SHORT_CREDIT_HISTORY"),
                            (36, 40, "SHORT_CREDIT_HISTORY"), (math.inf, 50, None)], None),
    "delinquencies_12m": (60, [(1, 60, None), (2, 30, "RECENT_DELINQUENCY"), (math.inf, 0, "RECENT_DELINQUENCY")],
                          None),
    "monthly_income": (50, [(3000, 15, "LOW_INCOME"), (5000, 30, "LOW_INCOME"), (10000, 42, "LOW_INCOME"),
                            (math.inf, 50, None)], None),
    "bureau_score": (55, [(550, 5, "LOW_BUREAU_SCORE"), (650, 30, "LOW_BUREAU_SCORE"), (750, 45, "LOW_BUREAU_SCORE"),
                          (math.inf, 55, None)], (20, "THIN_FILE")),
    "inquiries_30d": (45, [(3, 45, None), (6, 35, "MANY_INQUIRIES"), (10, 15, "MANY_INQUIRIES"),
                           (math.inf, 0, "MANY_INQUIRIES")], None),
}
_EMPLOYMENT_POINTS = {"employed": (40, None), "self_employed": (30, "EMPLOYMENT_TYPE"),
                      "retired": (30, "EMPLOYMENT_TYPE"), "student": (10, "UNSTABLE_EMPLOYMENT"),
                      "unemployed": (0, "UNSTABLE_EMPLOYMENT")}


def scorecard(values: dict) -> tuple[float, float, list[tuple[float, str]]]:
    """(pd, points, [(points lost, reason)]) in feature order."""
    total = _INTERCEPT
    lost = []
    for name, (best, bins, missing) in _BINS.items():
        v = values[name]
        if v is None:
            points, reason = missing
        else:
            for upper, points, reason in bins:
                if v < upper:
                    break
        total += points
        if points < best and reason:
            lost.append((best - points, reason))
    points, reason = _EMPLOYMENT_POINTS.get(values["employment"], (10, "UNSTABLE_EMPLOYMENT"))
    total += points
    if points < 40:
        lost.append((40 - points, reason))
    return 1.0 / (1.0 + math.exp((total - _OFFSET) / _FACTOR)), total, lost


# ---------------------------------------------------------------------------- rules
# id -> (action, reason, severity, points); None action = points only. File order = evaluation order.
RULES = {
    "APP-001": ("decline", "OUTSIDE_PRODUCT_LIMITS", 80, 0), "KYC-001": ("decline", "ID_INVALID", 95, 100),
    "KYC-002": ("decline", "ID_NOT_VERIFIED", 90, 80), "KYC-003": ("review", "ID_AGE_MISMATCH", 75, 40),
    "KYC-004": ("review", "ID_BIRTHDATE_MISMATCH", 72, 20), "KYC-005": ("decline", "FACE_MISMATCH", 90, 100),
    "KYC-006": ("review", "FACE_MATCH_LOW", 70, 30), "KYC-007": ("decline", "LIVENESS_FAILED", 88, 80),
    "KYC-008": ("review", "BANK_CARD_NAME_MISMATCH", 70, 30), "KYC-009": ("review", "PHONE_INVALID", 60, 20),
    "AGE-001": ("decline", "AGE_BELOW_MINIMUM", 100, 0), "AGE-002": ("review", "STUDENT_UNDER_22", 65, 20),
    "AGE-003": ("review", "AGE_ABOVE_60", 55, 10), "AGE-004": ("decline", "AGE_ABOVE_MAXIMUM", 85, 0),
    "BLK-001": ("decline", "BLOCKLIST_ID", 100, 200), "BLK-002": ("decline", "BLOCKLIST_DEVICE", 98, 200),
    "BLK-003": ("decline", "BLOCKLIST_PHONE", 96, 200), "MPL-001": ("decline", "MULTI_PLATFORM_SEVERE", 82, 80),
    "MPL-002": ("review", "MANY_PLATFORMS", 58, 40), "MPL-003": ("review", "OTHER_PLATFORM_LOANS", 57, 30),
    "MPL-004": ("review", "INQUIRIES_7D", 56, 30), "MPL-005": ("review", "INQUIRIES_30D", 54, 20),
    "INC-001": ("decline", "NO_INCOME", 80, 60), "INC-002": ("decline", "DTI_TOO_HIGH", 80, 60),
    "INC-003": ("review", "HIGH_DTI", 52, 30), "INC-004": ("review", "INCOME_UNVERIFIED", 50, 15),
    "INC-005": ("review", "HIGH_LOAN_TO_INCOME", 51, 25), "DEV-001": ("decline", "EMULATOR_DEVICE", 92, 120),
    "DEV-002": ("review", "ROOTED_DEVICE", 62, 40), "DEV-003": ("review", "PROXY_IP", 63, 40),
    "DEV-004": (None, None, 0, 10), "DEV-005": ("review", "DEVICE_MANY_ACCOUNTS", 64, 50),
    "DEV-007": ("review", "DEVICE_VELOCITY", 61, 40), "DEV-008": ("decline", "PROXY_OTHER_PROVINCE", 86, 60),
    "NEW-001": (None, None, 0, 15), "NEW-002": ("review", "NEW_ACCOUNT_LARGE_LOAN", 59, 25),
    "EMP-001": ("decline", "UNEMPLOYED_LARGE_LOAN", 78, 50), "EMP-002": ("review", "SHORT_EMPLOYMENT_TENURE", 50, 20),
    "EMP-003": ("review", "EMPLOYER_MISSING", 50, 15), "CRD-001": ("decline", "SEVERE_DELINQUENCY", 84, 80),
    "CRD-002": (None, None, 0, 30), "CRD-003": ("review", "REPEATED_DELINQUENCY", 55, 30),
    "CRD-004": ("review", "THIN_FILE_LARGE_LOAN", 53, 20), "CRD-005": ("decline", "LOW_BUREAU_SCORE", 81, 60),
    "CON-001": (None, None, 0, 20), "CON-002": ("review", "BLOCKLISTED_CONTACTS", 66, 40),
    "CON-003": ("review", "TOO_FEW_CONTACTS", 58, 30), "CON-004": ("review", "EMERGENCY_CONTACT_INVALID", 57, 20),
    "CON-005": ("review", "EMERGENCY_CONTACT_BLOCKLISTED", 67, 40), "MOD-001": ("review", "HIGH_PD", 52, 0),
}
ORDER = {rid: i for i, rid in enumerate(RULES)}


def credit_limit(pd: float, income: float) -> tuple[int, float | None]:
    if pd < 0.03:
        return (80000, 0.108) if income >= 15000 else (50000, 0.12) if income >= 8000 else (20000, 0.144)
    if pd < 0.08:
        return (50000, 0.144) if income >= 15000 else (30000, 0.156) if income >= 8000 else (10000, 0.18)
    if pd < 0.15:
        return (15000, 0.21) if income >= 8000 else (6000, 0.24)
    if pd < 0.25:
        return 3000, 0.24
    return 0, None


def decide(data: dict, now: dt.datetime) -> dict:
    errs: list[str] = []
    if not isinstance(data, dict):
        raise InvalidApplication("expected an object")
    app = _checked(data.get("application"), "application", errs)
    who = _checked(data.get("applicant"), "applicant", errs)
    kyc = _checked((data.get("applicant") or {}).get("kyc"), "kyc", errs)
    cr = _checked(data.get("credit"), "credit", errs)
    dev = _checked(data.get("device"), "device", errs)
    con = _checked(data.get("contacts"), "contacts", errs)
    if who.get("employment") is not None and who["employment"] not in EMPLOYMENTS:
        errs.append("applicant.employment: unknown value")
    if errs:
        raise InvalidApplication("; ".join(errs))

    # features
    amount, term = app["amount"], app["term_months"]
    age, income, employment = who["age"], who["monthly_income"], who["employment"]
    born = id_birth_date(who["id_number"])
    id_age = years_between(born, now.date()) if born is not None else None
    phone = phone11(who["phone"])
    emergency = phone11(con["emergency_phone"])
    new_payment = monthly_payment(amount, 0.24, term) if term > 0 else None
    dti = (who["monthly_debt"] + new_payment) / income if new_payment is not None and income > 0 else None
    lti = amount / (income * 12) if income * 12 > 0 else None
    new_account = now - who["registered_at"] < dt.timedelta(hours=24)
    ip_province = dev["ip_province"]
    ip_mismatch = ip_province is not None and ip_province != who["province"]
    face = kyc["face_match"]
    platforms, inq7, dpd, bureau = cr["platforms_90d"], cr["inquiries_7d"], cr["max_dpd_24m"], cr["bureau_score"]
    emp_months = who["employment_months"]

    pd, points, lost = scorecard({"age": age, "dti": dti, "platforms_90d": platforms,
                                  "history_months": cr["history_months"], "delinquencies_12m": cr["delinquencies_12m"],
                                  "monthly_income": income, "bureau_score": bureau,
                                  "inquiries_30d": cr["inquiries_30d"], "employment": employment})

    fired = []
    add = fired.append
    if amount < 500 or amount > 200000 or term not in PRODUCT_TERMS: add("APP-001")
    if born is None: add("KYC-001")
    if not kyc["id_verified"]: add("KYC-002")
    if id_age is not None and abs(id_age - age) >= 2: add("KYC-003")
    if born is not None and born != who["birth_date"]: add("KYC-004")
    if face < 0.55: add("KYC-005")
    if 0.55 <= face < 0.70: add("KYC-006")
    if not kyc["liveness_passed"]: add("KYC-007")
    if not kyc["name_matches_bank"]: add("KYC-008")
    if phone is None: add("KYC-009")
    if age < 18 or (id_age is not None and id_age < 18): add("AGE-001")
    if employment == "student" and 18 <= age < 22: add("AGE-002")
    if 60 < age <= 65: add("AGE-003")
    if age > 65: add("AGE-004")
    if who["id_number"] in BLOCKED_ID_NUMBERS: add("BLK-001")
    if dev["id"] in BLOCKED_DEVICES: add("BLK-002")
    if phone in BLOCKED_PHONES: add("BLK-003")
    if platforms >= 10: add("MPL-001")
    if 6 <= platforms < 10: add("MPL-002")
    if cr["loans_other_platforms"] >= 4: add("MPL-003")
    if inq7 >= 5: add("MPL-004")
    if cr["inquiries_30d"] >= 10: add("MPL-005")
    if income <= 0: add("INC-001")
    if dti is not None and dti > 0.9: add("INC-002")
    if dti is not None and 0.7 < dti <= 0.9: add("INC-003")
    if not who["income_verified"] and amount >= 20000: add("INC-004")
    if lti is not None and lti > 1.0: add("INC-005")
    if dev["emulator"]: add("DEV-001")
    if dev["rooted"] and not dev["emulator"]: add("DEV-002")
    if dev["proxy"]: add("DEV-003")
    if ip_mismatch: add("DEV-004")
    if dev["accounts"] >= 10: add("DEV-005")
    if dev["applications_7d"] >= 3: add("DEV-007")
    if dev["proxy"] and ip_mismatch: add("DEV-008")
    if new_account: add("NEW-001")
    if new_account and amount >= 10000: add("NEW-002")
    if employment == "unemployed" and amount >= 10000: add("EMP-001")
    if (employment in ("employed", "self_employed") and emp_months is not None and emp_months < 3
            and amount >= 20000): add("EMP-002")
    if employment == "employed" and who["employer"] is None: add("EMP-003")
    if dpd >= 90: add("CRD-001")
    if 30 <= dpd < 90: add("CRD-002")
    if cr["delinquencies_12m"] >= 2: add("CRD-003")
    if bureau is None and cr["history_months"] < 6 and amount >= 10000: add("CRD-004")
    if bureau is not None and bureau < 450: add("CRD-005")
    if con["emergency_overdue"] is True: add("CON-001")
    if con["blocklisted"] >= 2: add("CON-002")
    if con["count"] < 5: add("CON-003")
    if emergency is None or (phone is not None and emergency == phone): add("CON-004")
    if emergency in BLOCKED_PHONES: add("CON-005")
    if pd > 0.25: add("MOD-001")

    shadow = []
    if platforms >= 4 and inq7 >= 3: shadow.append("MPL-006")
    if dev["accounts"] >= 4: shadow.append("DEV-006")

    # worst outcome; reasons: acting rules by severity, points, order, then the scorecard's lost points
    outcome = "approve"
    acting = []
    rules_score = 0
    for rid in fired:
        action, reason, severity, pts = RULES[rid]
        rules_score += pts
        if action is not None:
            acting.append((-severity, -pts, ORDER[rid], reason))
            if SEVERITY[action] > SEVERITY[outcome]:
                outcome = action
    reasons: list[str] = []
    if outcome != "approve":
        acting.sort()
        for neg_sev, _, _, reason in acting:
            if neg_sev < 0 and reason not in reasons:
                reasons.append(reason)
        lost.sort(key=lambda x: -x[0])
        for _, reason in lost:
            if reason not in reasons:
                reasons.append(reason)
        del reasons[4:]
    limit, apr = credit_limit(pd, income)
    return {"outcome": outcome, "fired": fired, "shadow_fired": shadow, "reasons": reasons,
            "score": points - rules_score, "pd": pd, "tables": {"credit_limit": {"limit": limit, "apr": apr}},
            "unexplained": pd > 0.2 and not fired}
