"""Past reviewed cases that look like this one.

The distance is Gower's: each feature contributes a value in [0, 1] (numbers by
their difference over the range seen in the pool, booleans and text by equality,
missing on one side counts as 1), averaged over the features either case has.
It needs no fitted model and treats mixed types evenly, which suits evidence
snapshots whose features change as rulesets change. Written by hand because it
is a few lines over dicts, and the pools are small (one ruleset's labelled cases).
``riskrules/review/similar.py`` (``cases_to_label_next``) answers a different question
(which *open* cases to label next) with a distance weighted towards the target's
unusual values.

>>> pool = [LabelledExample(1, "bad", {"dti": 0.9, "new_account": True}),
...         LabelledExample(2, "good", {"dti": 0.1, "new_account": False})]
>>> [s.case_id for s in similar_cases({"dti": 0.8, "new_account": True}, pool)]
[1, 2]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """One labelled case as the similarity search sees it."""

    case_id: int
    verdict: str
    features: Mapping[str, Any]
    amount: float | None = None
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimilarCase:
    case_id: int
    verdict: str
    distance: float
    amount: float | None = None
    outcomes: tuple[str, ...] = ()
    shared: tuple[str, ...] = field(default=())
    """Features with (nearly) the same value in both cases, closest first."""


def similar_cases(
    features: Mapping[str, Any],
    pool: Iterable[LabelledExample],
    *,
    k: int = 5,
    exclude: int | None = None,
) -> list[SimilarCase]:
    """The ``k`` labelled cases nearest to ``features``, nearest first (ties by case id)."""
    examples = [e for e in pool if e.case_id != exclude]
    if not features or not examples:
        return []
    ranges = _numeric_ranges([features, *(e.features for e in examples)])
    scored = []
    for example in examples:
        distance, shared = _gower(features, example.features, ranges)
        if distance is None:
            continue
        scored.append(
            SimilarCase(example.case_id, example.verdict, distance, example.amount, example.outcomes, shared)
        )
    scored.sort(key=lambda s: (s.distance, s.case_id))
    return scored[:k]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numeric_ranges(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    lows: dict[str, float] = {}
    highs: dict[str, float] = {}
    for row in rows:
        for name, value in row.items():
            if _is_number(value):
                lows[name] = min(lows.get(name, value), value)
                highs[name] = max(highs.get(name, value), value)
    return {name: highs[name] - lows[name] for name in lows}


def _feature_distance(a: Any, b: Any, spread: float | None) -> float:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return 1.0
    if _is_number(a) and _is_number(b):
        return 0.0 if not spread else min(abs(a - b) / spread, 1.0)
    return 0.0 if a == b else 1.0


def _gower(
    query: Mapping[str, Any], other: Mapping[str, Any], ranges: Mapping[str, float]
) -> tuple[float | None, tuple[str, ...]]:
    names = sorted(set(query) | set(other))
    if not names:
        return None, ()
    parts = {name: _feature_distance(query.get(name), other.get(name), ranges.get(name)) for name in names}
    shared = tuple(sorted((n for n, d in parts.items() if d <= 0.05 and n in query and n in other), key=parts.get))
    return sum(parts.values()) / len(parts), shared
