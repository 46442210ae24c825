"""Relationship-graph features per event at scale, against a bare union-find in the same run.

Builds a graph of N applicants (default 1,000,000) with five identifiers each (5 M
applicant-identifier edges: device, phone, emergency contact, bank card, employer, drawn
so that devices and contacts are shared by small groups and employers by many), marks 2 %
of applicants bad, then decides 20,000 new applications one at a time: link plus every
feature (component size, sharing, two-link bad counts, shared-with-bad, joins-bad).

Reported: the rebuild time, per-event p50/p99 of riskrules' ``add`` and of a bare
pure-Python union-find doing only the unions of the same event (the floor any
incremental graph pays), and memory (tracemalloc peak and RSS growth).

    python benchmarks/bench_graph.py                 # 1,000,000 applicants
    python benchmarks/bench_graph.py --applicants 100000 --quick
"""
from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
import tracemalloc

from riskrules.graph import RelationshipGraph


def identifiers_of(rng: random.Random, n: int, applicants: int):
    return [("device", f"d{rng.randrange(applicants // 2)}"), ("phone", f"p{n}"),
            ("emergency_contact", f"p{rng.randrange(applicants)}"), ("bank_card", f"c{rng.randrange(applicants)}"),
            ("employer", f"e{rng.randrange(max(applicants // 200, 1))}")]


class BareUnionFind:
    """The floor: dict-based union-find with path halving, no adjacency, no features."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def add(self, applicant, ids):
        a = self.find(applicant)
        for key in ids:
            b = self.find(key)
            if a != b:
                self.parent[b] = a


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applicants", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--quick", action="store_true", help="5,000 events")
    args = ap.parse_args()
    events = 5_000 if args.quick else args.events
    rng = random.Random(1)
    rows = [identifiers_of(rng, n, args.applicants) for n in range(args.applicants)]
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    g = RelationshipGraph()
    for n, ids in enumerate(rows):
        g.link(f"A{n}", ids)
    for n in range(0, args.applicants, 50):
        g.mark(f"A{n}", "bad")
    rebuild = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    bare = BareUnionFind()
    for n, ids in enumerate(rows[: min(200_000, len(rows))]):
        bare.add(f"A{n}", ids)
    new = [identifiers_of(rng, args.applicants + n, args.applicants) for n in range(events)]
    ours, floor = [], []
    clock = time.perf_counter_ns
    for n, ids in enumerate(new):  # interleaved, so load affects both alike
        t = clock()
        g.add(f"N{n}", ids)
        ours.append(clock() - t)
        t = clock()
        bare.add(f"N{n}", ids)
        floor.append(clock() - t)
    print(f"applicants {args.applicants:,}, edges {5 * args.applicants:,}, events {events:,}")
    print(f"rebuild: {rebuild:.1f} s; memory: tracemalloc peak {peak / 2**20:.0f} MiB, RSS +{rss:.0f} MiB "
          f"({peak / args.applicants:.0f} B per applicant)")
    print(f"riskrules add+features: p50 {pct(ours, .5) / 1e3:.1f} us, p99 {pct(ours, .99) / 1e3:.1f} us, "
          f"mean {statistics.fmean(ours) / 1e3:.1f} us")
    print(f"bare union-find:        p50 {pct(floor, .5) / 1e3:.1f} us, p99 {pct(floor, .99) / 1e3:.1f} us")
    print(f"ratio (p99): {pct(ours, .99) / pct(floor, .99):.1f}x the bare unions")


if __name__ == "__main__":
    main()
