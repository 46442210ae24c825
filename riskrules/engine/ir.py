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

from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Callable, ClassVar, get_args

from ..dsl.ast import Span
from .types import BOOL, Type

_NOSPAN = Span("<ir>", 1, 1, 1, 1)


def _span() -> Any:
    return field(default=_NOSPAN, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Const:
    CHILDREN: ClassVar[tuple[str, ...]] = ()
    value: Any
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Path:
    """An input field: ``steps`` into the validated input dict."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    steps: tuple[str, ...]
    type: Type
    optional: tuple[bool, ...]  # per step: may this step be missing?
    span: Span = _span()

    @property
    def nullable(self) -> bool:
        return any(self.optional)


@dataclass(frozen=True, slots=True)
class Feat:
    CHILDREN: ClassVar[tuple[str, ...]] = ()
    name: str
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ModelOut:
    """``models.<name>`` (output ``probability``) or ``models.<name>.points``."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    model: str
    output: str
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class RulesAgg:
    """``rules.score`` / ``rules.any_fired`` / ``rules.count`` over fired active rules."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    name: str
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class TableOut:
    CHILDREN: ClassVar[tuple[str, ...]] = ()
    table: str
    output: str
    type: Type
    span: Span = _span()
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """``decision.score`` or ``decision.outcome``."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    name: str
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Now:
    CHILDREN: ClassVar[tuple[str, ...]] = ()
    type: Type
    span: Span = _span()
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """The input value inside a decision-table cell."""

    CHILDREN: ClassVar[tuple[str, ...]] = ()
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Op:
    """Arithmetic (``+ - * / % neg``), comparison (``== != < <= > >=``) or logic (``and or not``)."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("args",)
    op: str
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Member:
    """``item in container``; ``container`` is a Const frozenset (lists) or a list-typed node."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("item", "container")
    item: Any
    container: Any
    negated: bool
    span: Span = _span()
    list_name: str | None = None
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Between:
    CHILDREN: ClassVar[tuple[str, ...]] = ("value", "low", "high")
    value: Any
    low: Any
    high: Any
    span: Span = _span()
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Missing:
    """``value is missing`` (negated: ``is present``)."""

    CHILDREN: ClassVar[tuple[str, ...]] = ("value",)
    value: Any
    negated: bool
    span: Span = _span()
    type: Type = BOOL
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class If:
    CHILDREN: ClassVar[tuple[str, ...]] = ("cond", "then", "other")
    cond: Any
    then: Any
    other: Any
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Coalesce:
    CHILDREN: ClassVar[tuple[str, ...]] = ("args",)
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    CHILDREN: ClassVar[tuple[str, ...]] = ("args",)
    func: str
    args: tuple
    type: Type
    nullable: bool
    span: Span = _span()


Node = Const | Path | Feat | ModelOut | RulesAgg | TableOut | DecisionRef | Now | Cell | Op | Member | Between | Missing | If | Coalesce | Call

COMPARE = ("==", "!=", "<", "<=", ">", ">=")
ARITH = ("+", "-", "*", "/", "%")

# -- the contract every node kind keeps ----------------------------------------
# A node kind is a frozen dataclass listed in ``Node`` that names its child fields in
# ``CHILDREN`` (in evaluation order; the field ``args`` holds a tuple of children). From
# these two facts come children(), rebuild() and every Visitor's dispatch table; a
# test (tests/engine/test_ir_contract.py) names each backend that lacks a handler.

NODES: tuple[type, ...] = get_args(Node)


def _getter(fields: tuple[str, ...]) -> Callable:
    if not fields:
        return lambda n: ()
    if fields == ("args",):
        return attrgetter("args")
    if len(fields) == 1:
        get = attrgetter(fields[0])
        return lambda n: (get(n),)
    return attrgetter(*fields)


def _setter(fields: tuple[str, ...]) -> Callable:
    if not fields:
        return lambda n, new: n
    if fields == ("args",):
        return lambda n, new: replace(n, args=tuple(new))
    return lambda n, new: replace(n, **dict(zip(fields, new)))


_CHILDREN = {k: _getter(k.CHILDREN) for k in NODES}
_REBUILD = {k: _setter(k.CHILDREN) for k in NODES}


def _not_a_node(n):
    raise TypeError(f"{type(n).__name__} is not an IR node kind: list it in ir.Node and give it CHILDREN")


def children(n) -> tuple:
    """The child nodes of ``n``, in evaluation order."""
    return _CHILDREN.get(type(n), _not_a_node)(n)


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
    return _REBUILD.get(type(n), _not_a_node)(n, new_children)


class _Handlers(dict):
    """A visitor's node class -> handler table; a missing kind fails naming backend and node."""

    __slots__ = ("owner", "prefix")

    def __missing__(self, kind):
        raise NotImplementedError(f"{self.owner} has no handler for IR node {kind.__name__}"
                                  f" (add {self.owner}.{self.prefix}{kind.__name__})")


class Visitor:
    """The base of every backend that walks the IR (codegen, interpreter, batch, text).

    A backend names one method per node kind, ``<prefix><NodeClass>``, e.g.
    ``visit_If`` (the prefix is a class attribute, so each backend keeps its own
    verb: ``x_If`` compiles, ``ev_If`` evaluates). The table from node class to
    method is built once, when the class is defined, and :meth:`visit` is one
    dictionary lookup. :meth:`missing` lists the node kinds a backend cannot
    handle; the contract test fails on any.

        >>> class Depth(Visitor):
        ...     def visit_Const(self, n): return 1
        ...     def visit_Op(self, n): return 1 + max(self.visit(a) for a in n.args)
        >>> Depth.missing()[:3]
        ['Path', 'Feat', 'ModelOut']
    """

    __slots__ = ()
    prefix: ClassVar[str] = "visit_"
    handlers: ClassVar[dict[type, Callable]] = {}

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        table = _Handlers()
        table.owner, table.prefix = f"{cls.__module__}.{cls.__qualname__}", cls.prefix
        for kind in NODES:
            handler = getattr(cls, cls.prefix + kind.__name__, None)
            if handler is not None:
                table[kind] = handler
        cls.handlers = table

    def visit(self, n):
        return self.handlers[type(n)](self, n)

    @classmethod
    def missing(cls) -> list[str]:
        """Node kinds this visitor has no handler for."""
        return [k.__name__ for k in NODES if k not in cls.handlers]

    @classmethod
    def strays(cls) -> list[str]:
        """Handler-like methods that match no node kind (a renamed or removed node)."""
        names = {k.__name__ for k in NODES}
        return sorted(a for a in dir(cls) if a.startswith(cls.prefix) and a[len(cls.prefix):][:1].isupper()
                      and a[len(cls.prefix):] not in names)


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
