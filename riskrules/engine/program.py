"""The checked program: what every backend (codegen, interpreter, batch) runs.

A :class:`Program` is the evaluation graph of one ruleset: features, models,
rules, tables, the decision score and the review condition, each an IR node of
one shared, interned DAG, in the one order evaluation follows:
features -> models -> rules -> tables -> decision -> review.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..dsl import ast as A
from ..dsl.diagnostics import Diagnostic
from .types import Type


@dataclass(frozen=True)
class RuleIR:
    index: int  # position among compiled rules (active first, then shadow)
    id: str
    name: str
    cond: Any
    action: str | None
    reason: str | None
    severity: int
    score: float
    priority: int
    status: str
    span: A.Span
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowIR:
    cells: tuple  # one predicate per input (over ir.Cell)
    outputs: tuple
    priority: int
    span: A.Span


@dataclass(frozen=True)
class TableIR:
    name: str
    hit: str
    aggregate: str | None
    inputs: tuple
    input_types: tuple[Type, ...]
    outputs: tuple[str, ...]
    output_types: tuple[Type, ...]
    rows: tuple[RowIR, ...]
    default: tuple | None
    span: A.Span


@dataclass(frozen=True)
class ModelIR:
    name: str
    kind: str
    version: str
    inputs: tuple  # IR nodes, in the model's input order
    model: Any  # callable: tuple of values -> ModelResult
    span: A.Span


@dataclass(frozen=True)
class Program:
    """Immutable: a compiler stage makes a new one (``dataclasses.replace``), never edits one."""

    name: str
    version: str
    digest: str
    policy: str
    default_outcome: str
    on_error: str
    outcomes: dict[str, tuple[int, bool]]  # name -> (severity, adverse)
    schema: Type
    features: dict[str, Any]  # in dependency order
    models: dict[str, ModelIR]
    rules: tuple[RuleIR, ...]  # active rules in evaluation order (first_match: priority order)
    shadow: tuple[RuleIR, ...]
    tables: dict[str, TableIR]  # in dependency order
    score: Any | None
    bands: tuple[A.Band, ...]
    unexplained: Any | None
    ast: A.Ruleset
    source: str = ""
    review: A.ReviewBlock | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # the warnings the stages found (lower, analyse)
    decision_time: Any | None = None  # ir.Path of the datetime field decisions are taken as of; None: wall clock

    @property
    def all_rules(self) -> tuple[RuleIR, ...]:
        return self.rules + self.shadow

    def severity(self, outcome: str) -> int:
        return self.outcomes[outcome][0]

    def uses(self) -> set[str]:
        """Which late-stage values anything refers to (rules.score, tables…), for pruning work."""
        from . import ir

        used: set[str] = set()
        roots = [r.cond for r in self.all_rules]
        roots += [n for t in self.tables.values() for n in t.inputs]
        roots += [c for t in self.tables.values() for row in t.rows for c in row.cells + row.outputs]
        roots += [c for t in self.tables.values() for c in (t.default or ())]
        roots += [x for x in (self.score, self.unexplained) if x is not None]
        for root in roots:
            for n in ir.walk(root):
                if isinstance(n, ir.RulesAgg):
                    used.add(f"rules.{n.name}")
                elif isinstance(n, ir.DecisionRef):
                    used.add(f"decision.{n.name}")
        return used


class Fault(NamedTuple):
    """A fault one evaluation contained (it never escapes ``decide()``)."""

    where: int | str  # RuleIR.index of a rule, "table:<name>", "score" or "review"
    error: Exception


class Evaluation(NamedTuple):
    """What one evaluation of a :class:`Program` yields, whichever backend ran it.

    The generated code and the interpreter return it; the runtime makes a Decision
    of it. A NamedTuple, so building and reading it costs what a tuple does.
    """

    fired: list[int]  # RuleIR.index of each active rule that fired, in evaluation order
    shadow: list[int]  # RuleIR.index of each shadow rule that would have fired
    errors: list[Fault]
    tables: dict[str, dict]  # table -> output -> value
    score: Any  # decision.score (None when there is none or it faulted)
    outcome: str
    reasons: tuple  # principal reasons (policies.Reason), at most four
    unexplained: bool | None  # review.unexplained (None when the ruleset has no review block)
    models: dict[str, Any]  # model -> its result, for each model computed (else the not-computed marker)
