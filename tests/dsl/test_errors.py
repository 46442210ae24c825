"""Every error code with its position, data-driven from cases/errors.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.parser import parse_cell, parse_expression
from riskrules.dsl.yaml_format import load_ruleset

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "errors.yaml").read_text(encoding="utf-8"))


def _check(exc: RulesetError, case: dict) -> None:
    got = [[d.code, d.span.line, d.span.col] for d in exc.diagnostics]
    assert got == case["expect"], "\n" + str(exc)
    if "message" in case:
        assert any(case["message"] in d.message for d in exc.diagnostics), [d.message for d in exc.diagnostics]
    if "hint" in case:
        assert any(d.hint == case["hint"] for d in exc.diagnostics), [d.hint for d in exc.diagnostics]
    rendered = str(exc)
    assert "Traceback" not in rendered and "lark" not in rendered.lower()


@pytest.mark.parametrize("case", CASES["expressions"], ids=[c["input"] for c in CASES["expressions"]])
def test_expression_errors(case):
    with pytest.raises(RulesetError) as info:
        parse_expression(case["input"])
    _check(info.value, case)


@pytest.mark.parametrize("case", CASES["cells"], ids=[c["input"] for c in CASES["cells"]])
def test_cell_errors(case):
    with pytest.raises(RulesetError) as info:
        parse_cell(case["input"])
    _check(info.value, case)


@pytest.mark.parametrize("case", CASES["yaml"], ids=[c["name"] for c in CASES["yaml"]])
def test_yaml_errors(tmp_path, case):
    path = tmp_path / "ruleset.yaml"
    path.write_text(case["text"], encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    _check(info.value, case)


@pytest.mark.parametrize("case", CASES["rules"], ids=[c["name"] for c in CASES["rules"]])
def test_rules_errors(tmp_path, case):
    path = tmp_path / "ruleset.rules"
    path.write_text(case["text"], encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    _check(info.value, case)


def test_rendering_shows_the_line_and_a_caret(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text('ruleset: x\nversion: "1"\nrules:\n  - {id: R1, when: "申请人.年龄 >> 1"}\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{path}:4:29: E100: unexpected '>' — expected an expression"
    assert lines[1].endswith('  - {id: R1, when: "申请人.年龄 >> 1"}')
    assert lines[2].index("^") == lines[1].index(">> 1") + 1
    assert info.value.sources is not None


def test_diagnostics_serialise_to_json(tmp_path):
    from riskrules.dsl.diagnostics import to_json

    with pytest.raises(RulesetError) as info:
        parse_expression("a +", file="f.rules", line=3, col=9)
    assert '"code": "E100"' in to_json(info.value.diagnostics)
    assert info.value.diagnostics[0].to_dict()["col"] == 12
