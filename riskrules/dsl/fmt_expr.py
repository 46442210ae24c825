"""Canonical text of expressions and decision-table cells.

Parentheses only where precedence needs them; literals in canonical form
(double-quoted strings, ``repr`` floats, ISO dates); names quoted with
backticks when they are keywords. ``parse_expression(format_expr(e))`` gives
``e`` back (ignoring spans and ``Literal.text``).
"""
from __future__ import annotations

import re

from . import ast as A
from . import literals as L
from .limits import KEYWORDS

#: every keyword of the `.rules` format; idents equal to one are quoted
FILE_KEYWORDS = frozenset(
    "ruleset version description on_error decision_time schema input list from feature model outcome severity adverse "
    "rule when then reason score priority status tags provenance table hit aggregate inputs outputs row "
    "default decision band review unexplained sla_hours anomaly_threshold anomaly_model amount id include tests enum".split()
)
_NAME = re.compile(r"[^\W\d]\w*")
_DURATION = re.compile(r"-?\d+(?:_\d+)*(?:ms|s|m|h|d|w)")

IF, OR, AND, NOT, CMP, ADD, MUL, NEG, ATOM = range(1, 10)
_BINARY_LEVEL = {"or": OR, "and": AND, "+": ADD, "-": ADD, "*": MUL, "/": MUL, "%": MUL}
_BINARY_LEVEL.update({op: CMP for op in A.COMPARE_OPS})


def format_expr(expr: A.Expr) -> str:
    """Canonical text of an expression.

    >>> from riskrules.dsl.parser import parse_expression
    >>> format_expr(parse_expression("(a+b)*c  or not(x in [1,2])"))
    '(a + b) * c or not x in [1, 2]'
    """
    return _fmt(expr, IF)


def level(e: A.Expr) -> int:
    match e:
        case A.IfElse():
            return IF
        case A.Binary(op=op):
            return _BINARY_LEVEL[op]
        case A.Unary(op="not"):
            return NOT
        case A.Unary():
            return NEG
        case A.In() | A.Between() | A.IsMissing():
            return CMP
    return ATOM


def _fmt(e: A.Expr, min_level: int) -> str:
    text = _text(e)
    return f"({text})" if level(e) < min_level else text


def _text(e: A.Expr) -> str:
    match e:
        case A.Literal():
            return format_literal(e)
        case A.Name(parts=parts):
            return ".".join(name_part(p) for p in parts)
        case A.IfElse(cond=c, then=t, other=o):
            return f"if {_fmt(c, IF)} then {_fmt(t, IF)} else {_fmt(o, IF)}"
        case A.Binary(op=op, left=a, right=b):
            lvl = _BINARY_LEVEL[op]
            if lvl == CMP:
                return f"{_fmt(a, ADD)} {op} {_fmt(b, ADD)}"
            return f"{_fmt(a, lvl)} {op} {_fmt(b, lvl + 1)}"
        case A.Unary(op="not", operand=x):
            return f"not {_fmt(x, NOT)}"
        case A.Unary(operand=x):
            inner = _fmt(x, NEG)
            if inner[:1].isdigit():  # `-3`, `-2024-01-31` would read back as (part of) one literal
                return f"-({inner})"
            return f"-{inner}"
        case A.In(item=a, container=b, negated=neg):
            return f"{_fmt(a, ADD)} {'not in' if neg else 'in'} {_fmt(b, ADD)}"
        case A.Between(value=v, low=lo, high=hi):
            return f"{_fmt(v, ADD)} between {_fmt(lo, ADD)} and {_fmt(hi, ADD)}"
        case A.IsMissing(value=v, negated=neg):
            return f"{_fmt(v, ADD)} is {'present' if neg else 'missing'}"
        case A.Call(func=f, args=args):
            if not _NAME.fullmatch(f) or f in KEYWORDS:
                raise ValueError(f"function name {f!r} cannot be written")
            return f"{f}(" + ", ".join(_fmt(a, IF) for a in args) + ")"
        case A.ListLit(items=items):
            return "[" + ", ".join(_fmt(i, IF) for i in items) + "]"
    raise ValueError(f"{type(e).__name__} cannot be written as an expression (only as a table cell)")


def name_part(part: str, reserved: frozenset = KEYWORDS) -> str:
    """A name, quoted with backticks when it is a keyword or not a plain word."""
    if _NAME.fullmatch(part) and part not in reserved:
        return part
    if "`" in part or "\n" in part or not part:
        raise ValueError(f"name {part!r} cannot be written")
    return f"`{part}`"


def ident(word: str, after_expression: bool = False) -> str:
    """A name in a ``.rules`` item (quoted with backticks when it is a keyword).

    Right after a keyword only a name can follow, so file keywords need no
    quoting there (``then review``). A name that follows an expression (model
    inputs, provenance entries) is lexed where LALR also expects the next
    item's keyword, so there any keyword is quoted.
    """
    return name_part(word, KEYWORDS | FILE_KEYWORDS if after_expression else KEYWORDS)


def word_or_string(word: str) -> str:
    """A code such as a reason or tag: bare when it is a plain word, else a string."""
    if _NAME.fullmatch(word) and word not in KEYWORDS:
        return word
    return L.quote_string(word)


def format_literal(lit: A.Literal) -> str:
    v, kind = lit.value, lit.kind
    if kind == "int":
        return str(int(v))
    if kind == "number":
        return L.spell_number(float(v))
    if kind == "decimal":
        return L.spell_decimal(v)
    if kind == "string":
        return L.quote_string(v)
    if kind == "bool":
        return "true" if v else "false"
    if kind == "null":
        return "null"
    if kind == "duration":
        if lit.text and _DURATION.fullmatch(lit.text) and L.decode_duration(lit.text) == v:
            return lit.text  # keep the unit the author chose: 24h, not 1d
        return L.spell_duration(v)
    if kind == "date":
        return v.isoformat()
    if kind == "datetime":
        return L.spell_datetime(v)
    raise ValueError(f"unknown literal kind {kind!r}")


def plain_number(value: float) -> int | float:
    """A number as a clause (score, band, sla_hours) or YAML value holds it: integral values as ints."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)


def format_number(value: float) -> str:
    """A number in a ``.rules`` clause: integral values without ``.0``."""
    number = plain_number(value)
    return str(number) if isinstance(number, int) else L.spell_number(number)


def format_cell(cell: A.Expr) -> str:
    """Canonical text of a decision-table cell (the inverse of ``parse_cell``).

    >>> from riskrules.dsl.parser import parse_cell
    >>> format_cell(parse_cell("[0.05 .. 0.10)")), format_cell(parse_cell(" - "))
    ('[0.05..0.1)', '-')
    """
    match cell:
        case A.Literal(value=True, kind="bool"):
            return "-"
        case A.Binary(op=op, left=A.Placeholder(), right=v) if op in A.COMPARE_OPS:
            return _fmt(v, ADD) if op == "==" else f"{op} {_fmt(v, ADD)}"
        case A.In(item=A.Placeholder(), container=A.ListLit(items=items), negated=True) if items:
            return "not(" + ", ".join(_fmt(i, ADD) for i in items) + ")"
        case A.In(item=A.Placeholder(), container=A.ListLit(items=items), negated=False) if items:
            text = ", ".join(_fmt(i, ADD) for i in items)
            return text + "," if len(items) == 1 else text
        case A.IsMissing(value=A.Placeholder(), negated=neg):
            return "is present" if neg else "is missing"
        case A.Range(low=lo, high=hi, low_closed=lc, high_closed=hc):
            low = _fmt(lo, ADD) if lo is not None else ""
            high = _fmt(hi, ADD) if hi is not None else ""
            return f"{'[' if lc else '('}{low}..{high}{']' if hc else ')'}"
        case A.Binary(op="or", left=left, right=right):  # several tests: `< 18, >= 60`
            return f"{format_cell(left)}, {format_cell(right)}"
        case A.Binary(op="and", left=A.IsMissing(value=A.Placeholder(), negated=True), right=A.Unary(op="not", operand=inner)):
            return f"not({format_cell(inner)})"
    raise ValueError(f"{cell!r} cannot be written as a table cell")
