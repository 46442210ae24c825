"""The riskrules abstract syntax tree.

Both ruleset formats (YAML with expressions in strings, and the single-file
``.rules`` text format) parse to these nodes. Every node is a frozen, slotted
dataclass carrying a :class:`Span` into the real source file, so that the
checker can point a caret at the exact character of a problem, also for an
expression written inside a YAML string.

Rewrites build new nodes with :func:`dataclasses.replace`; there are no parent
pointers. Meaning (name resolution, types) is checked later, in
``riskrules.engine.check``; the parser only builds shapes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @staticmethod
    def unknown(file: str = "<input>") -> "Span":
        return Span(file, 1, 1, 1, 1)


NO_SPAN = Span("<builtin>", 1, 1, 1, 1)


# --------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------

#: kinds of literal: the value's Python type follows the kind
#:   int -> int, number -> float (written with a decimal point or exponent),
#:   string -> str, bool -> bool, null -> None,
#:   duration -> datetime.timedelta, date -> datetime.date,
#:   datetime -> datetime.datetime (timezone-aware; UTC when none is written)
#:   decimal -> decimal.Decimal (written 12.50d; its digits after the point are kept)
LITERAL_KINDS = ("int", "number", "string", "bool", "null", "duration", "date", "datetime", "decimal")


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    kind: str
    span: Span
    text: str = ""  # the literal as written, for the canonical printer (e.g. "30m")


@dataclass(frozen=True, slots=True)
class Name:
    """A dotted path: ``applicant.age``, ``dti``, ``models.pd.points``, ``rules.any_fired``."""

    parts: tuple[str, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """The input value of a decision-table cell (written implicitly: ``< 0.05``)."""

    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" | "not"
    operand: "Expr"
    span: Span


#: binary operators, by precedence group
ARITH_OPS = ("+", "-", "*", "/", "%")
COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
BOOL_OPS = ("and", "or")


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: "Expr"
    right: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple["Expr", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class In:
    """``item in container`` / ``item not in container``.

    ``container`` is a :class:`ListLit`, a :class:`Name` naming a declared list
    (``blocked_devices``) or any list-typed expression (``transfer.categories``).
    """

    item: "Expr"
    container: "Expr"
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Between:
    """``value between low and high`` — both bounds inclusive."""

    value: "Expr"
    low: "Expr"
    high: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class IsMissing:
    """``x is missing`` (negated=False) / ``x is present`` or ``x is not missing`` (negated=True)."""

    value: "Expr"
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class IfElse:
    cond: "Expr"
    then: "Expr"
    other: "Expr"
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple["Expr", ...]
    span: Span
    func_span: Span | None = None  # span of the function name alone


@dataclass(frozen=True, slots=True)
class Range:
    """A decision-table range cell ``[low..high)``; open ends are ``None``."""

    low: "Expr | None"
    high: "Expr | None"
    low_closed: bool
    high_closed: bool
    span: Span


Expr = Union[Literal, Name, Placeholder, Unary, Binary, ListLit, In, Between, IsMissing, IfElse, Call, Range]


# --------------------------------------------------------------------------
# Input schema
# --------------------------------------------------------------------------

SCALAR_TYPES = ("int", "number", "string", "bool", "date", "datetime", "duration", "decimal")


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A declared type. ``name`` is a scalar type, ``enum``, ``list`` or ``object``."""

    name: str
    span: Span
    values: tuple[str, ...] = ()  # enum
    item: "TypeRef | None" = None  # list
    fields: tuple["Field", ...] = ()  # object
    scale: int | None = None  # decimal(2); None: the default (2)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: TypeRef
    optional: bool
    span: Span
    description: str = ""


@dataclass(frozen=True, slots=True)
class Schema:
    fields: tuple[Field, ...]
    span: Span
    path: str | None = None  # the schema file, when declared in one


# --------------------------------------------------------------------------
# Ruleset parts
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListDef:
    """A named list: inline items or a file (one item per line, ``#`` comments)."""

    name: str
    items: tuple[Literal, ...]
    span: Span
    path: str | None = None  # relative to the ruleset file, as written


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    expr: Expr
    span: Span
    description: str = ""


@dataclass(frozen=True, slots=True)
class ModelInput:
    name: str  # the model's own feature name
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model node. ``kind`` names a registered model provider (``scorecard``, ``sklearn``, …)."""

    name: str
    kind: str
    path: str  # relative to the ruleset file, as written
    inputs: tuple[ModelInput, ...]
    span: Span
    version: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeDef:
    """A custom outcome label (besides approve / review / decline)."""

    name: str
    severity: int
    adverse: bool
    span: Span


RULE_STATUSES = ("active", "shadow", "disabled")
BUILTIN_OUTCOMES = {"approve": 0, "review": 50, "decline": 100}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    when: Expr
    span: Span
    name: str = ""
    action: str | None = None  # approve | review | decline | custom outcome; None = points only
    reason: str | None = None
    severity: int | None = None  # ranks reasons; defaults to the outcome's severity
    score: float = 0.0  # points added to rules.score when the rule fires
    priority: int = 0  # first_match: higher goes first; ties keep file order
    status: str = "active"
    tags: tuple[str, ...] = ()
    description: str = ""
    provenance: tuple[tuple[str, Any], ...] = ()  # learned rules: case ids, reviewer, backtest
    id_span: Span | None = None
    action_span: Span | None = None


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[Expr, ...]  # one unary test per input; Placeholder-based predicates
    outputs: tuple[Expr, ...]  # one expression per output
    span: Span
    priority: int = 0


#: DMN's hit policies by name: U unique, A any, P priority, F first, R rule_order,
#: O output_order, C collect (with an aggregate: C+ sum, C< min, C> max, C# count)
HIT_POLICIES = ("unique", "any", "first", "priority", "rule_order", "output_order", "collect")
AGGREGATES = ("sum", "min", "max", "count")


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    hit: str
    inputs: tuple[Expr, ...]
    outputs: tuple[str, ...]
    rows: tuple[TableRow, ...]
    span: Span
    aggregate: str | None = None  # collect only
    default: tuple[Expr, ...] | None = None  # outputs when no row matches
    description: str = ""
    # per output, its allowed values in decreasing priority (DMN output values), or None;
    # empty when no output declares any
    output_values: tuple[tuple[Expr, ...] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Band:
    """``decision.score >= min`` gives ``outcome`` (bands are tried highest min first)."""

    min: float | None  # None: the catch-all band
    outcome: str
    span: Span
    reason: str | None = None


POLICIES = ("first_match", "worst", "score")


@dataclass(frozen=True, slots=True)
class DecisionBlock:
    policy: str
    span: Span
    score: Expr | None = None
    bands: tuple[Band, ...] = ()
    default: str = "approve"  # the outcome when no rule fires (and no band applies)


@dataclass(frozen=True, slots=True)
class ReviewBlock:
    span: Span
    unexplained: Expr | None = None
    anomaly_threshold: float | None = None
    anomaly_model: str | None = None
    sla_hours: float = 24.0
    amount: Expr | None = None  # the input field with the amount at stake (review priority)
    id: Expr | None = None  # the input field naming the application (outcome files match on it)


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    version: str
    schema: Schema
    span: Span
    description: str = ""
    on_error: str = "review"
    lists: tuple[ListDef, ...] = ()
    features: tuple[Feature, ...] = ()
    models: tuple[ModelRef, ...] = ()
    outcomes: tuple[OutcomeDef, ...] = ()
    rules: tuple[Rule, ...] = ()
    tables: tuple[Table, ...] = ()
    decision: DecisionBlock | None = None
    review: ReviewBlock | None = None
    tests: str | None = None  # folder or file of test cases, relative
    decision_time: Name | None = None  # the input field every decision is taken as of
    includes: tuple[str, ...] = ()  # further rule files merged in (e.g. learned.yaml)
    source: str = ""  # path of the main file
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def walk(expr: Expr):
    """Yield ``expr`` and every sub-expression, depth first, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        stack.extend(reversed(children(node)))


def children(node: Expr) -> tuple:
    match node:
        case Unary(operand=o):
            return (o,)
        case Binary(left=a, right=b):
            return (a, b)
        case ListLit(items=items):
            return items
        case In(item=a, container=b):
            return (a, b)
        case Between(value=a, low=b, high=c):
            return (a, b, c)
        case IsMissing(value=a):
            return (a,)
        case IfElse(cond=a, then=b, other=c):
            return (a, b, c)
        case Call(args=args):
            return args
        case Range(low=a, high=b):
            return tuple(x for x in (a, b) if x is not None)
        case _:
            return ()
