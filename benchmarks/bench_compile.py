"""Check + compile time and memory of a generated 1,000-rule ruleset.

The ruleset is generated in code (seeded): a schema of ~50 fields in five
objects (some optional), 20 features, 5 lists and 1,000 rules mixing
comparisons, ranges, list and literal membership, missing tests, arithmetic,
builtin calls and and/or/not; thresholds are set so that a typical input fires
well under a tenth of the rules. Reported: ``Engine.load`` time (parse + check +
compile, median of 5, with the three stages timed separately), the memory the
loaded engine keeps (tracemalloc snapshot diff, tracemalloc peak during the
load, and the RSS delta) and the per-decision time of ``decide()`` on it.
``--against DIR`` also times ``Engine.load`` of another checkout (a baseline, e.g.
the main branch) against this one, in two child processes taking turns, so the
ratio holds on a loaded machine (CPU time as well as wall time).

    python benchmarks/bench_compile.py [--quick] [--against DIR]
"""
from __future__ import annotations

import datetime as dt
import gc
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

import _common as C

ENUMS = {"employment": ["employed", "self_employed", "unemployed", "student", "retired"],
         "purpose": ["consumption", "education", "travel", "medical", "business", "other"],
         "channel": ["app", "web", "partner"], "os": ["android", "ios", "other"]}
# object -> field -> (type, generator kind); "?" marks optional
SCHEMA = {
    "application": {"amount": "number", "term_months": "int", "purpose": "enum", "channel": "enum",
                    "rate": "number", "fee": "number", "requested_limit": "number", "promo": "bool",
                    "repeat": "bool", "prior_loans": "int"},
    "applicant": {"age": "int", "monthly_income": "number", "monthly_debt": "number", "employment": "enum",
                  "employment_months": "int?", "province": "string", "city": "string?", "dependents": "int",
                  "income_verified": "bool", "face_match": "number", "education_years": "int?",
                  "housing_cost": "number"},
    "credit": {"history_months": "int", "open_loans": "int", "delinquencies_12m": "int", "max_dpd_24m": "int",
               "inquiries_7d": "int", "inquiries_30d": "int", "platforms_90d": "int", "bureau_score": "int?",
               "utilization": "number?", "limit_total": "number", "balance_total": "number", "written_off": "int"},
    "device": {"os": "enum", "rooted": "bool", "emulator": "bool", "proxy": "bool", "applications_7d": "int",
               "accounts": "int", "ip_province": "string?", "battery": "number", "model": "string"},
    "contacts": {"count": "int", "blocklisted": "int", "overdue": "int", "emergency_overdue": "bool?",
                 "same_device": "int", "avg_age": "number?", "calls_30d": "int"},
}
PROVINCES = ["广东", "浙江", "江苏", "北京", "上海", "四川", "湖北", "河南", "新疆", "西藏", "云南", "广西"]
MODELS = ["SM-G9910", "iPhone14,2", "M2012K11AC", "V2049A", "PDEM10", "generic_x86"]
N_FEATURES = 20
N_RULES = 1_000


def schema_yaml() -> dict:
    out = {}
    for obj, fields in SCHEMA.items():
        out[obj] = {f: (f"enum({', '.join(ENUMS[f])})" + ("?" if t.endswith("?") else "")
                        if t.startswith("enum") else t) for f, t in fields.items()}
    return out


def fields_of(kind: str) -> list[tuple[str, bool]]:
    """[(path, optional)] of the fields whose type is ``kind``."""
    return [(f"{o}.{f}", t.endswith("?")) for o, fs in SCHEMA.items() for f, t in fs.items()
            if t.rstrip("?") == kind]


def generate_ruleset(seed: int = 1) -> dict:
    rnd = random.Random(seed)
    ints, nums = fields_of("int"), fields_of("number")
    numeric = [p for p, _ in ints + nums]
    bools = [p for p, _ in fields_of("bool")]
    optional = [p for o, fs in SCHEMA.items() for f, t in fs.items() if t.endswith("?") for p in [f"{o}.{f}"]]
    lists = {
        "high_risk_provinces": PROVINCES[8:],
        "watch_provinces": PROVINCES[4:10],
        "bad_models": MODELS[4:],
        "risky_purposes": ["business", "other"],
        "risky_terms": [3, 36],
    }
    features = {}
    for i in range(N_FEATURES):
        a, b = rnd.sample(numeric, 2)
        features[f"feat_{i}"] = rnd.choice([
            f"safe_div({a}, {b})", f"{a} + {b}", f"coalesce({a}, 0) * {rnd.randint(2, 9)}",
            f"max({a}, {b})", f"if {a} > {b} then {a} - {b} else 0"])
    feats = list(features)

    def cmp():
        # inputs are uniform over 0..120 (see generate_input): thresholds are set so that a
        # comparison holds for roughly 5-25 % of inputs, and most rules fire rarely
        r = rnd.random()
        f = rnd.choice(numeric)
        high = rnd.random() < 0.5
        op = rnd.choice([">", ">="] if high else ["<", "<="])
        if r < 0.35:
            return f"{f} {op} {rnd.randint(90, 115) if high else rnd.randint(5, 30)}"
        if r < 0.5:
            lo = rnd.randint(0, 100)
            return f"{f} between {lo} and {lo + rnd.randint(1, 20)}"
        if r < 0.6:
            return f"{rnd.choice(feats)} {op} {rnd.randint(100, 200) if high else rnd.randint(0, 5)}"
        if r < 0.68:
            return f"{f} * {rnd.randint(2, 12)} {op} {rnd.choice(numeric)} * {rnd.randint(20, 40)}"
        if r < 0.74:
            return rnd.choice(bools) if rnd.random() < 0.7 else f"not ({f} <= {rnd.randint(100, 115)})"
        if r < 0.80:
            return rnd.choice(["applicant.province in high_risk_provinces", "applicant.province in watch_provinces",
                               "device.model in bad_models", "application.purpose in risky_purposes",
                               "application.term_months in risky_terms", "device.ip_province != applicant.province",
                               "applicant.city in [\"深圳\", \"东莞\", \"惠州\"]"])
        if r < 0.84:
            return f"{rnd.choice(optional)} is {'missing' if rnd.random() < 0.5 else 'present'}"
        if r < 0.89:
            e = rnd.choice(sorted(ENUMS))
            obj = next(o for o, fs in SCHEMA.items() if e in fs)
            vals = rnd.sample(ENUMS[e], 2)
            return f"{obj}.{e} in [\"{vals[0]}\", \"{vals[1]}\"]"
        if r < 0.93:
            return rnd.choice([f"length(device.model) > {rnd.randint(9, 10)}",
                               "starts_with(device.model, \"iPhone\")",
                               f"abs({f} - {rnd.choice(numeric)}) > {rnd.randint(90, 110)}",
                               f"coalesce(credit.bureau_score, 600) < {rnd.randint(10, 30)}",
                               f"min({f}, {rnd.choice(numeric)}) >= {rnd.randint(80, 100)}"])
        return f"safe_div({f}, {rnd.choice(numeric)}) > {rnd.uniform(3, 8):.2f}"

    def cond(depth=0):
        """A rule is a conjunction; its parts may be atoms or small and/or groups."""
        r = rnd.random()
        if depth >= 2 or (depth and r < 0.6) or (not depth and r < 0.2):
            return cmp()
        joiner = " and " if depth == 0 or r < 0.8 else " or "
        body = joiner.join(cond(depth + 1) for _ in range(rnd.randint(2, 3)))
        return f"({body})"

    rules = []
    for i in range(N_RULES):
        kind = rnd.random()
        r = {"id": f"R-{i:04d}", "name": f"generated rule {i}", "when": cond()}
        if kind < 0.3:
            r["action"], r["reason"] = "decline", f"REASON_{i % 97}"
        elif kind < 0.7:
            r["action"], r["reason"] = "review", f"REASON_{i % 97}"
        else:
            r["score"] = rnd.randint(1, 30)
        if rnd.random() < 0.05:
            r["status"] = "shadow"
        rules.append(r)
    return {"ruleset": "generated1000", "version": "1.0.0", "schema": schema_yaml(), "lists": lists,
            "features": features, "rules": rules,
            "decision": {"policy": "worst", "score": "rules.score", "default": "approve"}}


def generate_input(rnd: random.Random) -> dict:
    def value(name, t):
        if t.endswith("?") and rnd.random() < 0.2:
            return None
        t = t.rstrip("?")
        if t == "int":
            return rnd.randint(0, 120)
        if t == "number":
            return round(rnd.uniform(0, 120), 2)
        if t == "bool":
            return rnd.random() < 0.2
        if t == "enum":
            return rnd.choice(ENUMS[name])
        if name == "model":
            return rnd.choice(MODELS)
        return rnd.choice(PROVINCES + ["深圳", "东莞"] if name == "city" else PROVINCES)
    return {o: {f: value(f, t) for f, t in fs.items()} for o, fs in SCHEMA.items()}


def main() -> int:
    against = None
    if "--against" in sys.argv:  # C.parse_args knows only --quick
        i = sys.argv.index("--against")
        against = Path(sys.argv[i + 1]).resolve()
        del sys.argv[i:i + 2]
    args = C.parse_args(__doc__.splitlines()[0])
    C.wait_for_parser()
    with tempfile.TemporaryDirectory(prefix="rr-bench-compile-") as tmp:
        if against is not None:
            compare_loads(against, Path(tmp), 5 if args.quick else 11)
        return run(args, Path(tmp))


# A child process: imports riskrules from the checkout argv[1], loads the small ruleset
# (imports, grammar), then one Engine.load of argv[2] per line on stdin: "wall cpu".
_CHILD = """
import gc, sys, time
sys.path.insert(0, sys.argv[1])
from riskrules import Engine
Engine.load(sys.argv[3])
for _ in sys.stdin:
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    Engine.load(sys.argv[2])
    print(time.perf_counter() - w, time.process_time() - c, flush=True)
"""


def compare_loads(other: Path, tmp: Path, rounds: int) -> None:
    """Engine.load of the 1,000 rules by this checkout and by ``other``, taking turns."""
    path, small = tmp / "generated1000.yaml", tmp / "small.yaml"
    write_rulesets(path, small)
    trees = {"this checkout": C.ROOT, f"{other}": other}
    procs = {name: subprocess.Popen([sys.executable, "-c", _CHILD, str(root), str(path), str(small)],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for name, root in trees.items()}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    try:
        for i in range(rounds + 1):  # the first round warms up
            for name, proc in procs.items():
                proc.stdin.write("\n")
                proc.stdin.flush()
                wall, cpu = map(float, proc.stdout.readline().split())
                if i:
                    times[name].append((wall, cpu))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    ours, theirs = (times[n] for n in trees)
    rows = []
    for k, what in ((0, "wall"), (1, "CPU")):
        a, b = [t[k] for t in ours], [t[k] for t in theirs]
        rows += [[f"Engine.load, {what}: this checkout", f"{C.median(a) * 1000:,.0f} ms", C.spread(a),
                  f"{C.median(a) / C.median(b):.2f}x"],
                 [f"  {other}", f"{C.median(b) * 1000:,.0f} ms", C.spread(b), "1.00x"]]
    C.print_table(f"Engine.load of 1,000 rules, two checkouts taking turns, median of {rounds} — {C.environment()}",
                  ["what", "median", "±IQR/2", "vs baseline"], rows)


def write_rulesets(path: Path, small: Path) -> dict:
    """The generated ruleset at ``path``, its first 3 rules at ``small``; returns the document."""
    doc = generate_ruleset()
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    small.write_text(yaml.safe_dump(dict(doc, rules=doc["rules"][:3]), allow_unicode=True, sort_keys=False),
                     encoding="utf-8")
    return doc


def run(args, tmp: Path) -> int:
    from riskrules import Engine
    from riskrules.dsl.loader import load_ruleset
    from riskrules.engine.check import check
    from riskrules.engine.runtime import _Loaded

    loads = 3 if args.quick else 5
    now = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)
    path, small = tmp / "generated1000.yaml", tmp / "small.yaml"
    doc = write_rulesets(path, small)
    Engine.load(small)  # imports, grammar and registry set-up are not the ruleset's cost

    # memory first, in a process that has loaded nothing big yet
    gc.collect()
    rss0 = C.rss_bytes()
    engine = Engine.load(path)
    gc.collect()
    rss_delta = C.rss_bytes() - rss0
    del engine
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    engine = Engine.load(path)
    gc.collect()
    after = tracemalloc.take_snapshot()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    retained = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del before, after

    # load time, and the three stages on their own
    totals, stages = [], {"parse": [], "check": [], "compile": []}
    for i in range(loads):
        engine = None
        gc.collect()
        t0 = time.perf_counter()
        engine = Engine.load(path)
        totals.append(time.perf_counter() - t0)
        if args.quick and i:
            continue
        t0 = time.perf_counter()
        rs = load_ruleset(path)
        t1 = time.perf_counter()
        prog, _diags = check(rs)
        t2 = time.perf_counter()
        _Loaded(prog, [], False)
        t3 = time.perf_counter()
        for k, v in zip(stages, (t1 - t0, t2 - t1, t3 - t2)):
            stages[k].append(v)

    rnd = random.Random(5)
    inputs = [generate_input(rnd) for _ in range(200 if args.quick else 500)]
    fired = [len(engine.decide(x, now=now).fired) for x in inputs]
    samples = C.measure({"decide()": lambda x: engine.decide(x, now=now)}, inputs, 5 if args.quick else 9)
    per_decision = C.median(samples["decide()"])

    n_active = len(engine.program.rules)
    load_s = C.median(totals)
    print(f"ruleset: {N_RULES} rules ({n_active} active, {N_RULES - n_active} shadow), "
          f"{sum(len(f) for f in SCHEMA.values())} fields, {N_FEATURES} features, {len(doc['lists'])} lists; "
          f"YAML {path.stat().st_size / 1024:,.0f} KiB, generated Python {len(engine.source) / 1024:,.0f} KiB "
          f"({engine.source.count(chr(10)):,} lines)")
    rows = [["Engine.load (parse + check + compile)", f"{load_s * 1000:,.0f} ms", C.spread(totals), "< 2 s",
             C.verdict(load_s < 2)]]
    rows += [[f"  {k}", f"{C.median(v) * 1000:,.0f} ms", C.spread(v), "", ""] for k, v in stages.items()]
    rows += [["memory kept by the engine (tracemalloc diff)", f"{retained / 2**20:,.1f} MiB", "", "", ""],
             ["  tracemalloc peak during load", f"{peak / 2**20:,.1f} MiB", "", "", ""],
             ["  RSS delta of the first load", f"{rss_delta / 2**20:,.1f} MiB", "", "", ""],
             ["decide() per input", f"{C.us(per_decision)} µs", C.spread(samples["decide()"]), "", ""],
             ["  per active rule", f"{per_decision / n_active:,.0f} ns", "", "", ""],
             ["  rules fired per input (mean)", f"{sum(fired) / len(fired):.1f}", "", "", ""]]
    C.print_table(f"1,000 generated rules — median of {loads} loads — {C.environment()}",
                  ["what", "median", "±IQR/2", "target", ""], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
