"""The shipped origination ruleset vs the same logic written by hand.

``rulesets/origination/ruleset.yaml`` is loaded with ``Engine.load``; the
baseline is ``handwritten_origination.decide`` (features, PD scorecard, 52
rules, worst outcome, ranked reasons, credit-limit table, review flag). Before
timing, both must agree on outcome, fired and shadow-fired rules, reasons,
score, table outputs and the review flag for every shipped sample and for
thousands of seeded variations of them (fields moved across the rules'
thresholds). Timing uses the shipped samples.

    python benchmarks/bench_origination.py [--quick]
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
import sys

import yaml

import _common as C
import handwritten_origination as H

RULESET = C.ROOT / "rulesets" / "origination" / "ruleset.yaml"
SAMPLES = C.ROOT / "rulesets" / "origination" / "samples" / "applications.jsonl"
BASE_CASE = C.ROOT / "rulesets" / "origination" / "tests" / "_base.txt"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # when a sample has no submitted_at
DECISION_LAG = dt.timedelta(minutes=2)  # decided two minutes after submission


def decision_time(app: dict) -> dt.datetime:
    at = app.get("application", {}).get("submitted_at")
    return dt.datetime.fromisoformat(at) + DECISION_LAG if isinstance(at, str) else NOW


def load_samples() -> list[tuple[dict, dt.datetime]]:
    """(application, decision time) pairs."""
    return [(app, decision_time(app)) for app in _load_samples()]


def _load_samples() -> list[dict]:
    if SAMPLES.is_file():
        rows = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r.get("input", r) if isinstance(r, dict) and "application" not in r else r for r in rows]
    print(f"note: {SAMPLES.relative_to(C.ROOT)} not found; using the base case of the ruleset's tests")
    case = yaml.safe_load(BASE_CASE.read_text(encoding="utf-8"))
    return [json.loads(json.dumps(case["base"], default=str))]


# ---------------------------------------------------------------------------- variations
def resident_id(born: dt.date, seq: int = 123, region: str = "440305", valid: bool = True) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, H._ID_WEIGHTS)) % 11]
    if not valid:
        check = "10X98765432"[("10X98765432".index(check) + 1) % 11]
    return body + check


def _identity(rnd: random.Random, now: dt.datetime) -> dict:
    age = rnd.choice([16, 17, 18, 21, 22, 30, 45, 60, 61, 65, 66])
    born = dt.date(now.year - age - 1, rnd.randint(1, 12), rnd.randint(1, 28))
    if rnd.random() < 0.5:  # birthday already passed this year -> one year older
        born = born.replace(year=born.year + 1, month=rnd.randint(1, 2))
    id_number = rnd.choice([resident_id(born)] * 8 + [resident_id(born, valid=False), "440305199105121230",
                                                       "510104198803150457", "12345"])
    stated = born if rnd.random() < 0.9 else born + dt.timedelta(days=400)
    return {"id_number": id_number, "age": age + rnd.choice([0, 0, 0, 0, 1, 2]), "birth_date": stated.isoformat()}


CHOICES = {  # (object, field) -> candidate values, most straddling a rule or scorecard threshold
    ("application", "amount"): [100, 500, 9999, 10000, 20000, 50000, 200000, 200001],
    ("application", "term_months"): [0, 3, 5, 12, 36, 48],
    ("applicant", "phone"): ["13812345678", "+8613812345678", "86 13812345678", "15900001111", "12345"],
    ("applicant", "monthly_income"): [0, 2000, 2999.5, 3000, 8000, 12000, 15000, 30000],
    ("applicant", "income_verified"): [True, False],
    ("applicant", "monthly_debt"): [0, 1500, 4000, 9000.5],
    ("applicant", "employment"): ["employed", "self_employed", "unemployed", "student", "retired"],
    ("applicant", "employer"): [None, "深圳恒达科技有限公司"],
    ("applicant", "employment_months"): [None, 1, 2, 3, 48],
    ("applicant", "province"): ["广东省", "湖南省"],
    ("kyc", "id_verified"): [True, False],
    ("kyc", "face_match"): [0.4, 0.55, 0.6, 0.7, 0.96],
    ("kyc", "liveness_passed"): [True, False],
    ("kyc", "name_matches_bank"): [True, False],
    ("credit", "history_months"): [0, 5, 6, 11, 12, 35, 36, 60],
    ("credit", "delinquencies_12m"): [0, 1, 2, 3],
    ("credit", "max_dpd_24m"): [0, 29, 30, 89, 90, 120],
    ("credit", "inquiries_7d"): [0, 3, 5],
    ("credit", "inquiries_30d"): [0, 2, 3, 6, 10],
    ("credit", "platforms_90d"): [0, 1, 2, 4, 6, 9, 10],
    ("credit", "loans_other_platforms"): [0, 3, 4],
    ("credit", "bureau_score"): [None, 440, 450, 549, 550, 650, 750, 800],
    ("device", "id"): ["8c1e5f2a9b3d704", "f00dbabe1234567"],
    ("device", "rooted"): [True, False],
    ("device", "emulator"): [True, False],
    ("device", "proxy"): [True, False],
    ("device", "ip_province"): [None, "广东省", "湖南省"],
    ("device", "applications_7d"): [1, 3],
    ("device", "accounts"): [1, 4, 10],
    ("contacts", "count"): [3, 5, 180],
    ("contacts", "emergency_phone"): ["13987654321", "13812345678", "5551234", "17712345000"],
    ("contacts", "emergency_overdue"): [None, True, False],
    ("contacts", "blocklisted"): [0, 1, 2],
}


REGISTERED_AGO = [dt.timedelta(hours=2), dt.timedelta(hours=23, minutes=59), dt.timedelta(hours=24),
                  dt.timedelta(days=200)]


def vary(sample: tuple[dict, dt.datetime], rnd: random.Random, p: float = 0.12) -> tuple[dict, dt.datetime]:
    base, now = sample
    app = copy.deepcopy(base)
    if rnd.random() < 0.3:
        app["applicant"].update(_identity(rnd, now))
    if rnd.random() < p:
        app["applicant"]["registered_at"] = (now - rnd.choice(REGISTERED_AGO)).isoformat()
    for (obj, field), values in CHOICES.items():
        if rnd.random() < p:
            target = app["applicant"]["kyc"] if obj == "kyc" else app[obj]
            target[field] = rnd.choice(values)
    return app, now


# ---------------------------------------------------------------------------- agreement
def summary_rr(d) -> dict:
    return {"outcome": d.outcome, "fired": list(d.fired), "shadow_fired": list(d.shadow_fired),
            "reasons": d.reason_codes, "score": d.score, "tables": d.tables, "unexplained": d.unexplained,
            "errors": list(d.errors)}


def summary_hw(h) -> dict:
    return {k: h[k] for k in ("outcome", "fired", "shadow_fired", "reasons", "score", "tables", "unexplained")} | {
        "errors": []}


def same(a: dict, b: dict) -> bool:
    return all(math.isclose(a[k], b[k], rel_tol=1e-9) if k == "score" and None not in (a[k], b[k]) else a[k] == b[k]
               for k in a)


def check_agreement(engine, inputs: list[tuple[dict, dt.datetime]]) -> None:
    from riskrules import InputError

    mismatches, rejected, fire_counts = 0, 0, {}
    outcomes = {}
    for i, (app, now) in enumerate(inputs):
        try:
            rr = summary_rr(engine.decide(app, now=now))
        except InputError:
            rr = {"rejected": True}
        try:
            hw = summary_hw(H.decide(app, now))
        except H.InvalidApplication:
            hw = {"rejected": True}
        if "rejected" in rr:
            rejected += 1
        else:
            outcomes[rr["outcome"]] = outcomes.get(rr["outcome"], 0) + 1
            for rid in rr["fired"] + rr["shadow_fired"]:
                fire_counts[rid] = fire_counts.get(rid, 0) + 1
        if rr.keys() != hw.keys() or not same(rr, hw):
            mismatches += 1
            if mismatches <= 5:
                print(f"MISMATCH on input #{i} at {now.isoformat()}: {json.dumps(app, ensure_ascii=False)}",
                      file=sys.stderr)
                for k in rr.keys() | hw.keys():
                    if rr.get(k) != hw.get(k):
                        print(f"  {k}: riskrules={rr.get(k)!r}  "
                              f"hand-written={hw.get(k)!r}", file=sys.stderr)
    assert mismatches == 0, f"{mismatches} of {len(inputs)} inputs disagree (details above)"
    never = sorted((set(H.RULES) | {"MPL-006", "DEV-006"}) - set(fire_counts))
    print(f"agreement: riskrules and hand-written agree on {len(inputs):,} inputs ({rejected} rejected by both); "
          f"outcomes {outcomes}; {len(fire_counts)} of 52 rules fire at least once"
          + (f" (never: {', '.join(never)})" if never else ""))


def main() -> int:
    args = C.parse_args(__doc__.splitlines()[0])
    C.wait_for_parser()
    from riskrules import Engine, InputError

    if not RULESET.is_file():
        sys.exit(f"{RULESET} not found")
    engine = Engine.load(RULESET)
    samples = load_samples()
    rnd = random.Random(3)
    n_vary = 1_000 if args.quick else 5_000
    check_agreement(engine, samples + [vary(rnd.choice(samples), rnd) for _ in range(n_vary)])

    def valid(sample):
        try:
            engine.decide(sample[0], now=sample[1])
            return True
        except InputError:
            return False
    timed = [s for s in samples if valid(s)]
    while len(timed) < 200:  # too few shipped samples: pad with variations so a pass is long enough
        timed.append(vary(rnd.choice(samples), rnd))
    rounds = 25 if args.quick else 51
    impls = {"hand-written": lambda s: H.decide(s[0], s[1]), "riskrules decide()": lambda s: engine.decide(s[0], now=s[1])}
    samples_ns = C.measure(impls, timed, rounds)
    med = {k: C.median(v) for k, v in samples_ns.items()}
    ratio = med["riskrules decide()"] / med["hand-written"]
    rows = [[k, C.us(m), C.spread(samples_ns[k]), f"{m / med['hand-written']:.2f}x"] for k, m in med.items()]
    C.print_table(f"origination ruleset {engine.ruleset['version']} ({len(engine.program.rules)} active + "
                  f"{len(engine.program.shadow)} shadow rules), µs per decision, median of {rounds} rounds over "
                  f"{len(timed)} applications — {C.environment()}",
                  ["implementation", "median µs", "±IQR/2", "vs hand-written"], rows)
    C.print_table("where riskrules decide() spends its time (µs, medians)", ["part", "µs"],
                  C.riskrules_breakdown(engine, timed, rounds))
    print(f"target riskrules <= 2x hand-written: {ratio:.2f}x  {C.verdict(ratio <= 2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
