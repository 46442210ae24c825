"""decide() alone vs decide() + the decision log's submit, in the same run.

The claim under test: logging every decision never slows ``decide()``. The
service thread only puts a reference on a bounded queue
(``DecisionLog.submit``); serialising and writing happen on the log's own thread.
Three implementations take turns over the shipped samples:

* ``decide``           — ``engine.decide(app)`` alone;
* ``decide+submit``    — the same, then ``log.submit(decision, app)`` into a log
  writing to a SQLite file (WAL), batch 1,000, queue bound 1,000,000;
* ``decide+intake``    — ``intake.process`` (log + unexplained check), cases included.

* ``submit alone``     — ``log.submit`` of already-made decisions: the enqueue itself.

The log is drained (untimed) after every pass, so a pass never pays for the one
before it. During a pass the writer thread serialises and writes concurrently and
competes for the interpreter lock: the ``decide+submit`` figure is the cost the
caller sees while the log is busy, which is the honest one; ``submit alone``
shows that the enqueue itself is a fraction of a microsecond-scale decision. The
drain rate (decisions written per second by the writer) is reported too, and
the script checks that nothing was dropped.

    python benchmarks/bench_intake.py [--quick]
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import time
import tempfile
from pathlib import Path

import _common as C

RULESET = C.ROOT / "rulesets" / "origination" / "ruleset.yaml"
SAMPLES = C.ROOT / "rulesets" / "origination" / "samples" / "applications.jsonl"
NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    from riskrules import Engine
    from riskrules.review.intake import DecisionLog, Intake
    from riskrules.review.store import Store

    engine = Engine.load(RULESET)
    apps = [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    rounds = 11 if args.quick else 31
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        log = DecisionLog(store, max_queue=1_000_000)
        intake_log = DecisionLog(store, max_queue=1_000_000)
        intake = Intake(engine, store, log=intake_log)

        def decide(app):
            return engine.decide(app, now=NOW)

        def decide_submit(app):
            d = engine.decide(app, now=NOW)
            log.submit(d, app)
            return d

        def decide_intake(app):
            d = engine.decide(app, now=NOW)
            intake.process(d, app)
            return d

        def submit_alone(pair):
            log.submit(*pair)

        def fresh():  # decisions made (untimed) before the pass: each id is logged once
            return [(decide(app), app) for app in apps]

        impls = {"decide": (decide, lambda: apps), "decide+submit": (decide_submit, lambda: apps),
                 "decide+intake": (decide_intake, lambda: apps), "submit alone": (submit_alone, fresh)}
        samples = {name: [] for name in impls}
        drained, drain_s = 0, 0.0
        for _ in range(rounds + 1):  # the first round warms up
            for name, (fn, make_inputs) in impls.items():
                inputs = make_inputs()
                gc.collect()
                t = C.time_pass(fn, inputs)
                t0 = time.perf_counter()
                log.flush()
                intake_log.flush()
                if name != "decide":
                    drain_s += time.perf_counter() - t0
                    drained += len(inputs)
                samples[name].append(t)
        samples = {name: s[1:] for name, s in samples.items()}
        assert all(s.dropped == s.failed == 0 for s in (log.stats, intake_log.stats)), "decisions were lost"
        base = C.median(samples["decide"])
        rows = [[name, C.us(C.median(s)), C.spread(s), f"{C.median(s) / base:.2f}x"] for name, s in samples.items()]
        C.print_table(f"decide() with and without the decision log ({len(apps)} samples, {rounds} rounds)",
                      ["implementation", "median per decision", "±IQR/2", "vs decide"], rows)
        print(f"log drain after the timed passes: {drained / drain_s:,.0f} decisions/s "
              "(the writer's rate once the caller stops)" if drain_s else "")
        stats = [log.close(), intake_log.close()]
        for name, s in zip(("submit", "intake"), stats):
            print(f"{name}: submitted {s.submitted}, written {s.written}, dropped {s.dropped}, failed {s.failed}, "
                  f"cases {s.cases}")
        store.close()
    print(C.environment())


if __name__ == "__main__":
    main()
