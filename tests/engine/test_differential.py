"""Random expressions and inputs: generated code, interpreter and batch must agree.

Expressions are built as fully parenthesised text over a small schema with
optional fields (missing values), divisions (faults), lists, enums and dates;
inputs are drawn with missing values. Every backend must give the same
outcome, fired rules, errors and reasons.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskrules.engine.batch import decide_frame

from .helpers import engine_from

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
SCHEMA = {"a": {"i": "int", "j": "int?", "x": "number?", "y": "number", "s": "string?",
                "e": "enum(red, green, blue)", "flag": "bool?", "d": "date?"}}

ints = st.one_of(st.sampled_from(["a.i", "a.j"]), st.integers(-5, 5).map(str))
nums = st.one_of(ints, st.sampled_from(["a.x", "a.y", "0.5", "2.5"]))


def num_expr():
    return st.recursive(
        nums,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
            st.tuples(bool_leaf, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
            inner.map(lambda x: f"abs({x})"),
        ),
        max_leaves=6,
    )


bool_leaf = st.one_of(
    st.tuples(nums, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), nums).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    st.sampled_from(["a.x is missing", "a.s is present", "a.flag", 'a.e in ["red", "blue"]', 'a.e not in ["green"]',
                     "a.i between -2 and 3", 'lower(a.s) == "ab"', "a.d is missing", "today() - a.d > 30d", "a.j > 0",
                     'starts_with(a.s, "a")', "a.i in [1, 2, 3]", "a.j not in [0, 1]"]),
)


def bool_expr():
    return st.recursive(
        st.one_of(bool_leaf, st.tuples(num_expr(), st.sampled_from(["<", ">", "=="]), nums)
                  .map(lambda t: f"({t[0]} {t[1]} {t[2]})")),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda x: f"(not {x})"),
        ),
        max_leaves=5,
    )


inputs = st.fixed_dictionaries({"a": st.fixed_dictionaries({
    "i": st.integers(-3, 3), "j": st.one_of(st.none(), st.integers(-3, 3)),
    "x": st.one_of(st.none(), st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 1)), st.just(0.0)),
    "y": st.sampled_from([0.0, 1.0, -1.5, 2.0]), "s": st.one_of(st.none(), st.sampled_from(["ab", "AB", "b", ""])),
    "e": st.sampled_from(["red", "green", "blue"]), "flag": st.one_of(st.none(), st.booleans()),
    "d": st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31)).map(str)),
})})

ACTIONS = ["decline", "review", "approve", None]
STATUSES = ["active", "active", "shadow"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(conds=st.lists(bool_expr(), min_size=1, max_size=5), actions=st.lists(st.sampled_from(ACTIONS), min_size=5, max_size=5),
       statuses=st.lists(st.sampled_from(STATUSES), min_size=5, max_size=5),
       policy=st.sampled_from(["worst", "first_match", "score"]), rows=st.lists(inputs, min_size=1, max_size=12))
def test_backends_agree(tmp_path_factory, conds, actions, statuses, policy, rows):
    tmp = tmp_path_factory.mktemp("diff")
    rules = []
    for k, c in enumerate(conds):
        r = {"id": f"R{k}", "when": c, "score": k + 1, "reason": f"C{k}", "status": statuses[k]}
        if actions[k]:
            r["action"] = actions[k]
        rules.append(r)
    rs = {"ruleset": "diff", "version": "1", "schema": SCHEMA, "rules": rules,
          "decision": {"policy": policy, "score": "rules.score * 2",
                       **({"bands": [{"min": 6, "outcome": "decline", "reason": "HIGH"}, {"min": 2, "outcome": "review"},
                                     {"outcome": "approve"}]} if policy == "score" else {})},
          "tables": {"t": {"hit": "collect", "aggregate": "sum", "inputs": ["a.i", "a.x"], "outputs": ["v"],
                           "rows": [{"when": ["> 0", "-"], "then": ["a.i * 2"]}, {"when": ["-", "< 1"], "then": [1]}],
                           "default": ["10 / a.y"]},
                     # first hit: a faulting cell or output counts only where its row is reached
                     "f": {"hit": "first", "inputs": ["a.i", "a.x"], "outputs": ["v"],
                           "rows": [{"when": ["> 2", "-"], "then": [7]},
                                    {"when": ["-", "< 10 / a.y"], "then": ["a.i * 2"]},
                                    {"when": ["< 0", "-"], "then": ["100 / a.y"]},
                                    {"when": ["-", "> 1"], "then": [5]}],
                           "default": ["10 / a.y"]}}}
    engine = engine_from(tmp, rs)
    batch = decide_frame(engine, pl.DataFrame(rows, schema_overrides={"a": pl.Struct({
        "i": pl.Int64, "j": pl.Int64, "x": pl.Float64, "y": pl.Float64, "s": pl.String, "e": pl.String,
        "flag": pl.Boolean, "d": pl.String})}), now=NOW)
    for row, b in zip(rows, batch.iter_rows(named=True)):
        c = engine.decide(row, now=NOW)
        i = engine.decide(row, now=NOW, backend="interpret")
        for d in (c, i):
            assert d.outcome == b["outcome"], (conds, row)
            assert list(d.fired) == b["fired"], (conds, row)
            assert [e["where"] for e in d.errors] == b["errors"], (conds, row)
            assert d.reason_codes == b["reasons"], (conds, row)
            assert (d.score is None and b["score"] is None) or abs(d.score - b["score"]) < 1e-9
            assert list(d.shadow_fired) == b["shadow_fired"], (conds, row)
            assert d.tables["t"]["v"] == b["table:t.v"], (conds, row)
            assert d.tables["f"]["v"] == b["table:f.v"], (conds, row)


# -- exact money ------------------------------------------------------------------------------

MONEY_SCHEMA = {"a": {"i": "int", "m": "decimal", "n": "decimal(3)?"}}
MODES = ["half_up", "half_even", "down", "up", "floor", "ceiling"]
money_leaves = st.sampled_from(["a.m", "a.n", "a.i", "1.5d", "0.125d", "-2.00d", "3", "0"])


def money_expr():
    return st.recursive(
        money_leaves,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.integers(0, 3), st.sampled_from(MODES)).map(lambda t: f'round({t[0]}, {t[1]}, "{t[2]}")'),
            st.tuples(inner, inner, st.integers(0, 3), st.sampled_from(MODES))
            .map(lambda t: f'div({t[0]}, {t[1]}, {t[2]}, "{t[3]}")'),
            st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"max({t[0]}, {t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} > {t[1]} then {t[1]} else {t[2]})"),
            inner.map(lambda x: f"abs({x})"),
            inner.map(lambda x: f"-{x}"),
        ),
        max_leaves=5,
    )


amounts = st.one_of(st.decimals(-1000, 1000, places=2).map(str), st.sampled_from(["0.00", "99999999999999999999.99", "999999999999999999999999999999999999.99",
                                                                             "-999999999999999999.99"]))
money_inputs = st.fixed_dictionaries({"a": st.fixed_dictionaries({
    "i": st.integers(-3, 3), "m": amounts,
    "n": st.one_of(st.none(), st.decimals(-10, 10, places=3).map(str)),
})})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(value=money_expr(), other=money_expr(), rows=st.lists(money_inputs, min_size=1, max_size=8))
def test_backends_agree_on_money(tmp_path_factory, value, other, rows):
    """Amounts: the same digits (the scale too), the same faults, in every backend."""
    rs = {"ruleset": "money_diff", "version": "1", "schema": MONEY_SCHEMA,
          "rules": [{"id": "R0", "when": f"{value} > {other}", "action": "review"}],
          "tables": {"t": {"hit": "first", "inputs": ["a.i"], "outputs": ["v"],
                           "rows": [{"when": ["-"], "then": [value]}]}}}
    engine = engine_from(tmp_path_factory.mktemp("money"), rs)
    batch = decide_frame(engine, pl.DataFrame(rows, schema_overrides={"a": pl.Struct({
        "i": pl.Int64, "m": pl.String, "n": pl.String})}), now=NOW)
    for row, b in zip(rows, batch.iter_rows(named=True)):
        for backend in ("codegen", "interpret"):
            d = engine.decide(row, now=NOW, backend=backend)
            assert list(d.fired) == b["fired"], (value, other, row)
            assert [e["where"] for e in d.errors] == b["errors"], (value, other, row)
            got = b["table:t.v"]
            assert d.to_dict()["tables"]["t"]["v"] == (format(got, "f") if isinstance(got, Decimal) else got), (value, row)
