"""What a model gives a decision: a :class:`ModelResult` and its :class:`Contribution` s.

A model turns its declared inputs into the probability of the bad event
(``models.pd``), scorecard-scaled points (``models.pd.points``, higher is safer)
and per-feature contributions that carry reason codes for adverse-action notices.
The model kinds themselves (scorecards, scikit-learn estimators) are providers:
see :mod:`riskrules.engine.providers`.

Scaling follows the usual points-to-double-the-odds convention: with
``base_points`` at ``base_odds`` (good:bad) and ``pdo`` points to double the
odds, ``points = offset + factor * ln(odds_good)``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from .._common.json import to_jsonable


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: Any
    points: float
    points_lost: float  # versus the feature's best bin: drives reason ranking
    reason: str | None


class ModelResult:
    """A model's output for one input; contributions are built only when asked for."""

    __slots__ = ("probability", "points", "_contributions", "_make")

    def __init__(self, probability: float, points: float, contributions=(), make=None):
        self.probability = probability
        self.points = points
        self._contributions = contributions
        self._make = make

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        if self._make is not None:
            self._contributions = self._make()
            self._make = None
        return self._contributions

    def __repr__(self) -> str:
        return f"ModelResult(probability={self.probability!r}, points={self.points!r})"

    def to_dict(self) -> dict:
        return {
            "probability": self.probability,
            "points": self.points,
            "contributions": [
                {"feature": c.feature, "value": to_jsonable(c.value), "points": c.points, "reason": c.reason}
                for c in self.contributions
            ],
        }


class Strict(BaseModel):
    """A pydantic model of a model file: unknown keys are errors, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Scaling(Strict):
    """Points to double the odds: ``base_points`` at ``base_odds`` (good:bad), ``pdo`` per doubling."""

    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.base_odds)
