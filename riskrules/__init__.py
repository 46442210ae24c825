"""riskrules — a declarative risk-decision engine for consumer lending.

    >>> from riskrules import Engine
    >>> engine = Engine.load("rulesets/origination/ruleset.yaml")
    >>> decision = engine.decide(application, now=None)
    >>> decision.outcome, decision.reason_codes

Public API: :class:`Engine`, :class:`Decision`, :class:`InputError`,
:class:`RulesetError`, :class:`Diagnostic`, :func:`check`.

The names are imported on first use, so ``import riskrules`` (and ``riskrules
--help``) loads no polars, scikit-learn or textual; the engine's modules load when
``riskrules.Engine`` is first read.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dsl.diagnostics import Diagnostic, RulesetError
    from .engine.runtime import Decision, Engine
    from .engine.validate import InputError

__all__ = ["Engine", "Decision", "InputError", "RulesetError", "Diagnostic", "check"]
__version__ = "0.1.0"

_EXPORTS = {
    "Engine": ".engine.runtime",
    "Decision": ".engine.runtime",
    "InputError": ".engine.validate",
    "RulesetError": ".dsl.diagnostics",
    "Diagnostic": ".dsl.diagnostics",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later reads skip this hook
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def check(path: str | Path) -> list[Diagnostic]:
    """Every diagnostic for the ruleset at ``path`` (parse, schema, names, types, analysis), sorted."""
    from .dsl.diagnostics import RulesetError
    from .dsl.loader import load_ruleset
    from .engine.check import check as _check

    p = Path(path)
    try:
        rs = load_ruleset(p)
    except RulesetError as exc:
        return exc.diagnostics
    _, diags = _check(rs)
    return diags
