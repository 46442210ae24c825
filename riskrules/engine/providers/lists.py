"""Named lists (``lists:``): inline literals, or a file of one item per line.

A list binds to a constant set, which every backend already evaluates (an ``in``
test over a constant): its per-backend adapter is the constant. The loader read
the file and the dsl parsed its lines into literals; binding decides the item type.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...dsl import ast as A
from ...dsl.diagnostics import Diagnostic, error
from ..types import ANY, NULL, STRING, Type, unify


@dataclass(frozen=True)
class BoundList:
    item: Type
    values: frozenset
    as_text: frozenset | None  # the same values as written, for an int list matched against a string field

    def scope_entry(self) -> tuple[Type, frozenset, frozenset | None]:
        return self.item, self.values, self.as_text


def bind_list(ld: A.ListDef) -> tuple[BoundList, list[Diagnostic]]:
    """The list's item type and values.

    Items read from a list file carry no type: digit-only lines (phone or ID numbers) read
    as integers, but the text is kept, so the list still matches a string field.
    A file list mixing both (IDs ending in X) is a list of strings.
    """
    from ..resolve import LITERAL_TYPES

    as_text = frozenset(lit.text or str(lit.value) for lit in ld.items) if ld.path else None
    kinds = {lit.kind for lit in ld.items}
    if ld.path and len(kinds) > 1 and kinds <= {"int", "string"}:
        return BoundList(STRING, as_text, None), []
    problems = []
    t = NULL
    for lit in ld.items:
        u = unify(t, LITERAL_TYPES[lit.kind])
        if u == ANY:
            problems.append(error("E203", f"list '{ld.name}' mixes {t} and {lit.kind} items", lit.span))
            break
        t = u
    return BoundList(t, frozenset(lit.value for lit in ld.items), as_text if t.name == "int" else None), problems
