"""Amounts in the input: what a `decimal` field accepts, per event and in batch (money_inputs.yaml)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from riskrules import Engine, InputError
from riskrules.engine.batch import decide_frame

from .helpers import write_ruleset

NOW = dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)
CASES = yaml.safe_load((Path(__file__).parent / "money_inputs.yaml").read_text("utf-8"))
RULES = {
    "ruleset": "money_input", "version": "1",
    "schema": {"loan": {"amount": "decimal", "months": "int"}},
    "rules": [{"id": "BIG", "when": "loan.amount >= 1000", "action": "review"}],
    "tables": {"echo": {"hit": "first", "inputs": ["loan.months"], "outputs": ["amount"],
                        "rows": [{"when": ["-"], "then": ["loan.amount"]}]}},
}


def _value(case):
    if "float" in case:
        return float(case["float"])
    if "decimal" in case:
        return Decimal(case["decimal"])
    return case["value"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return Engine.load(write_ruleset(tmp_path_factory.mktemp("money"), RULES))


@pytest.mark.parametrize("backend", ["codegen", "interpret"])
@pytest.mark.parametrize("case", CASES["accepted"], ids=lambda c: repr(c))
def test_an_accepted_amount_keeps_its_digits(engine, case, backend):
    d = engine.decide({"loan": {"amount": _value(case), "months": 1}}, now=NOW, backend=backend)
    assert d.to_dict()["tables"]["echo"]["amount"] == case["amount"]


@pytest.mark.parametrize("backend", ["codegen", "interpret"])
@pytest.mark.parametrize("case", CASES["rejected"], ids=lambda c: repr(c))
def test_a_bad_amount_is_an_input_error_naming_the_field(engine, case, backend):
    with pytest.raises(InputError) as info:
        engine.decide({"loan": {"amount": _value(case), "months": 1}, "x": 1}, now=NOW, backend=backend)
    (path, message), = info.value.problems
    assert path == "loan.amount" and case["message"] in message


def _frame(values) -> pl.DataFrame:
    return pl.DataFrame({"loan": [{"amount": v, "months": 1} for v in values]}, strict=False)


@pytest.mark.parametrize("kind", ["value", "float"])  # Decimal columns: the test below (polars holds no NaN)
def test_batch_accepts_and_rejects_the_same_amounts(engine, kind):
    """A column of one kind (text, floats, Decimals): each row as per event, the digits included."""
    good = [c for c in CASES["accepted"] if kind in c and isinstance(c[kind], (str, float))]
    bad = [c for c in CASES["rejected"] if kind in c and isinstance(c[kind], (str, float))]
    cases = good + bad
    if not cases:
        pytest.skip(f"no {kind} cases")
    out = decide_frame(engine, _frame([_value(c) for c in cases]), now=NOW).to_dicts()
    for case, row in zip(cases, out):
        if case in good:
            assert row["input_error"] is None, (case, row["input_error"])
            assert format(row["table:echo.amount"], "f") == case["amount"]
        else:
            assert row["input_error"] and row["input_error"].startswith("loan.amount"), case


def test_batch_takes_integer_and_decimal_columns_exactly(engine):
    df = pl.DataFrame({"loan": [{"amount": 5, "months": 1}]})
    assert decide_frame(engine, df, now=NOW)["table:echo.amount"].to_list() == [Decimal("5.00")]
    wide = pl.DataFrame({"loan": [{"amount": Decimal("1.005"), "months": 1}, {"amount": Decimal("2.500"), "months": 1}]})
    out = decide_frame(engine, wide, now=NOW)
    assert out["input_error"].to_list()[0].startswith("loan.amount")
    assert out["input_error"].to_list()[1] is None and str(out["table:echo.amount"][1]) == "2.50"


def test_json_writes_amounts_as_text(engine):
    d = engine.decide({"loan": {"amount": "1000.10", "months": 1}}, now=NOW)
    assert '"amount": "1000.10"' in d.to_json()
