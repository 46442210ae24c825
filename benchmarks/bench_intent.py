"""Message intent: macro-F1 on a held-out split and classify() latency per message.

Trains on a stratified 80 % of the shipped corpus (fixed seed), classifies the other
20 % and prints macro-F1 (target >= 0.85) beside a lexicon-vote baseline, per-intent
F1, the confusion matrix, and the p50 / p95 latency of ``classify`` per held-out
message (target p95 <= 5 ms; after a warm-up call that loads jieba's dictionary; the
garbage collector paused while timing, as timeit does). Wall time, this thread's CPU
time and each message's best wall time over the repeats are reported: on a shared,
loaded machine the plain wall p95 is mostly time spent waiting for a core.

    PYTHONPATH=$PWD python benchmarks/bench_intent.py
    PYTHONPATH=$PWD python benchmarks/bench_intent.py --splits 5 --repeat 5
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

from riskrules.text import classify
from riskrules.text.evaluate import held_out_report
from riskrules.text.train import load_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--splits", type=int, default=0,
                        help="also report macro-F1 over this many further random 80/20 splits")
    parser.add_argument("--repeat", type=int, default=3, help="latency passes over the held-out set")
    args = parser.parse_args()
    report = held_out_report(load_corpus(), seed=args.seed)
    print(f"corpus {report.rows} rows, train {report.train_rows}, held out {len(report.test)}")
    print(f"macro-F1 (held out) {report.macro_f1:.3f}   subtype accuracy {report.subtype_accuracy:.3f}")
    print(f"baseline in the same run, lexicon vote alone (most un-negated cues): macro-F1 "
          f"{report.lexicon_only_f1:.3f}")
    for label, f1 in report.per_class_f1.items():
        print(f"  {label:<15} F1 {f1:.3f}")
    print("confusion (rows: truth, columns: predicted)")
    width = max(len(c) for c in report.classes)
    print(" " * (width + 1) + " ".join(f"{c[:6]:>6}" for c in report.classes))
    for label, row in zip(report.classes, report.confusion):
        print(f"{label:<{width}} " + " ".join(f"{n:>6}" for n in row))
    if args.splits:
        scores = [held_out_report(load_corpus(), seed=args.seed + i).macro_f1
                  for i in range(1, args.splits + 1)]
        print(f"macro-F1 over {args.splits} further splits: min {min(scores):.3f}  "
              f"mean {statistics.mean(scores):.3f}  max {max(scores):.3f}")
    texts = [r["text"] for r in report.test]
    classify("我明天还", model=report.model)  # loads jieba's dictionary once
    timings, cpu = [], []
    best = [float("inf")] * len(texts)
    gc.collect()
    gc.disable()  # as timeit does: a collection pause is the process's, not classify's
    for _ in range(args.repeat):
        for i, text in enumerate(texts):
            start, start_cpu = time.perf_counter(), time.thread_time()
            classify(text, model=report.model)
            elapsed = (time.perf_counter() - start) * 1000
            timings.append(elapsed)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            best[i] = min(best[i], elapsed)
    gc.enable()
    for name, values in (("wall", timings), ("cpu", cpu), (f"wall, best of {args.repeat} per message", best)):
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"classify {name} time over {len(values)} values: p50 {statistics.median(values):.3f} ms"
              f"  p95 {p95:.3f} ms  max {values[-1]:.3f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time includes "
          "waiting for a core; cpu time is this thread's own)")


if __name__ == "__main__":
    main()
