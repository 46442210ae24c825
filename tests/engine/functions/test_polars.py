"""The polars form of every builtin agrees with its implementation, row by row.

Rows come from the YAML cases (plus one row per argument with that argument
missing, which must give missing); rows where the implementation faults must be
flagged by ``polars_fault``. Hypothesis then throws random values at the forms
that are easiest to get subtly wrong.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from function_cases import NOW, call_cases
from riskrules.engine.functions import all_builtins, get
from riskrules.engine.functions._common import now_expr

VECTORISED = sorted(n for n, b in all_builtins().items() if b.polars is not None)


def _column(values, item_dtype) -> pl.Series:
    values = [v.astimezone(dt.timezone.utc) if isinstance(v, dt.datetime) else v
              for v in values]
    if any(isinstance(v, list) for v in values):
        return pl.Series(values, dtype=pl.List(item_dtype), strict=False)
    return pl.Series(values, strict=False)


def _list_item_dtype(rows) -> pl.DataType:
    """One item type for every list column, so that set operations line up."""
    items = [x for r in rows for v in r if isinstance(v, list) for x in v if x is not None]
    return pl.Series(items, strict=False).dtype if items else pl.Int64


def _same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300) or got == want
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want))
    return got == want and (want is None) == (got is None)


def agree(name: str, rows: list[list], now=NOW, now_as_column=False) -> None:
    """Assert that polars and the implementation agree on ``rows`` (literals shared)."""
    b = get(name)
    width = len(rows[0])
    item = _list_item_dtype(rows)
    frame = pl.DataFrame({f"a{j}": _column([r[j] for r in rows], item) for j in range(width)})
    if now_as_column:
        frame = frame.with_columns(now=now_expr(now))
    args = [rows[0][j] if j in b.literal_params else pl.col(f"a{j}") for j in range(width)]
    if b.context == "now":
        args = [pl.col("now") if now_as_column else now, *args]
    value, fault = b.polars_checked(*args)
    exprs = [value.alias("value")] + ([fault.alias("fault")] if fault is not None else [])
    out = frame.select(exprs).to_dicts()
    for row, got in zip(rows, out):
        try:
            want = b.call(row, now=now)
        except (ValueError, ArithmeticError):
            assert got.get("fault") is True, f"{name}{tuple(row)} faults, polars does not"
            continue
        assert not got.get("fault"), f"{name}{tuple(row)} flagged as a fault"
        assert _same(got["value"], want), f"{name}{tuple(row)}: polars {got['value']!r}, impl {want!r}"


def _kind(value) -> str:
    """Values that can share a polars column (ints and floats do)."""
    if isinstance(value, list):
        return "list:" + ",".join(sorted({_kind(v) for v in value}))
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else type(value).__name__


def _groups(name):
    b = get(name)
    groups = defaultdict(list)
    for case in call_cases():
        # a decimal argument always runs per row in batch (engine/batch/nodes.py): exact money has no polars form here
        if case["fn"] == name and not any(isinstance(a, Decimal) for a in case["args"]):
            kinds = tuple(_kind(a) for a in case["args"])
            key = (kinds, repr([case["args"][i] for i in b.literal_params if i < len(case["args"])]), case["now"])
            groups[key].append(case["args"])
    return groups


@pytest.mark.parametrize("name", VECTORISED)
def test_polars_agrees_with_impl(name):
    b = get(name)
    groups = _groups(name)
    if not groups and not b.params:
        groups[(0, "", NOW)] = [[]]
    assert groups, f"{name} has a polars form but no cases"
    for (_, _, now), rows in groups.items():
        rows = [list(r) for r in rows]
        for j in range(len(rows[0])):
            if j not in b.literal_params:
                rows.append([None if k == j else v for k, v in enumerate(rows[0])])
        agree(name, rows, now)
        if b.context == "now":
            agree(name, rows, now, now_as_column=True)


# -- random values --------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
texts = st.text(alphabet=st.sampled_from("ab张三 \u3000-1"), max_size=8)
ints = st.integers(-12, 12)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
zones = st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York"])


@SETTINGS
@given(st.lists(st.tuples(texts, ints, st.integers(0, 10)), min_size=1, max_size=20))
def test_random_substr_and_mask(rows):
    agree("substr", [list(r) for r in rows])
    agree("mask", [[s, n] for s, _, n in rows])
    agree("trim", [[s] for s, _, _ in rows])


@SETTINGS
@given(st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=30), st.integers(0, 6))
def test_random_round(xs, digits):
    agree("round", [[x, digits] for x in xs])
    agree("floor", [[x] for x in xs])
    agree("logistic", [[x / 1e7] for x in xs])


@SETTINGS
@given(st.lists(st.tuples(dates, st.integers(-40, 40)), min_size=1, max_size=20),
       st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)), zones)
def test_random_calendar(rows, naive_now, zone):
    import zoneinfo

    now = naive_now.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    for name in ("years_since", "months_since", "days_since"):
        agree(name, [[d] for d, _ in rows], now)
        agree(name, [[dt.datetime.combine(d, dt.time(23, 30), dt.timezone.utc)] for d, _ in rows],
              now, now_as_column=True)
    agree("add_months", [list(r) for r in rows])
    agree("hour_of", [[dt.datetime.combine(d, dt.time(n % 24), dt.timezone.utc), zone]
                      for d, n in rows])


@SETTINGS
@given(st.lists(st.text(alphabet=st.sampled_from("0123456789Xx"), min_size=17, max_size=19),
                min_size=1, max_size=20))
def test_random_id_numbers(ids):
    ids += ["11010519491231002X", "440304200802291234"]
    for name in ("cn_id_valid", "cn_id_gender", "cn_id_birth_date"):
        agree(name, [[s] for s in ids])


@SETTINGS
@given(st.lists(st.text(alphabet=st.sampled_from("ab1]-[^.\n张"), max_size=6),
                min_size=1, max_size=10),
       st.sampled_from(["a+", "^a", "b$", "[^a]", "[]a]", "张.", "a|b1", "(a)(b)?",
                        "[a-z]{2,}", r"\.", "x*"]))
def test_random_regex(strings, pattern):
    for name in ("matches", "full_match"):
        agree(name, [[s, pattern] for s in strings])
    agree("regex_extract", [[s, pattern, 0] for s in strings])
