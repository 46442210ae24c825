"""Limits that keep hostile rule text from hanging or exhausting a service.

Checked without recursion, before the transformer runs:

* :func:`scan_brackets` rejects bracket nesting deeper than ``MAX_DEPTH`` from
  the raw text, so ``((((…`` a hundred thousand deep fails at once;
* :func:`check_tree` walks the parse tree with an explicit stack: expression
  nesting, literal decoding (bad dates, escapes, oversized strings), list sizes
  and reserved words used as names.
"""
from __future__ import annotations

import re

from lark import Token, Tree

from . import literals as L
from .diagnostics import Diagnostic, error
from .positions import Locator

MAX_DEPTH = 64
MAX_FILE_BYTES = 5 * 1024 * 1024

#: expression words that cannot be names unless quoted with backticks
KEYWORDS = frozenset("and or not in between is missing present if then else true false null".split())

#: parse-tree nodes that nest expressions (counted for MAX_DEPTH)
_EXPR_NODES = frozenset(
    "ifelse or_ and_ not_ compare in_ not_in between is_missing is_present binary neg call list".split()
)
_LIST_NODES = frozenset(("args", "literals", "cell_in"))

_DECODERS = {
    "INT": L.decode_int,
    "DECIMAL": L.decode_number,
    "STRING": L.decode_string,
    "DURATION": L.decode_duration,
    "DATE": L.decode_date,
    "DATETIME": L.decode_datetime,
}

_BRACKETS = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|\#[^\n]*|[(\[{]|[)\]}]""")


def scan_brackets(text: str, locate: Locator) -> Diagnostic | None:
    """E103 at the first bracket nested deeper than ``MAX_DEPTH``, else None."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                return _too_deep(locate(m.start(), m.end()))
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return None


def _too_deep(span) -> Diagnostic:
    return error("E103", f"expression is nested more than {MAX_DEPTH} levels deep", span,
                 hint="split it into features")


def check_tree(tree: Tree, locate: Locator) -> list[Diagnostic]:
    """Every limit and literal problem in ``tree`` (iterative, any size)."""
    found: list[Diagnostic] = []
    deepest_reported = False
    stack: list[tuple[object, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            _check_token(node, locate, found)
            continue
        assert isinstance(node, Tree)
        if node.data in _EXPR_NODES:
            depth += 1
            if depth > MAX_DEPTH:
                if not deepest_reported:
                    found.append(_too_deep(_span(node, locate)))
                    deepest_reported = True
                continue
        if node.data in _LIST_NODES:
            _check_list_size(node, locate, found)
        if node.data == "name":
            _check_name(node, locate, found)
        stack.extend((child, depth) for child in reversed(node.children) if child is not None)
    return found


def _span(node: Tree, locate: Locator):
    meta = node.meta
    if getattr(meta, "empty", True):
        return locate(0, 0)
    return locate(meta.start_pos, meta.end_pos)


def _check_token(token: Token, locate: Locator, found: list[Diagnostic]) -> None:
    decode = _DECODERS.get(token.type)
    if decode is None:
        return
    try:
        decode(token.value)
    except L.LiteralError as e:
        start = token.start_pos + e.offset
        end = start + e.length if e.length else token.end_pos
        found.append(error(e.code, e.message, locate(start, end)))


def _check_list_size(node: Tree, locate: Locator, found: list[Diagnostic]) -> None:
    items = node.children
    if len(items) > L.MAX_LIST:
        found.append(error("E104", f"list has {len(items)} items; at most {L.MAX_LIST} are allowed",
                           _span(node, locate), hint="declare a list file under lists:"))


def _check_name(node: Tree, locate: Locator, found: list[Diagnostic]) -> None:
    for part in node.children:
        if isinstance(part, Token) and part.type == "NAME" and part.value in KEYWORDS:
            found.append(error("E101", f"'{part.value}' is a reserved word and cannot be used as a name",
                               locate(part.start_pos, part.end_pos),
                               hint=f"quote it with backticks: `{part.value}`"))
