"""The typed intermediate representation: a DAG of expression nodes.

The checker lowers AST expressions to these nodes once every name is resolved
and every type is known. Nodes compare and hash by structure (spans are left
out of equality), so interning them in :class:`Interner` turns a ruleset's
expressions into a DAG in which a common sub-expression is one node, computed
once per decision by every backend.

``nullable`` says whether a node can be missing (``None``) at run time; a
comparison is never nullable (missing makes it false), a path to an optional
field always is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dsl.ast import Span
from .types import BOOL, Type

_NOSPAN = Span("<ir>", 1, 1, 1, 1)


def _span() -> Any:
    return field(default=_NOSPAN, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Const:
    value: Any
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Path:
    """An input field: ``steps`` into the validated input dict."""

    steps: tuple[str, ...]
    type: Type
    optional: tuple[bool, ...]  # per step: may this step be missing?
    span: Span = _span()

    @property
    def nullable(self) -> bool:
        return any(self.optional)


@dataclass(frozen=True, slots=True)
class Feat:
    name: str
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ModelOut:
    """``models.<name>`` (output ``probability``) or ``models.<name>.points``."""

    model: str
    output: str
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class RulesAgg:
    """``rules.score`` / ``rules.any_fired`` / ``rules.count`` over fired active rules."""

    name: str
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class TableOut:
    table: str
    output: str
    type: Type
    span: Span = _span()
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """``decision.score`` or ``decision.outcome``."""

    name: str
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Now:
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """The input value inside a decision-table cell."""

    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Op:
    """Arithmetic (``+ - * / % neg``), comparison (``== != < <= > >=``) or logic (``and or not``)."""

    op: str
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Member:
    """``item in container``; ``container`` is a Const frozenset (lists) or a list-typed node."""

    item: Any
    container: Any
    negated: bool
    span: Span = _span()
    list_name: str | None = None
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Between:
    value: Any
    low: Any
    high: Any
    span: Span = _span()
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Missing:
    """``value is missing`` (negated: ``is present``)."""

    value: Any
    negated: bool
    span: Span = _span()
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class If:
    cond: Any
    then: Any
    other: Any
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Coalesce:
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


Node = Const | Path | Feat | ModelOut | RulesAgg | TableOut | DecisionRef | Now | Cell | Op | Member | Between | Missing | If | Coalesce | Call

COMPARE = ("==", "!=", "<", "<=", ">", ">=")
ARITH = ("+", "-", "*", "/", "%")


def children(n) -> tuple:
    match n:
        case Op(args=a) | Coalesce(args=a) | Call(args=a):
            return a
        case Member(item=i, container=c):
            return (i, c)
        case Between(value=v, low=lo, high=hi):
            return (v, lo, hi)
        case Missing(value=v):
            return (v,)
        case If(cond=c, then=t, other=o):
            return (c, t, o)
        case _:
            return ()


def walk(n):
    """Every node under ``n`` (``n`` included), parents first; shared nodes once."""
    seen: set[int] = set()
    stack = [n]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        yield x
        stack.extend(reversed(children(x)))


def rebuild(n, new_children: tuple):
    """A copy of ``n`` with its children replaced (same order as :func:`children`)."""
    from dataclasses import replace

    match n:
        case Op() | Coalesce() | Call():
            return replace(n, args=tuple(new_children))
        case Member():
            return replace(n, item=new_children[0], container=new_children[1])
        case Between():
            return replace(n, value=new_children[0], low=new_children[1], high=new_children[2])
        case Missing():
            return replace(n, value=new_children[0])
        case If():
            return replace(n, cond=new_children[0], then=new_children[1], other=new_children[2])
        case _:
            return n


class Interner:
    """Hash-consing: structurally equal nodes become one object (the DAG's sharing)."""

    def __init__(self) -> None:
        self._table: dict = {}

    def __call__(self, n):
        try:
            return self._table.setdefault(n, n)
        except TypeError:  # an unhashable constant (should not happen): keep as is
            return n

    def deep(self, n):
        kids = children(n)
        if kids:
            new = tuple(self.deep(k) for k in kids)
            if any(a is not b for a, b in zip(new, kids)):
                n = rebuild(n, new)
        return self(n)


# -- cost model: cheap conditions first ------------------------------------

_BASE_COST = {Const: 0, Path: 1, Cell: 0, Now: 0, Feat: 2, RulesAgg: 1, DecisionRef: 1, TableOut: 1}


def cost(n, features: dict | None = None, _memo: dict | None = None) -> float:
    """Rough relative cost of evaluating ``n`` (model outputs are expensive)."""
    if isinstance(n, ModelOut):
        return 50.0
    if isinstance(n, Feat) and features is not None and n.name in features:
        return 2 + cost(features[n.name], features)
    base = _BASE_COST.get(type(n))
    if base is not None:
        return float(base)
    own = 8.0 if isinstance(n, Call) else 1.0
    return own + sum(cost(k, features) for k in children(n))


def may_fault(n, features: dict | None = None) -> bool:
    """Could evaluating ``n`` raise? (division, calls, models, faulting features)."""
    for x in walk(n):
        if isinstance(x, Op) and x.op in ("/", "%"):
            return True
        if isinstance(x, (Call, ModelOut, TableOut)):
            return True
        if isinstance(x, Feat) and features is not None and x.name in features:
            if may_fault(features[x.name], features):
                return True
    return False
