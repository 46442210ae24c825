"""Property: printing any expression or cell and parsing it back gives the same AST."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from riskrules.dsl import ast as A
from riskrules.dsl.fmt import format_cell, format_expr, same_ast
from riskrules.dsl.limits import KEYWORDS
from riskrules.dsl.parser import parse_cell, parse_expression

S = A.NO_SPAN
SAFE_TEXT = st.characters(exclude_categories=("Cs",))

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
odd_names = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="`"), min_size=1, max_size=6)
name_parts = st.one_of(identifiers, st.sampled_from(sorted(KEYWORDS)), st.sampled_from(["申请人", "年龄", "__class__"]), odd_names)
func_names = identifiers.filter(lambda s: s not in KEYWORDS)
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))

literals = st.one_of(
    st.integers(-(10**20), 10**20).map(lambda v: A.Literal(v, "int", S)),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: A.Literal(v, "number", S)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).filter(lambda v: abs(v) < 10**30)
    .map(lambda v: A.Literal(abs(v) if not v else v, "decimal", S)),
    st.text(SAFE_TEXT, max_size=12).map(lambda v: A.Literal(v, "string", S)),
    st.booleans().map(lambda v: A.Literal(v, "bool", S)),
    st.just(A.Literal(None, "null", S)),
    st.integers(-(10**12), 10**12).map(lambda ms: A.Literal(dt.timedelta(milliseconds=ms), "duration", S)),
    st.dates().map(lambda v: A.Literal(v, "date", S)),
    st.datetimes(timezones=offsets).map(lambda v: A.Literal(v, "datetime", S)),
)
names = st.lists(name_parts, min_size=1, max_size=3).map(lambda ps: A.Name(tuple(ps), S))
leaves = st.one_of(literals, names)


def _compound(children):
    return st.one_of(
        st.tuples(st.sampled_from(["not", "-"]), children).map(lambda t: A.Unary(t[0], t[1], S)),
        st.tuples(st.sampled_from(A.ARITH_OPS + A.COMPARE_OPS + A.BOOL_OPS), children, children)
        .map(lambda t: A.Binary(t[0], t[1], t[2], S)),
        st.tuples(children, children, st.booleans()).map(lambda t: A.In(t[0], t[1], t[2], S)),
        st.tuples(children, children, children).map(lambda t: A.Between(*t, S)),
        st.tuples(children, st.booleans()).map(lambda t: A.IsMissing(t[0], t[1], S)),
        st.tuples(children, children, children).map(lambda t: A.IfElse(*t, S)),
        st.tuples(func_names, st.lists(children, max_size=3)).map(lambda t: A.Call(t[0], tuple(t[1]), S)),
        st.lists(children, max_size=3).map(lambda items: A.ListLit(tuple(items), S)),
    )


expressions = st.recursive(leaves, _compound, max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(expressions)
def test_format_then_parse_is_identity(expr):
    text = format_expr(expr)
    assert same_ast(parse_expression(text), expr), text
    assert format_expr(parse_expression(text)) == text


P = A.Placeholder(S)
cells = st.one_of(
    st.just(A.Literal(True, "bool", S)),
    st.tuples(st.sampled_from(A.COMPARE_OPS), expressions).map(lambda t: A.Binary(t[0], P, t[1], S)),
    st.tuples(st.lists(expressions, min_size=1, max_size=3), st.booleans())
    .map(lambda t: A.In(P, A.ListLit(tuple(t[0]), S), t[1], S)),
    st.booleans().map(lambda neg: A.IsMissing(P, neg, S)),
    st.tuples(st.none() | expressions, st.none() | expressions, st.booleans(), st.booleans())
    .map(lambda t: A.Range(t[0], t[1], t[2], t[3], S)),
)


def _or(tests):
    out = tests[0]
    for t in tests[1:]:
        out = A.Binary("or", out, t, S)
    return out


# DMN unary tests: `< 18, >= 60` (an or of tests, not all of them plain values) and `not(<tests>)`
single_tests = cells.filter(lambda c: not isinstance(c, A.In))
several = st.lists(single_tests, min_size=2, max_size=4).filter(
    lambda ts: not all(isinstance(t, A.Binary) and t.op == "==" for t in ts)).map(_or)
negated = st.one_of(single_tests, several).filter(lambda t: not (isinstance(t, A.Binary) and t.op == "==")).map(
    lambda t: A.Binary("and", A.IsMissing(P, True, S), A.Unary("not", t, S), S))
cells = st.one_of(cells, several, negated)


@settings(max_examples=300, deadline=None)
@given(cells)
def test_cells_round_trip(cell):
    text = format_cell(cell)
    assert same_ast(parse_cell(text), cell), text
