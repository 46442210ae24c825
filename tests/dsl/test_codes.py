"""The diagnostic code registry (riskrules/dsl/codes.py) is the one list of codes:
the docs list exactly its codes, the code base and the test cases use no other, and a
Diagnostic cannot be made with a code (or severity) it does not register."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskrules.dsl.ast import Span
from riskrules.dsl.codes import CODES
from riskrules.dsl.diagnostics import Diagnostic, error, warning

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "diagnostics.md"
ROW = re.compile(r"^\|\s*([EW]\d{3})\s*\|(.*)$", re.M)
LITERAL = re.compile(r"""["']([EW]\d{3})["']""")
YAML_CODE = re.compile(r"\b([EW]\d{3})\b")  # expected codes: [[E100, 1, 4]], code: E203, ...
SPAN = Span.unknown("x.yaml")


def documented() -> dict[str, str]:
    """Each code in the docs' tables -> the rest of its row."""
    rows: dict[str, str] = {}
    for code, rest in ROW.findall(DOC.read_text(encoding="utf-8")):
        assert code not in rows, f"{code} is listed twice in {DOC.name}"
        rows[code] = rest
    return rows


def test_the_docs_list_exactly_the_registered_codes():
    rows = documented()
    assert sorted(set(CODES) - set(rows)) == [], f"registered but not in {DOC.name}"
    assert sorted(set(rows) - set(CODES)) == [], f"in {DOC.name} but not registered in dsl/codes.py"


def test_the_docs_severity_column_agrees_with_the_registry():
    for code, rest in documented().items():
        cells = [c.strip() for c in rest.split("|")]
        if cells and cells[0] in ("error", "warning"):
            assert cells[0] == CODES[code].severity, code


def test_e_codes_are_errors_and_w_codes_warnings():
    for code, c in CODES.items():
        assert c.code == code and c.title
        assert c.severity == {"E": "error", "W": "warning"}[code[0]], code


def _literals(paths, pattern):
    found: dict[str, str] = {}
    for p in paths:
        for code in pattern.findall(p.read_text(encoding="utf-8")):
            found.setdefault(code, str(p.relative_to(ROOT)))
    return found


def test_every_code_the_package_spells_is_registered():
    used = _literals(sorted((ROOT / "riskrules").rglob("*.py")), LITERAL)
    assert used, "the scan found no codes: the pattern is stale"
    assert {c: f for c, f in used.items() if c not in CODES} == {}


def test_every_code_a_test_case_expects_is_registered():
    used = _literals(sorted((ROOT / "tests").rglob("*.yaml")), YAML_CODE)
    assert used, "the scan found no codes: the pattern is stale"
    assert {c: f for c, f in used.items() if c not in CODES} == {}


@pytest.mark.parametrize(("make", "code"), [
    (error, "E999"),        # not registered
    (error, "E20"),         # not a code at all
    (warning, "E200"),      # registered as an error
    (error, "W400"),        # registered as a warning
])
def test_an_unregistered_code_or_severity_cannot_be_made(make, code):
    with pytest.raises(ValueError, match="not registered"):
        make(code, "message", SPAN)


def test_registered_codes_are_made_as_before():
    d = error("E200", "unknown name 'x'", SPAN)
    assert (d.code, d.severity, d.is_error) == ("E200", "error", True)
    assert Diagnostic("W400", "warning", "never fires", SPAN).is_error is False
