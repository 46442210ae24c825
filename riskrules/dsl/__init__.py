"""Text -> AST: the riskrules language front-end (never imports engine/ or review/).

>>> from riskrules.dsl import parse_expression, format_expr
>>> format_expr(parse_expression("not(a in [1,2])  and b"))
'not a in [1, 2] and b'

Public API (imported lazily, so ``import riskrules`` stays cheap):

* ``parse_expression(text, *, file, line, col)``, ``parse_cell(...)``,
  ``parse_type(...)``                                     — :mod:`.parser`
* ``load_ruleset(path, sources=None, *, comments=True)``, ``load_yaml_text(text, path)``,
  ``parse_rules_text(text, path)``                         — :mod:`.loader`
* ``json_schema()``                                        — :mod:`.yaml_format`
* ``format_expr``, ``format_cell``, ``format_rules``, ``format_yaml``,
  ``strip_spans``, ``same_ast``                            — :mod:`.fmt`
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "parse_expression": "parser",
    "parse_cell": "parser",
    "parse_type": "parser",
    "parse_rules_text": "loader",
    "load_ruleset": "loader",
    "load_yaml_text": "loader",
    "json_schema": "yaml_format",
    "format_expr": "fmt",
    "format_cell": "fmt",
    "format_rules": "fmt",
    "format_yaml": "fmt",
    "strip_spans": "fmt",
    "same_ast": "fmt",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
