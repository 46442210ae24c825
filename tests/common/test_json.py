"""The one JSON policy (riskrules/_common/json.py): each row is a value and the JSON
text every writer in riskrules gives it; the fast path and the walk must agree."""
from __future__ import annotations

import collections
import datetime as dt
import enum
import json
import types
from decimal import Decimal
from pathlib import PurePosixPath

import numpy as np
import pytest

from riskrules._common.json import dumps, to_jsonable

UTC = dt.timezone.utc
CST = dt.timezone(dt.timedelta(hours=8))


class Colour(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


Point = collections.namedtuple("Point", "x y")

CASES = [
    # plain values stay themselves
    ("text", "中文", '"中文"'),
    ("int", 42, "42"),
    ("float", 0.1, "0.1"),
    ("bool", True, "true"),
    ("none", None, "null"),
    # no NaN or infinities in JSON: a missing number
    ("nan", float("nan"), "null"),
    ("inf", float("inf"), "null"),
    ("-inf", float("-inf"), "null"),
    ("nan inside", {"pd": [0.2, float("nan")]}, '{"pd": [0.2, null]}'),
    # exact money
    ("decimal", Decimal("1234.50"), '"1234.50"'),
    ("decimal exponent", Decimal("1E+2"), '"100"'),  # digits, never exponent form
    ("decimal tiny", Decimal("0E-8"), '"0.00000000"'),
    ("decimal negative zero", Decimal("-0.00"), '"-0.00"'),
    ("decimal nan", Decimal("NaN"), "null"),
    ("decimal inf", Decimal("-Infinity"), "null"),
    # time
    ("naive datetime is UTC", dt.datetime(2026, 3, 1, 9, 30), '"2026-03-01T09:30:00+00:00"'),
    ("aware datetime keeps its offset", dt.datetime(2026, 3, 1, 9, 30, tzinfo=CST), '"2026-03-01T09:30:00+08:00"'),
    ("utc datetime", dt.datetime(2026, 3, 1, tzinfo=UTC), '"2026-03-01T00:00:00+00:00"'),
    ("date", dt.date(2026, 3, 1), '"2026-03-01"'),
    ("time", dt.time(9, 30), '"09:30:00"'),
    ("timedelta", dt.timedelta(minutes=90), "5400.0"),
    ("negative timedelta", dt.timedelta(days=-1), "-86400.0"),
    # keys as json.dumps spells them
    ("bool and none keys", {True: 1, False: 2, None: 3}, '{"true": 1, "false": 2, "null": 3}'),
    ("number keys", {7: "a", 1.5: "b"}, '{"7": "a", "1.5": "b"}'),
    ("nan and inf keys", {float("nan"): 1, float("inf"): 2, float("-inf"): 3},
     '{"NaN": 1, "Infinity": 2, "-Infinity": 3}'),
    ("date and decimal keys", {dt.date(2026, 3, 1): 1, Decimal("0.5"): 2}, '{"2026-03-01": 1, "0.5": 2}'),
    ("naive datetime key", {dt.datetime(2026, 3, 1): 1}, '{"2026-03-01T00:00:00+00:00": 1}'),
    ("tuple key", {("a", 1): 1}, '{"(\'a\', 1)": 1}'),
    # containers
    ("tuple", (1, "a"), '[1, "a"]'),
    ("namedtuple", Point(1, 2), "[1, 2]"),
    ("set of numbers", {3, 1, 2}, "[1, 2, 3]"),
    ("set of text", frozenset({"b", "a", "ä"}), '["a", "b", "ä"]'),
    ("mixed set", {"a", 1, None}, '[null, 1, "a"]'),
    ("set of decimals (as text)", {Decimal("10"), Decimal("9")}, '["10", "9"]'),
    ("mapping proxy", types.MappingProxyType({"a": 1}), '{"a": 1}'),
    ("ordered dict", collections.OrderedDict(b=1, a=2), '{"b": 1, "a": 2}'),
    # enums as their values
    ("str enum", {Colour.RED: Colour.RED}, '{"red": "red"}'),
    ("int enum", {Level.HIGH: Level.HIGH}, '{"3": 3}'),
    # numpy scalars and arrays as Python values
    ("numpy int", np.int64(3), "3"),
    ("numpy float", np.float64(0.25), "0.25"),
    ("numpy nan", np.float64("nan"), "null"),
    ("numpy bool", np.bool_(True), "true"),
    ("numpy array", np.array([1, 2]), "[1, 2]"),
    ("numpy key", {np.int64(3): 1}, '{"3": 1}'),
    # file paths as their text
    ("path", PurePosixPath("rulesets/origination"), '"rulesets/origination"'),
]


@pytest.mark.parametrize(("value", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_policy(value, text):
    assert dumps(value) == text
    # the walk gives the same plain values, and the same text, as the fast path
    assert to_jsonable(value) == json.loads(text)
    assert json.dumps(to_jsonable(value), ensure_ascii=False) == text


HUGE = 7 * 10**5000  # past Python's 4,300-digit int-to-text limit


@pytest.mark.parametrize(("value", "expect"), [
    (HUGE, str(Decimal(HUGE))),
    (-HUGE, "-" + str(Decimal(HUGE))),
    ({"n": [HUGE]}, {"n": [str(Decimal(HUGE))]}),
    ({HUGE: 1}, {str(Decimal(HUGE)): 1}),
    (10**4000, 10**4000),  # under the limit: still a number
], ids=["huge", "huge negative", "nested", "key", "long but allowed"])
def test_huge_integers_are_written_as_their_exact_digits(value, expect):
    assert json.loads(dumps(value)) == expect
    assert to_jsonable(value) == expect


def test_huge_integer_digits_are_exact():
    text = json.loads(dumps(HUGE))
    assert len(text) == 5001 and text[0] == "7" and set(text[1:]) == {"0"}


def test_the_fast_path_and_the_walk_agree_on_a_decision_log_row():
    row = {"id": "d1", "score": 612.5, "tables": {"limit": {"amount": Decimal("5000.00"), "band": "B"}},
           "input": {"applicant": {"age": 34, "born": dt.date(1992, 1, 5)},
                     "application": {"at": dt.datetime(2026, 3, 1, 9, tzinfo=UTC), "tags": ("new", "web")}}}
    assert dumps(row) == json.dumps(to_jsonable(row), ensure_ascii=False)


def test_options():
    assert dumps({"b": 1, "a": [1]}, indent=1, sort_keys=True) == '{\n "a": [\n  1\n ],\n "b": 1\n}'


@pytest.mark.parametrize("value", [object(), {"x": b"bytes"}, [1, {2, 3j}]], ids=["object", "bytes", "complex"])
def test_a_value_the_policy_cannot_spell_is_a_type_error(value):
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps(value)
    with pytest.raises(TypeError, match="not JSON serializable"):
        to_jsonable(value)


def test_a_value_that_contains_itself_is_a_value_error_not_a_crash():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nested too deeply"):
        dumps(loop)
