"""The mechanical lark transformer: parse tree -> AST nodes, nothing else.

Literal tokens were already validated by :func:`riskrules.dsl.limits.check_tree`,
so decoding here cannot fail. Every node gets a span from ``locate``.
"""
from __future__ import annotations

from lark import Token, Tree

from . import ast as A
from . import literals as L
from .positions import Locator


def _name_part(token: Token) -> str:
    return token.value[1:-1] if token.type == "QNAME" else token.value


class ExprTransformer:
    """Builds expression, cell and type nodes: one method per rule name, ``(meta, children)``."""

    def __init__(self, locate: Locator) -> None:
        self.locate = locate

    def transform(self, tree: Tree):
        """The node for ``tree``, bottom-up (lark's ``Transformer`` wraps every call; this does not)."""
        children = [self.transform(c) if isinstance(c, Tree) else c for c in tree.children]
        method = getattr(self, tree.data, None)
        return Tree(tree.data, children, tree.meta) if method is None else method(tree.meta, children)

    # -- spans -------------------------------------------------------------
    def span(self, meta) -> A.Span:
        if getattr(meta, "empty", True):
            return self.locate(0, 0)
        return self.locate(meta.start_pos, meta.end_pos)

    def tspan(self, token: Token) -> A.Span:
        return self.locate(token.start_pos, token.end_pos)

    # -- start symbols -----------------------------------------------------
    def expr_start(self, meta, children):
        return children[0]

    def cell_start(self, meta, children):
        return children[0]

    def type_start(self, meta, children):
        return children[0]

    # -- operators ---------------------------------------------------------
    def ifelse(self, meta, c):
        return A.IfElse(c[0], c[1], c[2], self.span(meta))

    def or_(self, meta, c):
        return A.Binary("or", c[0], c[1], self.span(meta))

    def and_(self, meta, c):
        return A.Binary("and", c[0], c[1], self.span(meta))

    def not_(self, meta, c):
        return A.Unary("not", c[0], self.span(meta))

    def neg(self, meta, c):
        return A.Unary("-", c[0], self.span(meta))

    def compare(self, meta, c):
        return A.Binary(c[1], c[0], c[2], self.span(meta))

    binary = compare

    def comp_op(self, meta, c):
        return c[0].value

    add_op = mul_op = comp_op

    def in_(self, meta, c):
        return A.In(c[0], c[1], False, self.span(meta))

    def not_in(self, meta, c):
        return A.In(c[0], c[1], True, self.span(meta))

    def between(self, meta, c):
        return A.Between(c[0], c[1], c[2], self.span(meta))

    def is_missing(self, meta, c):
        return A.IsMissing(c[0], False, self.span(meta))

    def is_present(self, meta, c):
        return A.IsMissing(c[0], True, self.span(meta))

    # -- atoms -------------------------------------------------------------
    def call(self, meta, c):
        return A.Call(c[0].value, c[1] or (), self.span(meta), func_span=self.tspan(c[0]))

    def list(self, meta, c):
        return A.ListLit(c[0] or (), self.span(meta))

    def args(self, meta, c):
        return tuple(c)

    def name(self, meta, c):
        return A.Name(tuple(_name_part(t) for t in c), self.span(meta))

    def _lit(self, c, value, kind) -> A.Literal:
        token = c[0]
        return A.Literal(value, kind, self.tspan(token), text=token.value)

    def int_lit(self, meta, c):
        return self._lit(c, L.decode_int(c[0].value), "int")

    def number_lit(self, meta, c):
        return self._lit(c, L.decode_number(c[0].value), "number")

    def decimal_lit(self, meta, c):
        return self._lit(c, L.decode_decimal(c[0].value), "decimal")

    def string_lit(self, meta, c):
        return self._lit(c, L.decode_string(c[0].value), "string")

    def duration_lit(self, meta, c):
        return self._lit(c, L.decode_duration(c[0].value), "duration")

    def date_lit(self, meta, c):
        return self._lit(c, L.decode_date(c[0].value), "date")

    def datetime_lit(self, meta, c):
        return self._lit(c, L.decode_datetime(c[0].value), "datetime")

    def true_lit(self, meta, c):
        return self._lit(c, True, "bool")

    def false_lit(self, meta, c):
        return self._lit(c, False, "bool")

    def null_lit(self, meta, c):
        return self._lit(c, None, "null")

    # -- decision-table cells ---------------------------------------------
    def cell_any(self, meta, c):
        return A.Literal(True, "bool", self.span(meta), text="-")

    def cell_compare(self, meta, c):
        span = self.span(meta)
        return A.Binary(c[0], A.Placeholder(span), c[1], span)

    def cell_eq(self, meta, c):
        span = self.span(meta)
        return A.Binary("==", A.Placeholder(span), c[0], span)

    def cell_tests(self, meta, c):
        """Several unary tests, any of which may hold: a list of plain values is the
        membership test ``"A", "B"`` has always been; a mix is an ``or`` of the tests."""
        span = self.span(meta)
        if all(_is_cell_eq(t) for t in c):
            return A.In(A.Placeholder(span), A.ListLit(tuple(t.right for t in c), span), False, span)
        out = c[0]
        for t in c[1:]:
            out = A.Binary("or", out, t, span)
        return out

    def cell_not(self, meta, c):
        """``not(tests)``: none of the tests holds, and the input is present (DMN: a
        negation of tests on a null input is null, so it never matches)."""
        span = self.span(meta)
        inner = c[0]
        if _is_cell_eq(inner):
            return A.In(A.Placeholder(span), A.ListLit((inner.right,), span), True, span)
        if isinstance(inner, A.In) and not inner.negated:
            return A.In(inner.item, inner.container, True, span)
        return A.Binary("and", A.IsMissing(A.Placeholder(span), True, span), A.Unary("not", inner, span), span)

    def cell_missing(self, meta, c):
        span = self.span(meta)
        return A.IsMissing(A.Placeholder(span), False, span)

    def cell_present(self, meta, c):
        span = self.span(meta)
        return A.IsMissing(A.Placeholder(span), True, span)

    def cell_range_closed_closed(self, meta, c):
        return A.Range(c[0], c[1], True, True, self.span(meta))

    def cell_range_closed_open(self, meta, c):
        return A.Range(c[0], c[1], True, False, self.span(meta))

    def cell_range_open_closed(self, meta, c):
        return A.Range(c[0], c[1], False, True, self.span(meta))

    def cell_range_open_open(self, meta, c):
        return A.Range(c[0], c[1], False, False, self.span(meta))

    # -- schema types ------------------------------------------------------
    def type_decl(self, meta, c):
        return c[0], c[1] is not None

    def simple_type(self, meta, c):
        return A.TypeRef(c[0].value, self.span(meta))

    def scaled_type(self, meta, c):
        return A.TypeRef(c[0].value, self.span(meta), scale=L.decode_int(c[1].value))

    def enum_type(self, meta, c):
        values = tuple(L.decode_string(t.value) if t.type == "STRING" else _name_part(t) for t in c)
        return A.TypeRef("enum", self.span(meta), values=values)

    def list_type(self, meta, c):
        return A.TypeRef("list", self.span(meta), item=c[0])


def _is_cell_eq(t) -> bool:
    return isinstance(t, A.Binary) and t.op == "==" and isinstance(t.left, A.Placeholder)
