"""Every error code with its position, data-driven from cases/errors.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.parser import parse_cell, parse_expression
from riskrules.dsl.loader import load_ruleset

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


def _broken_rules(n: int) -> str:
    return "ruleset x\nversion \"1\"\n" + "".join(f"rule R{i} when ) then decline\n" for i in range(n))


def test_rules_syntax_recovery_is_linear(monkeypatch):
    """Each character of a .rules text is parsed a bounded number of times, however many
    items are broken (resuming at each error and parsing to the end was quadratic: 8,000
    broken lines took a minute of CPU)."""
    from riskrules.dsl import rules_format

    parsed = []
    real = rules_format.parse_tree

    def counting(text, start, locate):
        parsed.append(len(text))
        return real(text, start, locate)

    monkeypatch.setattr(rules_format, "parse_tree", counting)
    monkeypatch.setattr(rules_format, "MAX_SYNTAX_ERRORS", 10**9)
    text = _broken_rules(3000)
    _, problems = rules_format.parse_clauses(text, "x.rules")
    assert len(problems) == 3000
    assert [d.span.line for d in problems] == list(range(3, 3003))
    assert sum(parsed) <= 3 * len(text)


def test_rules_syntax_errors_are_capped():
    from riskrules.dsl import rules_format

    _, problems = rules_format.parse_clauses(_broken_rules(8000), "x.rules")
    assert len(problems) == rules_format.MAX_SYNTAX_ERRORS + 1
    assert all(d.code == "E100" for d in problems)
    assert "too many syntax errors" in problems[-1].message
    assert problems[-1].span.line == rules_format.MAX_SYNTAX_ERRORS + 3


def test_items_before_the_first_syntax_error_are_still_checked():
    from riskrules.dsl import rules_format

    text = 'ruleset x\nversion "1"\nrule A when x == 2024-02-30 then decline\nrule B when ) then decline\n'
    _, problems = rules_format.parse_clauses(text, "x.rules")
    assert sorted((d.code, d.span.line) for d in problems) == [("E100", 4), ("E102", 3)]


@pytest.mark.parametrize("odd", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1c"])
def test_rendered_source_line_counts_lines_as_an_editor_does(tmp_path, odd):
    """VT, FF, NEL, LS, PS and the file separator are not line breaks for an editor or for a
    span; str.splitlines() treats them as such, so the caret went under the wrong line."""
    path = tmp_path / "r.rules"
    path.write_text(f'ruleset x\nversion "1"  # a{odd}b\nrule R1 when ) then decline\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(path)
    (d,) = info.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("E100", 3, 14)
    assert " 3 | rule R1 when ) then decline" in str(info.value)
