"""Every YAML case, run against the reference semantics of each builtin."""
from __future__ import annotations

import math
from decimal import Decimal

import pytest

from function_cases import call_cases, validate_cases
from riskrules.engine.functions import get

CALLS = call_cases()


@pytest.mark.parametrize("case", CALLS, ids=[c["id"] for c in CALLS])
def test_call(case):
    b = get(case["fn"])
    assert b is not None, f"no builtin {case['fn']}"
    for i in (i for i in b.literal_params if i < len(case["args"])):
        assert b.validate is None or b.validate({i: case["args"][i]}) is None or (
            b.validate(dict(enumerate(case["args"]))) is None
        ), "a call case must use valid literals"
    if case.get("error"):
        with pytest.raises((ValueError, ArithmeticError)):
            b.call(case["args"], now=case["now"])
        return
    got = b.call(case["args"], now=case["now"])
    if "approx" in case:
        assert got == pytest.approx(case["approx"], rel=1e-6, abs=1e-6)
    else:
        assert same(got, case["expected"]), f"{got!r} != {case['expected']!r}"


def same(got, expected) -> bool:
    """Equal, and of the same kind: an int result is not 3.0, a bool is not 1."""
    if isinstance(expected, float):
        return isinstance(got, float) and got == expected
    if isinstance(expected, Decimal):  # the digits after the point too: 12.50 is not 12.5
        return type(got) is Decimal and str(got) == str(expected)
    return type(got) is type(expected) and got == expected


VALIDATIONS = validate_cases()


@pytest.mark.parametrize("case", VALIDATIONS, ids=[c["id"] for c in VALIDATIONS])
def test_validate(case):
    b = get(case["fn"])
    assert b.validate is not None and set(case["literals"]) <= set(b.literal_params)
    literals = dict(case["literals"])
    if b.name == "regex_extract" and 1 not in literals:
        literals[1] = "(a)"
    error = b.validate(literals)
    if case["invalid"]:
        assert isinstance(error, str) and error
    else:
        assert error is None


def test_missing_argument_gives_missing():
    assert get("lower").call([None]) is None
    assert get("concat").call(["a", None]) is None
    assert get("years_since").call([None], now=None) is None
    assert get("coalesce").call([None, None, 3]) == 3


def test_pathological_regex_is_linear(monkeypatch):
    """Catastrophic-backtracking patterns on a long text: the answer, and the proof that the
    match ran on RE2 (linear time by construction), not on Python's backtracking `re`."""
    import re

    import re2

    from riskrules.engine.functions import _regex, text

    engines = []

    def spy(pattern):
        c = _regex.compiled(pattern)
        engines.append(type(c).__module__)
        return c

    monkeypatch.setattr(text, "compiled", spy)
    b = get("matches")
    long = "a" * 200_000 + "!"
    with monkeypatch.context() as m:
        m.setattr(re, "compile", lambda *a, **k: pytest.fail("Python's re was used"))
        assert b.call([long, "(a+)+$"]) is False
        assert b.call([long, "(a|aa)*b"]) is False
    assert engines and all(m.startswith(re2.__name__.split(".")[0]) for m in engines), engines


def test_nan_is_not_an_integer():
    with pytest.raises(ValueError):
        get("ceil").call([math.nan])
