"""Random decision tables under every hit policy: generated code, interpreter and batch agree.

Cells are drawn from every form (comparisons, ranges, value lists, several tests,
``not(...)``, ``is missing``) over a required, an optional int and an optional
number; outputs may be missing, so list policies must keep their lists aligned.
A table the checker rejects (an overlap it can prove under unique or any) is skipped.
"""
from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from riskrules.dsl.diagnostics import RulesetError
from riskrules.engine.batch import decide_frame

from .helpers import engine_from

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
SCHEMA = {"a": {"i": "int", "j": "int?", "x": "number?"}}
CELLS = ["-", "< 0", ">= 1", "[0..2]", "(-1..1)", "1, 2", "not(0)", "< -1, > 1", "not(< 0, > 2)", "is missing",
         "0, is missing", "not([0..1], 3)", "not(is missing)", "!= 1", "[..0), (2..]"]
TIERS = [1, 2, 3, None]
WEIGHTS = ["a.x", "a.i", "1.5", None, "a.j * 2"]

rows = st.lists(st.tuples(st.lists(st.sampled_from(CELLS), min_size=2, max_size=2),
                          st.sampled_from(TIERS), st.sampled_from(WEIGHTS)), min_size=1, max_size=6)
values = st.one_of(st.none(), st.integers(-3, 3))
inputs = st.fixed_dictionaries({"a": st.fixed_dictionaries({
    "i": st.integers(-3, 3), "j": values, "x": st.one_of(st.none(), st.integers(-3, 3).map(float))})})
TABLE_INPUTS = [["a.i", "a.j"], ["a.j", "a.x"], ["a.x", "a.i"]]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(hit=st.sampled_from(["unique", "any", "first", "priority", "rule_order", "output_order", "collect"]),
       aggregate=st.sampled_from([None, None, "sum", "min", "max", "count"]), rows=rows,
       ins=st.sampled_from(TABLE_INPUTS), default=st.booleans(), data=st.lists(inputs, min_size=1, max_size=10))
def test_backends_agree_on_tables(tmp_path_factory, hit, aggregate, rows, ins, default, data):
    table = {"hit": hit, "inputs": ins, "rows": [{"when": cells, "then": [tier, w]} for cells, tier, w in rows],
             "outputs": {"tier": {"values": [1, 2, 3]}, "w": None} if hit in ("priority", "output_order") else ["tier", "w"]}
    if hit == "collect" and aggregate is not None:
        table["aggregate"] = aggregate
    if default:
        table["default"] = [3, 0]
    rs = {"ruleset": "tdiff", "version": "1", "schema": SCHEMA, "tables": {"t": table}}
    try:
        engine = engine_from(tmp_path_factory.mktemp("tdiff"), rs)
    except RulesetError as exc:
        assert {d.code for d in exc.diagnostics if d.is_error} <= {"E501", "E504"}, [d.headline() for d in exc.diagnostics]
        assume(False)
    frame = decide_frame(engine, pl.DataFrame(data, schema_overrides={"a": pl.Struct({
        "i": pl.Int64, "j": pl.Int64, "x": pl.Float64})}), now=NOW)
    for row, b in zip(data, frame.iter_rows(named=True)):
        c = engine.decide(row, now=NOW)
        i = engine.decide(row, now=NOW, backend="interpret")
        assert c.to_dict() | {"decision_id": None} == i.to_dict() | {"decision_id": None}, (table, row)
        assert [e["where"] for e in c.errors] == b["errors"], (table, row)
        for out in ("tier", "w"):
            assert c.tables["t"][out] == b[f"table:t.{out}"], (table, row, out)
