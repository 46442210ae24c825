"""The mechanical transformer for ``.rules`` files: parse tree -> clauses and AST parts.

Items whose parts may repeat or be missing (a rule's ``when``, a table's rows)
become :class:`Clause` lists; :mod:`riskrules.dsl.rules_format` assembles them
into AST nodes and reports duplicates and omissions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token

from . import ast as A
from . import literals as L
from .transform import ExprTransformer


@dataclass(frozen=True, slots=True)
class Clause:
    """One keyword and its value, e.g. ``("when", <expr>)`` or ``("rule", (...))``."""

    kind: str
    value: Any
    span: A.Span


def word(token: Token) -> str:
    """A NAME, a `quoted` name or a string, as text."""
    if token.type == "QNAME":
        return token.value[1:-1]
    if token.type == "STRING":
        return L.decode_string(token.value)
    return token.value


def number(token: Token) -> float:
    return float(L.decode_int(token.value) if token.type == "INT" else L.decode_number(token.value))


class RulesTransformer(ExprTransformer):
    """Expression nodes as in :class:`ExprTransformer`, plus the file's items."""

    def clause(self, kind: str, value, meta) -> Clause:
        return Clause(kind, value, self.span(meta))

    def file(self, meta, c):
        return list(c)

    # -- header and simple items ------------------------------------------
    def h_ruleset(self, meta, c):
        return self.clause("ruleset", word(c[0]), meta)

    def h_version(self, meta, c):
        return self.clause("version", word(c[0]), meta)

    def h_description(self, meta, c):
        return self.clause("description", word(c[0]), meta)

    def h_on_error(self, meta, c):
        return self.clause("on_error", word(c[0]), meta)

    def h_decision_time(self, meta, c):
        return self.clause("decision_time", c[0], meta)

    def schema_path(self, meta, c):
        return self.clause("schema", word(c[0]), meta)

    def include(self, meta, c):
        return self.clause("include", word(c[0]), meta)

    def tests(self, meta, c):
        return self.clause("tests", word(c[0]), meta)

    # -- schema -----------------------------------------------------------
    def input_block(self, meta, c):
        return self.clause("input", tuple(c), meta)

    def field_scalar(self, meta, c):
        name, opt, (ftype, type_opt), description = c
        return A.Field(word(name), ftype, opt is not None or type_opt, self.tspan(name),
                       description=word(description) if description is not None else "")

    def field_object(self, meta, c):
        name, opt, *fields = c
        ftype = A.TypeRef("object", self.span(meta), fields=tuple(fields))
        return A.Field(word(name), ftype, opt is not None, self.tspan(name))

    # -- lists, features, models, outcomes -----------------------------------
    def list_file(self, meta, c):
        return self.clause("list", A.ListDef(word(c[0]), (), self.tspan(c[0]), path=word(c[1])), meta)

    def list_inline(self, meta, c):
        return self.clause("list", A.ListDef(word(c[0]), c[1] or (), self.tspan(c[0])), meta)

    def literals(self, meta, c):
        return tuple(c)

    def feature(self, meta, c):
        name, expr, description = c
        desc = word(description) if description is not None else ""
        return self.clause("feature", A.Feature(word(name), expr, self.tspan(name), desc), meta)

    def model(self, meta, c):
        name, kind, path, *clauses, inputs = c
        return self.clause("model", (word(name), self.tspan(name), word(kind), word(path), clauses, inputs or ()), meta)

    def m_version(self, meta, c):
        return self.clause("version", word(c[0]), meta)

    def m_description(self, meta, c):
        return self.clause("description", word(c[0]), meta)

    def model_inputs(self, meta, c):
        return tuple(c)

    def model_input(self, meta, c):
        return A.ModelInput(word(c[0]), c[1], self.tspan(c[0]))

    def outcome(self, meta, c):
        name, severity, adverse = c
        value = A.OutcomeDef(word(name), L.decode_int(severity.value), adverse is not None, self.tspan(name))
        return self.clause("outcome", value, meta)

    # -- rules --------------------------------------------------------------
    def rule(self, meta, c):
        rule_id, name, *clauses = c
        value = (word(rule_id), self.tspan(rule_id), word(name) if name is not None else "", clauses)
        return self.clause("rule", value, meta)

    def r_when(self, meta, c):
        return self.clause("when", c[0], meta)

    def r_then(self, meta, c):
        return Clause("then", word(c[0]), self.tspan(c[0]))

    def r_reason(self, meta, c):
        return self.clause("reason", word(c[0]), meta)

    def r_severity(self, meta, c):
        return self.clause("severity", L.decode_int(c[0].value), meta)

    def r_score(self, meta, c):
        return self.clause("score", number(c[0]), meta)

    def r_priority(self, meta, c):
        return self.clause("priority", L.decode_int(c[0].value), meta)

    def r_status(self, meta, c):
        return self.clause("status", word(c[0]), meta)

    def r_tags(self, meta, c):
        return self.clause("tags", tuple(word(t) for t in c), meta)

    def r_description(self, meta, c):
        return self.clause("description", word(c[0]), meta)

    def r_provenance(self, meta, c):
        return self.clause("provenance", tuple(c), meta)

    def provenance_item(self, meta, c):
        value = c[1]
        if isinstance(value, A.Literal):
            return word(c[0]), value.value
        return word(c[0]), tuple(item.value for item in value)

    def literal_list(self, meta, c):
        return c[0] or ()

    # -- tables ---------------------------------------------------------------
    def table(self, meta, c):
        name, hit, aggregate, *items = c
        value = (word(name), self.tspan(name), word(hit), word(aggregate) if aggregate is not None else None, items)
        return self.clause("table", value, meta)

    def t_inputs(self, meta, c):
        return self.clause("inputs", tuple(c), meta)

    def t_outputs(self, meta, c):
        return self.clause("outputs", tuple(c), meta)

    def output_decl(self, meta, c):
        name, values = c
        return word(name), (tuple(values) if values is not None else None)

    def t_row(self, meta, c):
        cells, outputs, priority = c
        prio = L.decode_int(priority.value) if priority is not None else 0
        return self.clause("row", A.TableRow(cells or (), outputs, self.span(meta), priority=prio), meta)

    def t_default(self, meta, c):
        return self.clause("default", c[0], meta)

    def t_description(self, meta, c):
        return self.clause("description", word(c[0]), meta)

    def cells(self, meta, c):
        return tuple(c)

    def outputs(self, meta, c):
        return tuple(c)

    # -- decision and review -----------------------------------------------------
    def decision(self, meta, c):
        policy, *clauses = c
        return self.clause("decision", (word(policy), clauses), meta)

    def d_score(self, meta, c):
        return self.clause("score", c[0], meta)

    def d_default(self, meta, c):
        return self.clause("default", word(c[0]), meta)

    def d_band(self, meta, c):
        low, outcome, reason = c
        band = A.Band(number(low), word(outcome), self.span(meta), word(reason) if reason is not None else None)
        return self.clause("band", band, meta)

    def d_band_else(self, meta, c):
        outcome, reason = c
        band = A.Band(None, word(outcome), self.span(meta), word(reason) if reason is not None else None)
        return self.clause("band", band, meta)

    def review(self, meta, c):
        return self.clause("review", list(c), meta)

    def v_unexplained(self, meta, c):
        return self.clause("unexplained", c[0], meta)

    def v_sla_hours(self, meta, c):
        return self.clause("sla_hours", number(c[0]), meta)

    def v_anomaly_threshold(self, meta, c):
        return self.clause("anomaly_threshold", number(c[0]), meta)

    def v_anomaly_model(self, meta, c):
        return self.clause("anomaly_model", word(c[0]), meta)

    def v_amount(self, meta, c):
        return self.clause("amount", c[0], meta)

    def v_id(self, meta, c):
        return self.clause("id", c[0], meta)
