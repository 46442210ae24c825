"""The diagnostic code registry: every code riskrules reports, with its severity and title.

Codes are stable (CI scripts and editors match on them), so they are declared here
once; a :class:`~riskrules.dsl.diagnostics.Diagnostic` with a code that is not
registered, or with another severity than its code's, cannot be made.

Adding a code is one line below (keep the ranges in order) plus its row in
docs/diagnostics.md; a test checks that the two list the same codes.

>>> CODES["E200"].title
'unknown name'
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "Code", "registered"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: str  # "error" | "warning"
    title: str


CODES: dict[str, Code] = {c.code: c for c in (
    # E1xx: reading a ruleset (dsl)
    Code("E100", "error", "syntax error"),
    Code("E101", "error", "reserved word used as a name"),
    Code("E102", "error", "invalid literal"),
    Code("E103", "error", "expression nested too deeply"),
    Code("E104", "error", "literal too large"),
    Code("E110", "error", "invalid YAML"),
    Code("E111", "error", "unsafe YAML"),
    Code("E112", "error", "file too large"),
    Code("E113", "error", "unknown key"),
    Code("E114", "error", "missing key or clause"),
    Code("E115", "error", "wrong value type or value"),
    Code("E116", "error", "file cannot be read"),
    Code("E117", "error", "unknown schema type"),
    Code("E118", "error", "duplicate key, clause or schema"),
    # E2xx: names and types (checker)
    Code("E200", "error", "unknown name"),
    Code("E201", "error", "unknown function"),
    Code("E202", "error", "wrong number of arguments"),
    Code("E203", "error", "type error"),
    Code("E204", "error", "argument must be a literal"),
    Code("E205", "error", "invalid literal argument"),
    Code("E206", "error", "private name"),
    Code("E207", "error", "unknown list"),
    Code("E208", "error", "reference in the wrong place"),
    Code("E209", "error", "condition is not a bool"),
    Code("E210", "error", "unknown outcome, action, status or on_error"),
    Code("E211", "error", "object used as a value"),
    Code("E212", "error", "value outside the enum"),
    Code("E213", "error", "line break or control character in a name"),
    Code("E214", "error", "review amount or id is not an input field of the right type"),
    # E3xx: structure (checker)
    Code("E300", "error", "duplicate definition"),
    Code("E301", "error", "dependency cycle"),
    Code("E302", "error", "model cannot be loaded"),
    Code("E303", "error", "decision block does not fit its policy"),
    Code("E304", "error", "model cannot take the declared inputs"),
    Code("E305", "error", "decision_time names no field of the schema"),
    Code("E306", "error", "decision_time is not a datetime field"),
    # W4xx: analysis (checker)
    Code("W400", "warning", "rule can never fire"),
    Code("W401", "warning", "rule shadowed under first_match"),
    Code("W402", "warning", "rule always fires"),
    Code("W403", "warning", "comparison with null"),
    Code("W405", "warning", "rule with neither action nor score"),
    Code("W406", "warning", "bands without the score policy"),
    Code("W407", "warning", "model file runs code when bound (sklearn pickle)"),
    # E5xx / W5xx: decision tables (checker)
    Code("E500", "error", "malformed decision table"),
    Code("E501", "error", "rows of a unique table overlap"),
    Code("W502", "warning", "table has a gap"),
    Code("W503", "warning", "table row can never match"),
    Code("E503", "error", "table cell or output type invalid"),
    Code("E504", "error", "rows of an any table overlap with different outputs"),
    Code("E505", "error", "unusable allowed values"),
    Code("E506", "error", "output value not among the allowed values"),
    Code("W507", "warning", "priority table without a priority"),
)}


def registered(code: str, severity: str) -> bool:
    """Is ``code`` registered, with ``severity``?"""
    c = CODES.get(code)
    return c is not None and c.severity == severity
