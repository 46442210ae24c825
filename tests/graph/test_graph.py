"""The relationship graph: online union-find against scipy components and a networkx
brute force, replay as of each application's time, the simulator's edges, bad input."""
from __future__ import annotations

import random

import networkx as nx
import polars as pl
import pytest

from riskrules.graph import GraphError, RelationshipGraph
from riskrules.graph.batch import build, component_sizes, identifiers, replay


def _random_rows(seed: int, applicants: int = 1500, kinds=("device", "phone", "employer")):
    rng = random.Random(seed)
    rows = []
    for n in range(applicants):
        for kind in kinds:
            if rng.random() < 0.8:
                pool = {"device": applicants // 3, "phone": applicants // 2, "employer": 40}[kind]
                rows.append((f"A{n}", kind, f"{kind[0]}{rng.randrange(pool)}"))
    return pl.DataFrame(rows, schema=["applicant_id", "kind", "value"], orient="row")


def test_online_components_equal_scipys():
    ids = identifiers(_random_rows(1))
    online = build(ids, hub_limit=10_000)
    sizes = component_sizes(ids)
    assert {a: online.features(a).component_size for a in sizes} == sizes


def _brute(rows: pl.DataFrame, bad: set, applicant: str):
    """Two links by a plain breadth-first walk over networkx's bipartite graph."""
    g = nx.Graph()
    for a, kind, value in rows.iter_rows():
        g.add_edge(("a", a), ("i", kind, value))
    me = ("a", applicant)
    if me not in g:
        return 0, 0, 0
    within = {n for n, d in nx.single_source_shortest_path_length(g, me, cutoff=4).items() if n[0] == "a" and n != me}
    shared = sum(1 for i in g[me] if any(m[0] == "a" and m != me and m[1] in bad for m in g[i]))
    return len(within), sum(1 for n in within if n[1] in bad), shared


def test_two_link_neighbourhoods_equal_a_brute_force():
    rows = _random_rows(2, applicants=300, kinds=("device", "phone"))
    ids = identifiers(rows)
    bad = {f"A{n}" for n in range(0, 300, 17)}
    g = build(ids, {a: "bad" for a in bad}, hub_limit=10_000)
    for n in range(0, 300, 7):
        f = g.features(f"A{n}")
        assert (f.neighbours_2hop, f.bad_2hop, f.shared_with_bad) == _brute(ids.rows, bad, f"A{n}")


def test_replay_is_as_of_each_application_and_order_free():
    apps = pl.DataFrame({"applicant_id": ["r1", "r2", "r3", "x"], "at": [1, 2, 3, 4]})
    rows = pl.DataFrame({"applicant_id": ["r1", "r2", "r3", "x"], "kind": ["device"] * 3 + ["phone"],
                         "value": ["D", "D", "D", "P"]})
    statuses = pl.DataFrame({"applicant_id": ["r1"], "status": ["bad"], "at": [2]})
    got = replay(apps, identifiers(rows), statuses=statuses)
    assert got["component_size"].to_list() == [1, 2, 3, 1]
    # r2 applied at the instant r1 turned bad: applications come first at equal times
    assert got["joins_bad_component"].to_list() == [False, False, True, False]
    assert got["bad_2hop"].to_list() == [0, 0, 1, 0]
    shuffled = replay(apps.reverse(), identifiers(rows.reverse()), statuses=statuses)
    assert shuffled.sort("applicant_id").equals(got.sort("applicant_id"))


def test_the_simulators_edges_find_its_ring(tmp_path):
    from riskrules.sim import simulate

    book = simulate(7, 2000, tmp_path)
    edges = pl.read_parquet(book.paths["edges"])
    truth = pl.read_parquet(book.paths["truth"])
    ids = identifiers(edges, src="src", dst="dst")
    g = build(ids)
    ring = truth.filter(pl.col("pattern") == "ring_shared_device")["applicant_id"].to_list()
    assert ring and all(g.features(a).sharing.get("device", 0) >= 3 for a in ring)
    assert component_sizes(ids) == {a: g.features(a).component_size for a in component_sizes(ids)}


def test_self_loops_and_repeats_change_nothing():
    g = RelationshipGraph()
    g.add("a", [("device", "D"), ("device", "D")])
    again = g.add("a", [("device", " D ")])
    assert (again.component_size, again.max_sharing, again.neighbours_2hop) == (1, 1, 0)
    edges = pl.DataFrame({"src": ["a"], "dst": ["a"], "kind": ["device"], "value": ["D"]})
    assert component_sizes(identifiers(edges, src="src", dst="dst")) == {"a": 1}


def test_hubs_are_skipped_for_neighbourhoods_and_say_so():
    g = RelationshipGraph(hub_limit=3)
    for n in range(10):
        g.add(f"a{n}", [("ip", "1.2.3.4")])
    f = g.features("a0")
    assert f.component_size == 10 and f.neighbours_2hop == 0 and f.truncated and f.max_sharing == 10


@pytest.mark.parametrize("make, message", [
    (lambda g: g.add("a", [("horoscope", "leo")]), "unknown identifier kind 'horoscope'"),
    (lambda g: g.add("a", [("device", "")]), "empty identifier"),
    (lambda g: g.add("a", [("device", None)]), "needs a value"),
    (lambda g: g.add("a", [("device", "x" * 10_000)]), "10000 characters"),
    (lambda g: g.add(None, [("device", "D")]), "needs an applicant id"),
    (lambda g: g.mark("a", "evil"), "unknown status 'evil'"),
])
def test_bad_input(make, message):
    with pytest.raises(GraphError, match=message):
        make(RelationshipGraph())


def test_bad_tables():
    rows = pl.DataFrame({"applicant_id": ["a", "b", "c"], "kind": ["device", "zodiac", "device"],
                         "value": ["D", "x", None]})
    with pytest.raises(GraphError, match=r"unknown identifier kinds: 'zodiac' \(1 rows\)"):
        identifiers(rows)
    ok = identifiers(rows.filter(pl.col("kind") == "device"))
    assert ok.dropped_empty == 1 and ok.rows.height == 1
    with pytest.raises(GraphError, match="no column 'person'"):
        identifiers(rows, applicant="person")
    with pytest.raises(GraphError, match="needs a time"):
        replay(pl.DataFrame({"applicant_id": ["a"], "at": [None]}), ok)
