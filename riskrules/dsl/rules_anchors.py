"""The items of a ``.rules`` file that comments attach to, keyed by their YAML path.

A ``.rules`` clause is named by the path the same item has in the YAML
format, so a comment keeps its item when the file is converted: ``rule`` number
*i* is ``("rules", i)``, its ``then`` clause ``("rules", i, "action")``, a table's
row *j* ``("tables", name, "rows", j)`` (see :mod:`riskrules.dsl.comments`).
"""
from __future__ import annotations

from typing import Iterator

from . import ast as A
from .comments import Anchor
from .rules_transform import Clause

_HEAD = {"ruleset", "version", "description", "on_error", "decision_time", "decision", "review", "tests"}
_RULE_KEYS = {"then": "action"}  # every other rule clause is named as in YAML


def rules_anchors(clauses: list[Clause]) -> list[Anchor]:
    """Every item and clause of a parsed ``.rules`` file, with its key and extent."""
    out: list[Anchor] = []
    counts: dict[str, int] = {}
    for c in clauses:
        n = counts.get(c.kind, 0)
        counts[c.kind] = n + 1
        out += _item(c, n)
    return out


def _anchor(key: tuple, span: A.Span, whole: bool = True) -> Anchor:
    return Anchor(key, (span.line, span.col), (span.end_line, span.end_col) if whole else None)


def _item(c: Clause, n: int) -> Iterator[Anchor]:
    kind = c.kind
    if kind in _HEAD:
        yield _anchor((kind,), c.span)
        if kind == "decision":
            yield from _decision(c.value[1])
        elif kind == "review":
            yield from (_anchor(("review", x.kind), x.span) for x in c.value)
    elif kind in ("schema", "input"):
        yield _anchor(("schema",), c.span)
        if kind == "input":
            yield from _fields(("schema",), c.value)
    elif kind == "list":
        yield _anchor(("lists", c.value.name), c.span)
    elif kind == "feature":
        yield _anchor(("features", c.value.name), c.span)
    elif kind == "outcome":
        yield _anchor(("outcomes", c.value.name), c.span)
    elif kind == "include":
        yield _anchor(("include", n), c.span)
    elif kind == "model":
        name, _, _, _, options, inputs = c.value
        key = ("models", name)
        yield _anchor(key, c.span)
        yield from (_anchor(key + (x.kind,), x.span) for x in options)
        yield from (_anchor(key + ("inputs", i.name), i.span, whole=False) for i in inputs)
    elif kind == "rule":
        key = ("rules", n)
        yield _anchor(key, c.span)
        for x in c.value[3]:
            yield _anchor(key + (_RULE_KEYS.get(x.kind, x.kind),), x.span)
    elif kind == "table":
        key = ("tables", c.value[0])
        yield _anchor(key, c.span)
        rows = 0
        for x in c.value[4]:
            if x.kind == "row":
                yield _anchor(key + ("rows", rows), x.span)
                rows += 1
            else:
                yield _anchor(key + (x.kind,), x.span)


def _decision(clauses: list[Clause]) -> Iterator[Anchor]:
    bands = 0
    for x in clauses:
        if x.kind == "band":
            yield _anchor(("decision", "bands", bands), x.span)
            bands += 1
        else:
            yield _anchor(("decision", x.kind), x.span)


def _fields(prefix: tuple, fields) -> Iterator[Anchor]:
    for f in fields:
        key = prefix + (f.name,)
        if f.type.name == "object":
            yield Anchor(key, (f.span.line, f.span.col), (f.type.span.end_line, f.type.span.end_col))
            yield from _fields(key, f.type.fields)
        else:
            yield _anchor(key, f.span, whole=False)
