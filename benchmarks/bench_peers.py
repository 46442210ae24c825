"""riskrules vs rule-engine vs zen-engine vs hand-written Python: 40 screening rules.

The 40 rules are written once, as small condition trees (``RULES``), and
rendered into (a) a riskrules YAML ruleset, (b) one ``rule_engine.Rule`` per
rule and (c) one zen-engine JDM decision table (hit policy "collect", one row
per rule). (d) ``handwritten`` is the same logic typed out by hand, the way a
careful engineer would: it checks the types of the fields it reads, computes
the debt-to-income ratio once, and returns outcome, fired rules and ranked
reasons. All four must fire the same rules on thousands of generated inputs
before anything is timed.

    python benchmarks/bench_peers.py [--quick]
"""
from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path

import yaml

import _common as C

# --------------------------------------------------------------------------- input schema
SCHEMA = {
    "age": "int", "monthly_income": "number", "monthly_debt": "number", "income_verified": "bool",
    "employment": "enum(employed, self_employed, unemployed, student, retired)", "employment_months": "int?",
    "amount": "number", "term_months": "int",
    "purpose": "enum(consumption, education, travel, medical, business, debt_consolidation, other)",
    "channel": "enum(app, web, partner)", "province": "string", "ip_province": "string?",
    "id_verified": "bool", "face_match": "number", "liveness_passed": "bool",
    "history_months": "int", "open_loans": "int", "delinquencies_12m": "int", "max_dpd_24m": "int",
    "bureau_score": "int?", "inquiries_7d": "int", "inquiries_30d": "int", "platforms_90d": "int",
    "loans_other_platforms": "int", "device_os": "enum(android, ios, other)", "device_rooted": "bool",
    "device_emulator": "bool", "proxy": "bool", "device_applications_7d": "int", "device_accounts": "int",
    "contacts_blocklisted": "int",
}
OPTIONAL = {k for k, v in SCHEMA.items() if v.endswith("?")}
LISTS = {
    "high_risk_provinces": ["新疆", "西藏", "云南", "广西"],
    "restricted_provinces": ["西藏", "澳门"],
}
PROVINCES = ["广东", "浙江", "江苏", "北京", "上海", "四川", "湖北", "河南", "新疆", "西藏", "云南", "广西", "澳门"]

# --------------------------------------------------------------------------- the 40 rules
# condition trees: ("cmp", field, op, const) ("cmpf", field, op, field) ("in"/"notin", field, list-name or [..])
# ("flag", field) ("missing", field) ("dti", op, k) ("not", c) ("and", c, ...) ("or", c, ...)
def cmp(f, op, v): return ("cmp", f, op, v)
def AND(*c): return ("and",) + c
def OR(*c): return ("or",) + c
def NOT(c): return ("not", c)
def flag(f): return ("flag", f)


RULES = [  # id, action (None = points only), reason, points, condition
    ("KYC-001", "decline", "AGE_BELOW_MINIMUM", 0, cmp("age", "<", 18)),
    ("KYC-002", "decline", "AGE_ABOVE_MAXIMUM", 0, cmp("age", ">", 65)),
    ("KYC-003", "decline", "ID_NOT_VERIFIED", 0, NOT(flag("id_verified"))),
    ("KYC-004", "review", "FACE_MISMATCH", 0, cmp("face_match", "<", 0.7)),
    ("KYC-005", "decline", "LIVENESS_FAILED", 0, NOT(flag("liveness_passed"))),
    ("KYC-006", None, None, 10, AND(cmp("face_match", "<", 0.85), NOT(flag("income_verified")))),
    ("CAP-001", "decline", "INCOME_TOO_LOW", 0, cmp("monthly_income", "<", 2000)),
    ("CAP-002", "decline", "DTI_TOO_HIGH", 0, ("dti", ">", 0.6)),
    ("CAP-003", "review", "DTI_HIGH", 0, AND(("dti", ">", 0.45), ("dti", "<=", 0.6))),
    ("CAP-004", "decline", "LOAN_TO_INCOME", 0, ("cmpx", "amount", ">", "monthly_income", 12)),
    ("CAP-005", "review", "UNVERIFIED_LARGE_LOAN", 0, AND(cmp("amount", ">", 50000), NOT(flag("income_verified")))),
    ("CAP-006", "decline", "NO_STABLE_INCOME", 0,
     AND(("in", "employment", ["unemployed", "student"]), cmp("amount", ">", 5000))),
    ("CAP-007", "review", "SHORT_SELF_EMPLOYMENT", 0,
     AND(cmp("employment", "==", "self_employed"), cmp("employment_months", "<", 12))),
    ("CAP-008", None, None, 15, AND(cmp("employment", "==", "employed"), cmp("employment_months", "<", 6))),
    ("CRD-001", "decline", "DELINQUENT_12M", 0, cmp("delinquencies_12m", ">=", 3)),
    ("CRD-002", "decline", "SEVERE_DPD", 0, cmp("max_dpd_24m", ">", 90)),
    ("CRD-003", "review", "PAST_DPD", 0, AND(cmp("max_dpd_24m", ">", 30), cmp("max_dpd_24m", "<=", 90))),
    ("CRD-004", "decline", "BUREAU_SCORE_LOW", 0, cmp("bureau_score", "<", 450)),
    ("CRD-005", "review", "BUREAU_SCORE_MARGINAL", 0, AND(cmp("bureau_score", ">=", 450), cmp("bureau_score", "<", 550))),
    ("CRD-006", "review", "THIN_FILE", 0, AND(("missing", "bureau_score"), cmp("history_months", "<", 6))),
    ("CRD-007", None, None, 20, cmp("open_loans", ">=", 5)),
    ("CRD-008", None, None, 10, cmp("history_months", "<", 12)),
    ("MLT-001", "decline", "MULTI_PLATFORM", 0, cmp("platforms_90d", ">=", 8)),
    ("MLT-002", "review", "MULTI_PLATFORM_WATCH", 0, AND(cmp("platforms_90d", ">=", 4), cmp("platforms_90d", "<", 8))),
    ("MLT-003", "decline", "INQUIRY_BURST", 0, cmp("inquiries_7d", ">=", 5)),
    ("MLT-004", "review", "INQUIRIES_30D", 0, cmp("inquiries_30d", ">=", 10)),
    ("MLT-005", "review", "OTHER_PLATFORM_LOANS", 0, cmp("loans_other_platforms", ">=", 4)),
    ("MLT-006", None, None, 25, AND(cmp("inquiries_7d", ">=", 3), cmp("loans_other_platforms", ">=", 2))),
    ("DEV-001", "decline", "TAMPERED_DEVICE", 0, OR(flag("device_rooted"), flag("device_emulator"))),
    ("DEV-002", "review", "PROXY", 0, flag("proxy")),
    ("DEV-003", "review", "DEVICE_VELOCITY", 0, cmp("device_applications_7d", ">=", 3)),
    ("DEV-004", "decline", "DEVICE_SHARED", 0, cmp("device_accounts", ">", 3)),
    ("DEV-005", "review", "IP_PROVINCE_MISMATCH", 0, ("cmpf", "ip_province", "!=", "province")),
    ("DEV-006", None, None, 10, cmp("device_os", "==", "other")),
    ("GEO-001", "review", "HIGH_RISK_REGION", 0, ("in", "province", "high_risk_provinces")),
    ("GEO-002", "decline", "RESTRICTED_REGION", 0,
     AND(("in", "province", "restricted_provinces"), cmp("amount", ">", 20000))),
    ("PUR-001", "review", "PURPOSE_LARGE", 0,
     AND(("in", "purpose", ["business", "debt_consolidation"]), cmp("amount", ">", 30000))),
    ("PUR-002", "decline", "DEBT_SPIRAL", 0,
     AND(cmp("purpose", "==", "debt_consolidation"), cmp("platforms_90d", ">=", 3), ("notin", "channel", ["app"]))),
    ("CNT-001", "decline", "BLOCKLISTED_CONTACTS", 0, cmp("contacts_blocklisted", ">=", 2)),
    ("CNT-002", "review", "YOUNG_PARTNER_OR_CONTACT", 0,
     OR(cmp("contacts_blocklisted", "==", 1), AND(cmp("channel", "==", "partner"), cmp("age", "<", 22)))),
]
assert len(RULES) == 40
SEVERITY = {"approve": 0, "review": 50, "decline": 100}


def lit(v) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)


# --------------------------------------------------------------------------- (a) riskrules YAML
def rr_expr(c) -> str:
    k = c[0]
    if k == "cmp":
        return f"{c[1]} {c[2]} {lit(c[3])}"
    if k == "cmpf":
        return f"{c[1]} {c[2]} {c[3]}"
    if k == "cmpx":
        return f"{c[1]} {c[2]} {c[3]} * {c[4]}"
    if k in ("in", "notin"):
        rhs = c[2] if isinstance(c[2], str) else "[" + ", ".join(map(lit, c[2])) + "]"
        return f"{c[1]} {'in' if k == 'in' else 'not in'} {rhs}"
    if k == "flag":
        return c[1]
    if k == "missing":
        return f"{c[1]} is missing"
    if k == "dti":
        return f"dti {c[1]} {c[2]}"
    if k == "not":
        return f"not ({rr_expr(c[1])})"
    return "(" + f" {k} ".join(rr_expr(x) for x in c[1:]) + ")"


def riskrules_yaml() -> dict:
    rules = []
    for rid, action, reason, points, cond in RULES:
        r = {"id": rid, "when": rr_expr(cond)}
        if action:
            r["action"], r["reason"] = action, reason
        if points:
            r["score"] = points
        rules.append(r)
    return {"ruleset": "peers40", "version": "1.0.0", "schema": SCHEMA, "lists": LISTS,
            "features": {"dti": "safe_div(monthly_debt, monthly_income)"},
            "rules": rules, "decision": {"policy": "worst", "default": "approve"}}


# --------------------------------------------------------------------------- (b) rule-engine, (c) zen
# Both peers raise on a comparison with null, so comparisons of optional fields get the explicit
# "f != null and" guard that riskrules applies implicitly; the ratio guards the zero income itself.
def peer_expr(c, dialect: str) -> str:
    def guard(fields, expr):
        g = [f"{f} != null" for f in fields if f in OPTIONAL]
        return "(" + " and ".join(g + [expr]) + ")" if g else expr

    def seq(items):
        if dialect == "rule_engine":  # rule-engine has hashed set literals; zen has arrays only
            return "{" + ", ".join(map(lit, items)) + "}"
        return "[" + ", ".join(map(lit, items)) + "]"

    k = c[0]
    if k == "cmp":
        return guard([c[1]], f"{c[1]} {c[2]} {lit(c[3])}")
    if k == "cmpf":
        return guard([c[1], c[3]], f"{c[1]} {c[2]} {c[3]}")
    if k == "cmpx":
        return f"{c[1]} {c[2]} {c[3]} * {c[4]}"
    if k in ("in", "notin"):
        items = LISTS[c[2]] if isinstance(c[2], str) else c[2]
        return f"{c[1]} {'in' if k == 'in' else 'not in'} {seq(items)}"
    if k == "flag":
        return c[1]
    if k == "missing":
        return f"{c[1]} == null"
    if k == "dti":
        return f"(monthly_income > 0 and monthly_debt / monthly_income {c[1]} {c[2]})"
    if k == "not":
        return f"not ({peer_expr(c[1], dialect)})"
    return "(" + f" {k} ".join(peer_expr(x, dialect) for x in c[1:]) + ")"


def rule_engine_decider():
    import rule_engine
    compiled = [(rid, rule_engine.Rule(peer_expr(cond, "rule_engine"))) for rid, _, _, _, cond in RULES]

    def decide(app):
        return [rid for rid, rule in compiled if rule.matches(app)]
    return decide


def zen_content() -> dict:
    rows = [{"_id": f"r{i}", "cond": peer_expr(cond, "zen"), "out": lit(rid)}
            for i, (rid, _, _, _, cond) in enumerate(RULES)]
    table = {"hitPolicy": "collect", "inputs": [{"id": "cond", "name": "condition", "field": ""}],
             "outputs": [{"id": "out", "name": "rule", "field": "rule"}], "rules": rows}
    return {"nodes": [{"id": "in", "type": "inputNode", "name": "application", "position": {"x": 0, "y": 0}},
                      {"id": "t", "type": "decisionTableNode", "name": "screening", "position": {"x": 200, "y": 0},
                       "content": table},
                      {"id": "out", "type": "outputNode", "name": "decision", "position": {"x": 400, "y": 0}}],
            "edges": [{"id": "e1", "type": "edge", "sourceId": "in", "targetId": "t"},
                      {"id": "e2", "type": "edge", "sourceId": "t", "targetId": "out"}]}


def zen_decider():
    import zen
    decision = zen.ZenEngine().create_decision(json.dumps(zen_content(), ensure_ascii=False))

    def decide(app):
        return [row["rule"] for row in decision.evaluate(app)["result"]]
    return decide


# --------------------------------------------------------------------------- (d) hand-written
_INT, _NUM, _STR, _BOOL = (int,), (int, float), (str,), (bool,)
_ENUMS = {name: frozenset(t[5:-1].split(", ")) for name, t in SCHEMA.items() if t.startswith("enum(")}
_FIELD_TYPES = {
    "age": _INT, "monthly_income": _NUM, "monthly_debt": _NUM, "income_verified": _BOOL, "employment": _STR,
    "employment_months": _INT, "amount": _NUM, "purpose": _STR, "channel": _STR, "province": _STR,
    "ip_province": _STR, "id_verified": _BOOL, "face_match": _NUM, "liveness_passed": _BOOL,
    "history_months": _INT, "open_loans": _INT, "delinquencies_12m": _INT, "max_dpd_24m": _INT,
    "bureau_score": _INT, "inquiries_7d": _INT, "inquiries_30d": _INT, "platforms_90d": _INT,
    "loans_other_platforms": _INT, "device_os": _STR, "device_rooted": _BOOL, "device_emulator": _BOOL,
    "proxy": _BOOL, "device_applications_7d": _INT, "device_accounts": _INT, "contacts_blocklisted": _INT,
}
_NULLABLE = frozenset({"employment_months", "ip_province", "bureau_score"})
_HIGH_RISK_PROVINCES = frozenset(LISTS["high_risk_provinces"])
_RESTRICTED_PROVINCES = frozenset(LISTS["restricted_provinces"])
_RULE_INFO = {rid: (i, action, reason, SEVERITY[action] if action else 0, points)
              for i, (rid, action, reason, points, _) in enumerate(RULES)}


def _bad_fields(app) -> list[str]:
    bad = []
    for name, types in _FIELD_TYPES.items():
        v = app.get(name)
        if v is None:
            if name not in _NULLABLE:
                bad.append(f"{name}: required")
        elif type(v) not in types:
            bad.append(f"{name}: expected {types[-1].__name__}, got {type(v).__name__}")
        elif name in _ENUMS and v not in _ENUMS[name]:
            bad.append(f"{name}: unknown value {v!r}")
    return bad


def handwritten(app: dict) -> dict:
    """The 40 rules typed out by hand: validate, evaluate, worst outcome, ranked reasons."""
    bad = _bad_fields(app)
    if bad:
        raise ValueError("invalid application: " + "; ".join(bad))
    age = app["age"]
    income = app["monthly_income"]
    amount = app["amount"]
    employment = app["employment"]
    employment_months = app.get("employment_months")
    face = app["face_match"]
    verified = app["income_verified"]
    dpd = app["max_dpd_24m"]
    bureau = app.get("bureau_score")
    platforms = app["platforms_90d"]
    inq7 = app["inquiries_7d"]
    other_loans = app["loans_other_platforms"]
    province = app["province"]
    ip_province = app.get("ip_province")
    blocklisted = app["contacts_blocklisted"]
    dti = app["monthly_debt"] / income if income else None

    fired = []
    add = fired.append
    if age < 18: add("KYC-001")
    if age > 65: add("KYC-002")
    if not app["id_verified"]: add("KYC-003")
    if face < 0.7: add("KYC-004")
    if not app["liveness_passed"]: add("KYC-005")
    if face < 0.85 and not verified: add("KYC-006")
    if income < 2000: add("CAP-001")
    if dti is not None and dti > 0.6: add("CAP-002")
    if dti is not None and 0.45 < dti <= 0.6: add("CAP-003")
    if amount > income * 12: add("CAP-004")
    if amount > 50000 and not verified: add("CAP-005")
    if employment in ("unemployed", "student") and amount > 5000: add("CAP-006")
    if employment == "self_employed" and employment_months is not None and employment_months < 12: add("CAP-007")
    if employment == "employed" and employment_months is not None and employment_months < 6: add("CAP-008")
    if app["delinquencies_12m"] >= 3: add("CRD-001")
    if dpd > 90: add("CRD-002")
    if 30 < dpd <= 90: add("CRD-003")
    if bureau is not None and bureau < 450: add("CRD-004")
    if bureau is not None and 450 <= bureau < 550: add("CRD-005")
    if bureau is None and app["history_months"] < 6: add("CRD-006")
    if app["open_loans"] >= 5: add("CRD-007")
    if app["history_months"] < 12: add("CRD-008")
    if platforms >= 8: add("MLT-001")
    if 4 <= platforms < 8: add("MLT-002")
    if inq7 >= 5: add("MLT-003")
    if app["inquiries_30d"] >= 10: add("MLT-004")
    if other_loans >= 4: add("MLT-005")
    if inq7 >= 3 and other_loans >= 2: add("MLT-006")
    if app["device_rooted"] or app["device_emulator"]: add("DEV-001")
    if app["proxy"]: add("DEV-002")
    if app["device_applications_7d"] >= 3: add("DEV-003")
    if app["device_accounts"] > 3: add("DEV-004")
    if ip_province is not None and ip_province != province: add("DEV-005")
    if app["device_os"] == "other": add("DEV-006")
    if province in _HIGH_RISK_PROVINCES: add("GEO-001")
    if province in _RESTRICTED_PROVINCES and amount > 20000: add("GEO-002")
    if app["purpose"] in ("business", "debt_consolidation") and amount > 30000: add("PUR-001")
    if app["purpose"] == "debt_consolidation" and platforms >= 3 and app["channel"] != "app": add("PUR-002")
    if blocklisted >= 2: add("CNT-001")
    if blocklisted == 1 or (app["channel"] == "partner" and age < 22): add("CNT-002")

    outcome, acting = "approve", []
    for rid in fired:
        info = _RULE_INFO[rid]
        if info[1] is not None:
            acting.append(info)
            if info[3] > SEVERITY[outcome]:
                outcome = info[1]
    reasons = []
    if outcome != "approve":
        acting.sort(key=lambda r: (-r[3], -r[4], r[0]))
        reasons = [r[2] for r in acting[:4]]
    return {"outcome": outcome, "fired": fired, "reasons": reasons}


# --------------------------------------------------------------------------- inputs
def generate(n: int, seed: int = 7) -> list[dict]:
    """Varied applications; thresholds are hit on both sides so every rule fires sometimes."""
    rnd = random.Random(seed)
    ri, ch = rnd.randint, rnd.choice
    out = []
    for _ in range(n):
        risky = rnd.random() < 0.15  # a risky tail that trips most rules
        income = ch([0, 1500, 1999.5, 2000]) if rnd.random() < 0.08 else round(rnd.lognormvariate(8.9, 0.6), 2)
        province = ch(PROVINCES) if risky or rnd.random() < 0.1 else ch(PROVINCES[:8])
        a = {
            "age": ri(16, 70) if risky else ri(22, 60),
            "monthly_income": income,
            "monthly_debt": round(income * (rnd.uniform(0, 0.9) if risky else rnd.uniform(0, 0.5)), 2) if rnd.random() < 0.9 else ri(0, 5000),
            "income_verified": rnd.random() < 0.7,
            "employment": ch(["employed"] * 6 + ["self_employed"] * 2 + ["retired"] + (["unemployed", "student"] if risky else [])),
            "employment_months": None if rnd.random() < 0.2 else ri(0, 120),
            "amount": float(ch([1000, 3000, 5000, 5001, 8000, 12000, 20000, 20001, 30000, 50000, 50001, 80000])),
            "term_months": ch([3, 6, 12, 24, 36]),
            "purpose": ch(["consumption", "education", "travel", "medical", "business", "debt_consolidation", "other"]),
            "channel": ch(["app", "app", "web", "partner"]),
            "province": province,
            "ip_province": None if rnd.random() < 0.3 else (province if rnd.random() < 0.8 else ch(PROVINCES)),
            "id_verified": rnd.random() < 0.97,
            "face_match": round(rnd.uniform(0.5, 1.0) if risky else rnd.uniform(0.8, 1.0), 3),
            "liveness_passed": rnd.random() < 0.97,
            "history_months": ri(0, 24) if risky else ri(6, 240),
            "open_loans": ri(0, 8) if risky else ri(0, 4),
            "delinquencies_12m": ri(0, 4) if risky else ri(0, 1),
            "max_dpd_24m": ch([0, 0, 0, 15, 30, 31, 60, 90, 91, 120]) if risky else ch([0, 0, 0, 5, 30]),
            "bureau_score": None if rnd.random() < 0.2 else (ri(350, 850) if risky else ri(520, 850)),
            "inquiries_7d": ri(0, 7) if risky else ri(0, 2),
            "inquiries_30d": ri(0, 15) if risky else ri(0, 8),
            "platforms_90d": ri(0, 12) if risky else ri(0, 3),
            "loans_other_platforms": ri(0, 6) if risky else ri(0, 2),
            "device_os": ch(["android", "ios", "other"]) if risky else ch(["android", "ios"]),
            "device_rooted": rnd.random() < (0.1 if risky else 0.01),
            "device_emulator": rnd.random() < (0.05 if risky else 0.005),
            "proxy": rnd.random() < (0.2 if risky else 0.02),
            "device_applications_7d": ri(1, 5) if risky else 1,
            "device_accounts": ri(1, 5) if risky else ri(1, 2),
            "contacts_blocklisted": ri(0, 3) if risky else ch([0] * 19 + [1]),
        }
        out.append(a)
    return out


# --------------------------------------------------------------------------- main
def check_agreement(deciders: dict, engine, inputs: list[dict], now) -> None:
    """Every implementation fires the same rules; riskrules and hand-written agree on outcome and reasons."""
    mismatches = 0
    fire_counts = dict.fromkeys((r[0] for r in RULES), 0)
    for i, app in enumerate(inputs):
        d = engine.decide(app, now=now)
        hw = handwritten(app)
        got = {"riskrules": set(d.fired), "hand-written": set(hw["fired"])}
        got.update({name: set(fn(app)) for name, fn in deciders.items()})
        for rid in hw["fired"]:
            fire_counts[rid] += 1
        same = len({frozenset(s) for s in got.values()}) == 1
        same = same and d.outcome == hw["outcome"] and list(d.reason_codes) == hw["reasons"]
        if not same:
            mismatches += 1
            if mismatches <= 5:
                print(f"MISMATCH on input #{i}: {json.dumps(app, ensure_ascii=False)}", file=sys.stderr)
                for name, s in got.items():
                    print(f"  {name:>12}: {sorted(s)}", file=sys.stderr)
                print(f"  outcome/reasons riskrules={d.outcome} {d.reason_codes} "
                      f"hand-written={hw['outcome']} {hw['reasons']}", file=sys.stderr)
    never = [rid for rid, n in fire_counts.items() if n == 0]
    assert mismatches == 0, f"{mismatches} of {len(inputs)} inputs disagree (details above)"
    assert not never, f"generated inputs never fire {never}: the agreement check would be vacuous"
    fired_per_input = sum(fire_counts.values()) / len(inputs)
    print(f"agreement: all 4 implementations fire the same rules on {len(inputs):,} inputs "
          f"(every rule fires at least {min(fire_counts.values())} times; {fired_per_input:.1f} rules per input); "
          "riskrules and hand-written also agree on outcome and reasons")


def main() -> int:
    args = C.parse_args(__doc__.splitlines()[0])
    C.wait_for_parser()
    from riskrules import Engine

    n_check, n_time, rounds = (1_000, 300, 25) if args.quick else (5_000, 1_000, 51)
    peer_budget = 30 if args.quick else 200
    now = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "peers40.yaml"
        path.write_text(yaml.safe_dump(riskrules_yaml(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        engine = Engine.load(path)
    deciders = {"rule-engine": rule_engine_decider(), "zen-engine": zen_decider()}
    check_agreement(deciders, engine, generate(n_check, seed=11), now)

    inputs = generate(n_time, seed=23)
    impls = {"hand-written": handwritten,
             "riskrules decide()": lambda app: engine.decide(app, now=now),
             "rule-engine": deciders["rule-engine"],
             "zen-engine": deciders["zen-engine"]}
    samples = C.measure(impls, inputs, rounds, budgets={"rule-engine": peer_budget, "zen-engine": peer_budget})
    med = {name: C.median(s) for name, s in samples.items()}
    base, rr = med["hand-written"], med["riskrules decide()"]
    rows = [[name, C.us(m), C.spread(samples[name]), f"{m / base:.2f}x",
             "-" if name in ("hand-written", "riskrules decide()") else f"{m / rr:,.0f}x"]
            for name, m in med.items()]
    C.print_table(f"40 screening rules, µs per decision (median of {rounds} rounds; "
                  f"{n_time} inputs per round, peers {peer_budget}) — {C.environment()}",
                  ["implementation", "median µs", "±IQR/2", "vs hand-written", "riskrules faster by"], rows)
    ratio = rr / base
    margin = min(med["rule-engine"], med["zen-engine"]) / rr
    C.print_table("where riskrules decide() spends its time (µs, medians)", ["part", "µs"],
                  C.riskrules_breakdown(engine, [(app, now) for app in inputs], rounds))
    print(f"target riskrules <= 2x hand-written: {ratio:.2f}x  {C.verdict(ratio <= 2)}")
    print(f"target riskrules >= 50x faster than both peers: {margin:,.0f}x (vs the faster peer)  "
          f"{C.verdict(margin >= 50)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
