"""riskrules — a declarative risk-decision engine for consumer lending.

    >>> from riskrules import Engine
    >>> engine = Engine.load("rulesets/origination/ruleset.yaml")
    >>> decision = engine.decide(application, now=None)
    >>> decision.outcome, decision.reason_codes

Public API: :class:`Engine`, :class:`Decision`, :class:`InputError`,
:class:`RulesetError`, :func:`check`.
"""
from __future__ import annotations

from pathlib import Path

from .dsl.diagnostics import Diagnostic, RulesetError
from .engine.runtime import Decision, Engine
from .engine.validate import InputError

__all__ = ["Engine", "Decision", "InputError", "RulesetError", "Diagnostic", "check"]
__version__ = "0.1.0"


def check(path: str | Path) -> list[Diagnostic]:
    """Every diagnostic for the ruleset at ``path`` (parse, schema, names, types, analysis), sorted."""
    from .dsl.yaml_format import load_ruleset
    from .engine.check import check as _check

    p = Path(path)
    try:
        rs = load_ruleset(p)
    except RulesetError as exc:
        return exc.diagnostics
    _, diags = _check(rs, base_dir=p.parent)
    return diags
