"""The canonical printer: expressions, cells, and whole rulesets as ``.rules`` or YAML.

``riskrules fmt`` prints either format and converts one into the other. The
output is canonical (one spelling per AST) and reads back to the same AST::

    same_ast(parse_expression(format_expr(e)), e)                  # always
    same_ast(parse_rules_text(format_rules(rs), rs.source), rs)    # any ruleset
    same_ast(load_yaml_text(format_yaml(rs), rs.source), rs)

(``same_ast`` ignores positions, the text literals were written with, the
ruleset's source path, and comments.)

Comments are kept. The readers attach each comment of the main file to the
item it precedes (a rule, a rule's key, a feature, a schema field, a table
row, a band, a section …) and both printers write it on its own line(s) just
before that item, indented like it; a comment after the last item ends the
file. A trailing comment (``key: value  # note``) and a comment inside an
expression move to their own line before their item. A comment whose item is
not printed (a default left out) goes before the next section written, else at
the end under a note: fmt never drops one. See :mod:`riskrules.dsl.comments`.
"""
from __future__ import annotations

import dataclasses

from . import ast as A
from .fmt_expr import format_cell, format_expr, format_literal
from .fmt_rules import format_rules
from .fmt_yaml import format_yaml

__all__ = ["format_expr", "format_cell", "format_literal", "format_rules", "format_yaml", "strip_spans", "same_ast"]


def strip_spans(node):
    """``node`` with every span, ``Literal.text`` and ``Ruleset.source`` blanked, for comparisons."""
    if isinstance(node, tuple):
        return tuple(strip_spans(x) for x in node)
    if isinstance(node, list):
        return [strip_spans(x) for x in node]
    if not dataclasses.is_dataclass(node) or isinstance(node, type) or isinstance(node, A.Span):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name == "span":
            changes[f.name] = A.NO_SPAN
        elif f.name.endswith("_span"):
            changes[f.name] = None
        elif (f.name == "text" and isinstance(node, A.Literal)) or (f.name == "source" and isinstance(node, A.Ruleset)):
            changes[f.name] = ""
        elif f.name == "extra":
            continue
        else:
            changes[f.name] = strip_spans(value)
    return dataclasses.replace(node, **changes)


def same_ast(a, b) -> bool:
    """Whether two AST nodes (or rulesets) are equal ignoring spans and spelling."""
    return strip_spans(a) == strip_spans(b)
