"""`riskrules test`: malformed or empty expectations are reported as failing cases, never a crash."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskrules import Engine
from riskrules.cli import app
from riskrules.engine.testing import run_tests

from .helpers import write_ruleset

RULESET = {
    "ruleset": "testing", "version": "1",
    "schema": {"app": {"age": "int", "amount": "number"}},
    "rules": [
        {"id": "AGE", "when": "app.age < 18", "action": "decline", "reason": "TOO_YOUNG"},
        {"id": "BIG", "when": "app.amount > 1000", "action": "review", "reason": "BIG_AMOUNT"},
    ],
}
ADULT = {"app": {"age": 40, "amount": 10}}
MINOR = {"app": {"age": 16, "amount": 10}}


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory) -> Path:
    return write_ruleset(tmp_path_factory.mktemp("rs"), RULESET)


@pytest.fixture(scope="module")
def engine(ruleset) -> Engine:
    return Engine.load(ruleset)


def run_case(engine, tmp_path, case: dict, raw: str | None = None):
    f = tmp_path / "case.yaml"
    f.write_text(raw if raw is not None else yaml.safe_dump({"cases": [{"name": "c", **case}]}, sort_keys=False),
                 encoding="utf-8")
    report = run_tests(engine, f)
    [result] = report.results
    return result


MALFORMED = [
    ("missing expect", {"input": ADULT}, "a case needs expectations"),
    ("empty expect", {"input": ADULT, "expect": {}}, "a case needs expectations"),
    ("null expect", {"input": ADULT, "expect": None}, "a case needs expectations"),
    ("expect is a list", {"input": ADULT, "expect": ["approve"]}, "must be a mapping"),
    ("expect is a string", {"input": ADULT, "expect": "approve"}, "must be a mapping"),
    ("input_error a string", {"input": {"app": {"age": "x"}}, "expect": {"input_error": "app.age"}},
     "input_error: expected a non-empty list of field names"),
    ("input_error a number", {"input": ADULT, "expect": {"input_error": 3}}, "input_error"),
    ("input_error empty", {"input": {"app": {"age": "x"}}, "expect": {"input_error": []}}, "input_error"),
    ("tables a list", {"input": ADULT, "expect": {"tables": ["t"]}}, "tables: expected a mapping"),
    ("tables inner a list", {"input": ADULT, "expect": {"tables": {"t": [1]}}}, "tables.t: expected a mapping"),
    ("tables inner a number", {"input": ADULT, "expect": {"tables": {"t": 1}}}, "tables.t"),
    ("fired a string", {"input": MINOR, "expect": {"fired": "AGE"}}, "fired: expected a list of rule ids"),
    ("fired has a number", {"input": MINOR, "expect": {"fired": ["AGE", 3]}}, "fired: expected a list"),
    ("not_fired a mapping", {"input": ADULT, "expect": {"not_fired": {"AGE": 1}}}, "not_fired: expected a list"),
    ("fired_exactly a string", {"input": MINOR, "expect": {"fired_exactly": "AGE"}}, "fired_exactly"),
    ("shadow_fired a number", {"input": ADULT, "expect": {"shadow_fired": 0}}, "shadow_fired"),
    ("reasons a string", {"input": MINOR, "expect": {"reasons": "TOO_YOUNG"}}, "reasons: expected a list"),
    ("reasons nested", {"input": MINOR, "expect": {"reasons": [["TOO_YOUNG"]]}}, "reasons: expected a list"),
    ("score a string", {"input": ADULT, "expect": {"score": "high"}}, "score: expected a number"),
    ("score a list", {"input": ADULT, "expect": {"score": [1, 2]}}, "score: expected a number"),
    ("score bad bound", {"input": ADULT, "expect": {"score": {"min": "a"}}}, "score"),
    ("score unknown key", {"input": ADULT, "expect": {"score": {"low": 1}}}, "score"),
    ("score bool", {"input": ADULT, "expect": {"score": True}}, "score"),
    ("errors a string", {"input": ADULT, "expect": {"errors": "none"}}, "errors: expected a count"),
    ("errors a bool", {"input": ADULT, "expect": {"errors": False}}, "errors"),
    ("errors a float", {"input": ADULT, "expect": {"errors": 1.5}}, "errors"),
    ("unexplained a string", {"input": ADULT, "expect": {"unexplained": "no"}}, "unexplained: expected true or false"),
    ("unexplained a number", {"input": ADULT, "expect": {"unexplained": 0}}, "unexplained"),
    ("outcome a list", {"input": ADULT, "expect": {"outcome": ["approve"]}}, "outcome"),
    ("unknown key", {"input": ADULT, "expect": {"outcom": "approve"}}, "unknown expectation"),
]


@pytest.mark.parametrize(("label", "case", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_cases_fail_with_a_message(engine, tmp_path, label, case, message):
    r = run_case(engine, tmp_path, case)
    assert not r.passed, label
    assert r.problems and any(message in p for p in r.problems), r.problems


def test_empty_reasons_means_no_reasons(engine, tmp_path):
    assert run_case(engine, tmp_path, {"input": ADULT, "expect": {"reasons": []}}).passed
    r = run_case(engine, tmp_path, {"input": MINOR, "expect": {"reasons": []}})
    assert not r.passed and any("reasons: expected none" in p and "TOO_YOUNG" in p for p in r.problems)


@pytest.mark.parametrize(("case", "passed"), [
    ({"input": MINOR, "expect": {"reasons": ["TOO_YOUNG"]}}, True),
    ({"input": {"app": {"age": 16, "amount": 5000}}, "expect": {"reasons": ["TOO_YOUNG"]}}, True),  # a prefix
    ({"input": MINOR, "expect": {"reasons": ["BIG_AMOUNT"]}}, False),
    ({"input": MINOR, "expect": {"outcome": "decline", "fired": ["AGE"], "not_fired": ["BIG"],
                                 "fired_exactly": ["AGE"], "shadow_fired": [], "errors": 0}}, True),
    ({"input": ADULT, "expect": {"score": {"min": 0}}}, None),
    ({"input": {"app": {"age": "x"}}, "expect": {"input_error": ["app.age"]}}, True),
    ({"input": {"app": {"age": "x", "amount": 1}}, "expect": {"input_error": ["app.amount"]}}, False),
])
def test_well_formed_cases_still_work(engine, tmp_path, case, passed):
    r = run_case(engine, tmp_path, case)
    if passed is None:  # depends on the score; it must at least not be reported as malformed
        assert all("expected a number" not in p for p in r.problems)
    else:
        assert r.passed is passed, r.problems


def test_the_cli_reports_malformed_cases_without_a_traceback(ruleset, tmp_path):
    f = tmp_path / "tests.yaml"
    f.write_text(yaml.safe_dump({"cases": [{"name": label, **case} for label, case, _ in MALFORMED]},
                                sort_keys=False), encoding="utf-8")
    r = CliRunner().invoke(app, ["test", str(ruleset), "--tests", str(f)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 1
    assert "Traceback" not in r.output


def test_a_list_table_output_matches_the_list_a_case_expects(tmp_path):
    """List values are tuples per event (a list literal, and an input list since lists
    compare as values); a case writes a YAML list, and the two must compare equal."""
    rs = RULESET | {"schema": {"app": {"age": "int", "amount": "number", "tags": "list<string>?"}},
                    "tables": {"t": {"hit": "first", "inputs": ["app.age"], "outputs": ["tags", "fixed"],
                                     "rows": [{"when": ["> 0"], "then": ["coalesce(app.tags, ['z'])", "['a', 'b']"]}]}}}
    engine = Engine.load(write_ruleset(tmp_path, rs))
    result = run_case(engine, tmp_path, {"input": ADULT | {"app": {"age": 40, "amount": 10, "tags": ["q"]}},
                                         "expect": {"tables": {"t": {"tags": ["q"], "fixed": ["a", "b"]}}}})
    assert result.passed, result.problems
