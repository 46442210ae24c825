"""Comments of a YAML ruleset: found between PyYAML's tokens, attached to items by path.

PyYAML's scanner skips comments, but every comment lies in a gap between two
tokens it yields, and every scalar (plain, quoted or block) lies inside one
token: so a ``#`` inside an expression string is never taken for a YAML
comment. (A ``#`` comment *inside* an expression is the expression's own and is
collected by the expression parser.) The one comment inside a token is the one
after a block scalar's header, ``when: |  # note``. We watch the tokens the
composing loader consumes anyway (:class:`GapComments`), so nothing is scanned
twice; ruamel.yaml keeps comments too, but only round-trips its own output
style and would mean a second YAML stack next to the safe loader.
"""
from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.tokens import ScalarToken

from . import ast as A
from .comments import Anchor, Comment, comment
from .positions import LineIndex

_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*[ \t]+(#[^\n]*)")


class GapComments:
    """Feed it every token in order; ``comments(file, index)`` gives the comments between them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last_end = 0
        self.found: list[tuple[int, int]] = []  # (start, end) offsets of each comment

    def feed(self, token) -> None:
        start, end = token.start_mark.index, token.end_mark.index
        if start > self.last_end:
            self._gap(self.last_end, start)
        if isinstance(token, ScalarToken) and token.style in ("|", ">"):
            m = _BLOCK_HEADER_COMMENT.match(self.text, start)
            if m:
                self.found.append((m.start(1), m.end(1)))
        self.last_end = max(self.last_end, end)

    def finish(self) -> None:
        self._gap(self.last_end, len(self.text))
        self.last_end = len(self.text)

    def _gap(self, start: int, end: int) -> None:
        text = self.text
        i = text.find("#", start, end)
        while i >= 0:
            eol = text.find("\n", i, end)
            stop = end if eol < 0 else eol
            self.found.append((i, stop))
            i = text.find("#", stop, end)

    def comments(self, file: str, index: LineIndex) -> list[Comment]:
        out = []
        for start, end in self.found:
            a, b = index.position(start), index.position(end)
            out.append(comment(self.text[start:end], A.Span(file, a[0], a[1], b[0], b[1])))
        return out


def logical_key(path: tuple) -> tuple:
    """A YAML data path as a comment key: schema fields lose the ``?`` of optional objects."""
    if path and path[0] == "schema":
        return (path[0],) + tuple(p[:-1] if isinstance(p, str) and p.endswith("?") else p for p in path[1:])
    return tuple(path)


def yaml_anchors(doc) -> list[Anchor]:
    """Every mapping entry and sequence item of a composed document (see ``yaml_safe.YamlDoc``)."""
    seen: set[int] = set()
    out = []
    for path, node in doc.nodes.items():
        if not path or id(node) in seen:  # an alias repeats a node written elsewhere
            continue
        seen.add(id(node))
        first = _first_node(doc, path, node)
        start = (first.start_mark.line + 1, first.start_mark.column + 1)
        out.append(Anchor(logical_key(path), start, content_end(doc, node)))
    return out


def _first_node(doc, path: tuple, node: Node) -> Node:
    """Where an item starts: a mapping entry at its key, a sequence item at its value."""
    return doc.keys.get(path, node) if isinstance(path[-1], str) else node


def content_end(doc, node: Node) -> tuple[int, int]:
    """Where the last character of ``node``'s own text is (not the blank lines or comments after it)."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    i = node.end_mark.index
    lower = node.start_mark.index + 1
    while i > lower and doc.text[i - 1] in " \t\n":
        i -= 1
    return doc.index.position(i)


def output_lines(doc) -> dict[tuple, int]:
    """For printing: the 0-based output line where each key's item starts."""
    line_of: dict[tuple, int] = {}
    for path, node in doc.nodes.items():
        if not path:
            continue
        first = _first_node(doc, path, node)
        line_of.setdefault(logical_key(path), first.start_mark.line)
    return line_of
