"""Carets inside YAML strings point at the exact character of the file."""
from __future__ import annotations

import pytest

from riskrules.dsl import ast as A
from riskrules.dsl.diagnostics import RulesetError
from riskrules.dsl.loader import load_yaml_text

HEAD = 'ruleset: x\nversion: "1"\nrules:\n'


def _when(block: str) -> A.Expr:
    return load_yaml_text(HEAD + block, "r.yaml").rules[0].when


def _error(block: str):
    with pytest.raises(RulesetError) as info:
        load_yaml_text(HEAD + block, "r.yaml")
    (d,) = info.value.diagnostics
    return d.span.line, d.span.col


def _at(text: str, line: int, col: int) -> str:
    return (HEAD + text).split("\n")[line - 1][col - 1:]


CASES = {
    "plain": '  - id: R\n    when: applicant.age < 18 and x\n',
    "flow": '  - {id: R, when: applicant.age < 18 and x}\n',
    "double quoted": '  - id: R\n    when: "applicant.age < 18 and x"\n',
    "single quoted": "  - id: R\n    when: 'applicant.age < 18 and x'\n",
    "literal block": "  - id: R\n    when: |\n      applicant.age < 18\n        and x\n",
    "folded block": "  - id: R\n    when: >-\n      applicant.age < 18\n      and x\n",
    "plain multi-line": "  - id: R\n    when: applicant.age < 18\n      and x\n",
    "block with indicator": "  - id: R\n    when: |2\n        applicant.age < 18\n        and x\n",
}


@pytest.mark.parametrize("name", CASES)
def test_names_and_literals_point_at_their_text(name):
    block = CASES[name]
    e = _when(block)
    age, lit, x = e.left.left, e.left.right, e.right
    assert _at(block, age.span.line, age.span.col).startswith("applicant.age")
    assert _at(block, lit.span.line, lit.span.col).startswith("18")
    assert _at(block, x.span.line, x.span.col).startswith("x")
    assert (age.span.end_line, age.span.end_col) == (age.span.line, age.span.col + len("applicant.age"))


def test_quoted_escapes_and_doubled_quotes():
    e = _when("  - id: R\n    when: \"name == '\\u5f20\\u4e09' and x\"\n")
    assert e.left.right.value == "张三"
    assert _at("  - id: R\n    when: \"name == '\\u5f20\\u4e09' and x\"\n", 5, e.right.span.col) .startswith("x")
    e = _when("  - id: R\n    when: 'name == ''张三'' and x'\n")
    assert e.left.right.value == "张三"
    assert e.right.span.col == len("    when: 'name == ''张三'' and ") + 1


@pytest.mark.parametrize("block,line,col", [
    ("  - id: R\n    when: a > >\n", 5, 15),
    ("  - {id: R, when: \"a > >\"}\n", 4, 24),
    ("  - id: R\n    when: |\n      a and\n        (b or )\n", 7, 15),
    ("  - id: R\n    when: >\n      a and\n      (b or )\n", 7, 13),
    ("  - id: R\n    when: 'it''s' > >\n", 5, 21),
    ("  - id: R\n    when: \"\\t\\\"q\\\" > >\"\n", 5, 22),
    ("  - id: R\n    when: 中文 > >\n", 5, 16),
])
def test_syntax_error_carets(block, line, col):
    assert _error(block) == (line, col)
    assert _at(block, line, col).startswith(">") or _at(block, line, col).startswith(")")


def test_cells_and_outputs_are_positioned():
    text = (HEAD + "  - {id: R, when: x}\ntables:\n  t:\n    hit: first\n    inputs: [a, b]\n    outputs: [o]\n"
            "    rows:\n      - when: ['< 0.05', \"[1..2)\"]\n        then: [a + 1]\n")
    rs = load_yaml_text(text, "r.yaml")
    row = rs.tables[0].rows[0]
    lines = text.split("\n")
    c0, c1, out = row.cells[0], row.cells[1], row.outputs[0]
    assert lines[c0.right.span.line - 1][c0.right.span.col - 1:].startswith("0.05")
    assert lines[c1.span.line - 1][c1.span.col - 1:].startswith("[1..2)")
    assert lines[out.span.line - 1][out.span.col - 1:].startswith("a + 1")
