"""What a backtest found, as plain dataclasses that serialise to JSON and back.

Every number is a Python ``int``/``float`` or ``None`` (never NaN), so
``json.dumps(result.to_dict())`` always works and ``BacktestResult.from_dict``
rebuilds the same object — a saved ``--format json`` run can be re-rendered later.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any

# In this product a higher score is safer (scorecard points), so the score is
# turned around before it is asked to rank bads.
SCORE_DIRECTION = "higher score = safer; AUC and KS measure how well -score ranks bads (label 1) first"


@dataclass(frozen=True)
class RuleMeta:
    """What the report needs to know about one rule (taken from ``engine.program``)."""

    id: str
    name: str = ""
    action: str | None = None
    reason: str | None = None
    status: str = "active"  # active | shadow
    score: float | None = None


@dataclass
class RuleStats:
    id: str
    name: str
    status: str
    action: str | None
    reason: str | None
    hits: int
    hit_rate: float | None
    unique_hits: int  # fired, and no other active rule did (for shadow rules: no active rule did)
    labelled_hits: int
    bad_hits: int
    precision: float | None  # bad_hits / labelled_hits
    recall: float | None  # bad_hits / all labelled bads
    lift: float | None  # precision / book bad rate
    unique_bad_hits: int = 0


@dataclass
class Overlap:
    ids: list[str]
    both: list[list[int]]  # rows where rule i and rule j both fired (diagonal = hits)
    jaccard: list[list[float | None]]


@dataclass
class OutcomeStats:
    outcome: str
    count: int
    share: float
    labelled: int
    bads: int
    bad_rate: float | None


@dataclass
class Histogram:
    edges: list[float]
    good: list[int]
    bad: list[int]
    unlabelled: list[int]


@dataclass
class ScoreStats:
    count: int  # rows with a score
    missing: int
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)  # "p50" -> value
    histogram: Histogram | None = None
    auc: float | None = None
    gini: float | None = None
    ks: float | None = None
    ks_score: float | None = None  # the score where the cumulative curves are furthest apart
    roc_fpr: list[float] = field(default_factory=list)
    roc_tpr: list[float] = field(default_factory=list)
    ks_scores: list[float] = field(default_factory=list)  # ascending
    ks_cum_bad: list[float] = field(default_factory=list)  # P(score <= s | bad)
    ks_cum_good: list[float] = field(default_factory=list)  # P(score <= s | good)
    direction: str = SCORE_DIRECTION
    note: str | None = None  # why AUC/KS are missing, when they are


@dataclass
class Summary:
    """The book-level numbers for one ruleset (both sides of a comparison have one)."""

    rows: int
    labelled: int
    bads: int
    bad_rate: float | None
    approval_rate: float | None
    approved_bad_rate: float | None  # among labelled approved rows
    outcomes: list[OutcomeStats]
    score: ScoreStats
    rows_with_errors: int = 0
    error_locations: dict[str, int] = field(default_factory=dict)  # where -> rows, top 20
    unexplained: int | None = None
    input_errors: int = 0  # rows that broke the schema and were not decided


@dataclass
class RuleChange:
    id: str
    name: str
    newly_fired: int  # changed rows where the challenger fires it and the champion does not
    no_longer_fired: int  # changed rows where the champion fires it and the challenger does not
    newly_fired_all: int = 0  # same, over every row (outcome changed or not)
    no_longer_fired_all: int = 0


@dataclass
class ChangedRow:
    row: int
    id: Any
    champion: str | None
    challenger: str | None
    champion_score: float | None
    challenger_score: float | None
    newly_fired: list[str]
    no_longer_fired: list[str]


@dataclass
class Comparison:
    """Champion (``--against``) versus challenger (the ruleset being backtested)."""

    champion: Summary
    outcomes: list[str]
    transitions: list[list[int]]  # [champion outcome][challenger outcome]
    changed: int
    changed_rate: float | None
    changed_without_rule_difference: int  # e.g. a score band or table moved the row
    approval_rate_delta: float | None  # challenger - champion
    approved_bad_rate_delta: float | None
    swap_in: int  # approved by the challenger only
    swap_in_labelled: int
    swap_in_bad_rate: float | None
    swap_out: int  # approved by the champion only
    swap_out_labelled: int
    swap_out_bad_rate: float | None
    rules: list[RuleChange]
    sample: list[ChangedRow]
    ruleset: dict[str, str] | None = None


@dataclass
class BacktestResult:
    """Everything one backtest found. ``to_dict()`` is JSON-serialisable."""

    summary: Summary
    rules: list[RuleStats]
    overlap: Overlap
    ruleset: dict[str, str] | None = None  # name, version, digest
    data: str | None = None  # the data file
    label: str | None = None  # the label column
    comparison: Comparison | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "BacktestResult":
        return _build(cls, d)


def _build(tp, v):
    """Rebuild a value of annotated type ``tp`` from its ``asdict`` form."""
    if v is None:
        return None
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], v[f.name])
                     for f in dataclasses.fields(tp) if f.name in v})
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        return [_build(args[0], x) for x in v]
    if origin is dict:
        return {k: _build(args[1], x) for k, x in v.items()}
    if args:  # X | None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _build(inner[0], v)
    return v
