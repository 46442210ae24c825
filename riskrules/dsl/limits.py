"""Limits that keep hostile rule text from hanging or exhausting a service.

Checked without recursion, before the transformer runs:

* :func:`scan_brackets` rejects bracket nesting deeper than ``MAX_DEPTH`` from
  the raw text, so ``((((…`` a hundred thousand deep fails at once;
* :class:`DepthTree` (lark's ``tree_class``) measures expression nesting as
  the LALR parser reduces and aborts the parse at the first node deeper than
  ``MAX_DEPTH``, so ``1 + 1 + …`` a hundred thousand long fails after a few
  hundred tokens; ``MAX_PARSER_STACK`` does the same for right-nested input
  (``not not not …``) that the parser shifts before it reduces;
* :func:`check_tree` walks the finished parse tree with an explicit stack:
  literal decoding (bad dates, escapes, oversized strings), list sizes and
  reserved words used as names.
"""
from __future__ import annotations

import re

from lark import Token, Tree

from . import literals as L
from .diagnostics import Diagnostic, error
from .positions import Locator

MAX_DEPTH = 64
MAX_FILE_BYTES = 5 * 1024 * 1024
#: a parser stack this tall means nesting far beyond MAX_DEPTH (a nesting level
#: holds at most a handful of stack entries)
MAX_PARSER_STACK = 1000

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
    "MONEY": L.decode_decimal,
    "STRING": L.decode_string,
    "DURATION": L.decode_duration,
    "DATE": L.decode_date,
    "DATETIME": L.decode_datetime,
}

_BRACKETS = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|\#[^\n]*|[(\[{]|[)\]}]""")


class NestingTooDeep(Exception):
    """Raised from inside the parser; ``start`` is an offset into the parsed text."""

    def __init__(self, start: int) -> None:
        super().__init__(start)
        self.start = start


class DepthTree(Tree):
    """A parse-tree node that knows its expression nesting depth."""

    __slots__ = ("depth",)

    def __init__(self, data, children, meta=None) -> None:
        super().__init__(data, children, meta)
        if data.startswith("_"):
            # lark's helper for `x*`: rebuilt (and spliced into its parent) at
            # every item, so measuring it here would be quadratic
            self.depth = 0
            return
        depth = 0
        for c in children:  # a loop: max() over a generator costs 4x as much on a few children
            d = getattr(c, "depth", 0)
            if d > depth:
                depth = d
        if data in _EXPR_NODES:
            depth += 1
            if depth > MAX_DEPTH:
                raise NestingTooDeep(_first_offset(children))
        self.depth = depth


def _first_offset(children) -> int:
    for c in children:
        if isinstance(c, Token) and c.start_pos is not None:
            return c.start_pos
        meta = getattr(c, "_meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return meta.start_pos
    return 0


def too_deep(span) -> Diagnostic:
    return error("E103", f"expression is nested more than {MAX_DEPTH} levels deep", span,
                 hint="split it into features")


def scan_brackets(text: str, locate: Locator) -> Diagnostic | None:
    """E103 at the first bracket nested deeper than ``MAX_DEPTH``, else None."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                return too_deep(locate(m.start(), m.end()))
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return None


def check_tree(tree: Tree, locate: Locator) -> list[Diagnostic]:
    """Every literal, list-size and reserved-word problem in ``tree`` (iterative)."""
    found: list[Diagnostic] = []
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Token):
            _check_token(node, locate, found)
            continue
        assert isinstance(node, Tree)
        if node.data in _LIST_NODES:
            _check_list_size(node, locate, found)
        if node.data == "name":
            _check_name(node, locate, found)
        stack.extend(child for child in reversed(node.children) if child is not None)
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
