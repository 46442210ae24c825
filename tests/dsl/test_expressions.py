"""Expressions and decision-table cells, data-driven from cases/expressions.yaml."""
from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
import yaml

from riskrules.dsl import ast as A
from riskrules.dsl.parser import get_lark, parse_cell, parse_expression, parse_type

from .sexpr import sexpr

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "expressions.yaml").read_text(encoding="utf-8"))
EXPR_CASES = [c for group in ("literals", "names", "precedence") for c in CASES[group]]


@pytest.mark.parametrize("text,expected", EXPR_CASES, ids=[c[0] for c in EXPR_CASES])
def test_expression(text, expected):
    assert sexpr(parse_expression(text)) == expected


@pytest.mark.parametrize("text,expected", CASES["cells"], ids=[c[0] for c in CASES["cells"]])
def test_cell(text, expected):
    assert sexpr(parse_cell(text)) == expected


def test_literal_values_and_text():
    lit = parse_expression("1_000_000")
    assert lit == A.Literal(1000000, "int", lit.span, text="1_000_000")
    assert isinstance(parse_expression("1.0").value, float)
    dt = parse_expression("2024-01-31T08:30:00").value
    assert dt.tzinfo is not None and dt.utcoffset().total_seconds() == 0
    assert parse_expression("'中'").text == "'中'"


def test_cell_any_keeps_its_text():
    cell = parse_cell("-")
    assert cell.value is True and cell.kind == "bool" and cell.text == "-"


def test_types():
    t, optional = parse_type("list<string>?")
    assert (t.name, t.item.name, optional) == ("list", "string", True)
    t, optional = parse_type("enum(employed, 'self employed', `in`)")
    assert t.values == ("employed", "self employed", "in") and not optional
    t, optional = parse_type("decimal(4)?")
    assert (t.name, t.scale, optional) == ("decimal", 4, True)


def test_spans_are_offset_into_the_real_file():
    e = parse_expression("a +\n  bb", file="r.yaml", line=10, col=7)
    assert (e.span.line, e.span.col, e.span.end_line, e.span.end_col) == (10, 7, 11, 5)
    assert (e.right.span.line, e.right.span.col) == (11, 3)
    call = parse_expression("x + lower(s)", file="f", line=3, col=5)
    assert (call.right.func_span.line, call.right.func_span.col, call.right.func_span.end_col) == (3, 9, 14)


def test_chinese_columns_count_characters():
    e = parse_expression('申请人.姓名 == "张三" and x')
    assert e.right.span.col == len('申请人.姓名 == "张三" and ') + 1


@pytest.mark.parametrize("start", ["expr_start", "cell_start", "type_start", "file"])
def test_grammar_has_no_lalr_conflicts(start):
    """lark resolves shift/reduce conflicts silently (as shift); we want none."""
    from lark import logger

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        get_lark.cache_clear()
        get_lark(start)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert "conflict" not in buf.getvalue().lower()
