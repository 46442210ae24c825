"""Model nodes: credit scorecards (YAML) and scikit-learn-style estimators.

A model turns its declared inputs into a :class:`ModelResult`: the probability
of the bad event (``models.pd``), scorecard-scaled points (``models.pd.points``,
higher is safer) and per-feature contributions that carry reason codes for
adverse-action notices.

Scaling follows the usual points-to-double-the-odds convention: with
``base_points`` at ``base_odds`` (good:bad) and ``pdo`` points to double the
odds, ``points = offset + factor * ln(odds_good)``.

**Trusted input.** An ``sklearn`` model file is unpickled with joblib, which can
run code: only load model files your team produced. Scorecards are plain YAML
and safe.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

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


class ModelError(Exception):
    """A model file that cannot be loaded; ``loc`` names the offending part."""

    def __init__(self, message: str, loc: str = ""):
        self.loc = loc
        super().__init__(message)


# -- scorecard --------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bin(_Strict):
    min: float | None = None  # inclusive
    max: float | None = None  # exclusive
    values: list[str | int | bool] | None = None
    missing: bool = False
    other: bool = False
    points: float
    reason: str | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = sum([self.min is not None or self.max is not None, self.values is not None, self.missing, self.other])
        if kinds > 1:
            raise ValueError("a bin is one of: a range (min/max), values, missing: true, other: true")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"bin min {self.min} is not below max {self.max}")
        return self


class ScorecardFeature(_Strict):
    name: str
    kind: Literal["numeric", "category"] = "numeric"
    bins: list[Bin]


class Scaling(_Strict):
    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0


class ScorecardFile(_Strict):
    model: str
    type: Literal["scorecard"] = "scorecard"
    version: str
    target: str = "default"
    description: str = ""
    intercept: float = 0.0
    scaling: Scaling = Scaling()
    features: list[ScorecardFeature]


def json_schema() -> dict:
    """The JSON Schema of scorecard model files (``riskrules schema --kind scorecard``).

    >>> json_schema()["title"]
    'riskrules scorecard'
    """
    schema = ScorecardFile.model_json_schema()
    schema["title"] = "riskrules scorecard"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


class Scorecard:
    kind = "scorecard"

    def __init__(self, spec: ScorecardFile):
        self.spec = spec
        self.version = spec.version
        self.input_names = tuple(f.name for f in spec.features)
        s = spec.scaling
        self._factor = s.pdo / math.log(2)
        self._offset = s.base_points - self._factor * math.log(s.base_odds)
        self._features = [(f.name, f.kind, tuple(f.bins), max(b.points for b in f.bins)) for f in spec.features]
        # bins as plain tuples for the hot path: (lo, hi, values, points); missing/other apart
        self._fast = []
        for name, kind, bins, best in self._features:
            ranges = []
            missing = other = None
            for i, b in enumerate(bins):
                if b.other:
                    other = i  # the last 'other' bin counts, as in the batch backend
                elif b.missing:
                    missing = missing if missing is not None else i
                elif b.values is not None:
                    ranges.append((None, None, frozenset(b.values), i))
                elif kind == "numeric":
                    ranges.append((b.min, b.max, None, i))
            self._fast.append((tuple(ranges), missing, other, tuple(b.points for b in bins)))

    def __call__(self, values: tuple) -> ModelResult:
        total = self.spec.intercept
        chosen = []
        for (ranges, missing_bin, other_bin, points), v in zip(self._fast, values):
            i = None
            if v is None or (v.__class__ is float and v != v):
                i = missing_bin if missing_bin is not None else other_bin
            else:
                for lo, hi, vals, k in ranges:
                    if vals is not None:
                        if v in vals:
                            i = k
                            break
                    elif (lo is None or v >= lo) and (hi is None or v < hi):
                        i = k
                        break
                else:
                    i = other_bin
            if i is None:
                name = self._features[len(chosen)][0]
                raise ValueError(f"scorecard {self.spec.model}: no bin of '{name}' holds {v!r}")
            total += points[i]
            chosen.append(i)
        odds_good = math.exp((total - self._offset) / self._factor)
        return ModelResult(1.0 / (1.0 + odds_good), total, make=lambda: self._contributions(values, chosen))

    def _contributions(self, values, chosen) -> tuple[Contribution, ...]:
        out = []
        for (name, kind, bins, best), v, i in zip(self._features, values, chosen):
            b = bins[i]
            out.append(Contribution(name, v, b.points, best - b.points, b.reason))
        return tuple(out)


# -- scikit-learn adapter ----------------------------------------------------------


class SklearnModel:
    """Any estimator with ``predict_proba``; the positive class is column 1."""

    kind = "sklearn"

    def __init__(self, estimator, input_names: tuple[str, ...], version: str, scaling: Scaling = Scaling()):
        self.estimator = estimator
        self.input_names = input_names
        self.version = version
        self._factor = scaling.pdo / math.log(2)
        self._offset = scaling.base_points - self._factor * math.log(scaling.base_odds)

    def __call__(self, values: tuple) -> ModelResult:
        import numpy as np

        row = np.array([[math.nan if v is None else float(v) for v in values]], dtype=float)
        p = float(self.estimator.predict_proba(row)[0, 1])
        p = min(max(p, 1e-9), 1 - 1e-9)
        points = self._offset + self._factor * math.log((1 - p) / p)
        contribs = ()
        coef = getattr(self.estimator, "coef_", None)
        if coef is not None and len(coef[0]) == len(values):
            parts = [(n, v, float(c) * (0.0 if v is None else float(v))) for n, v, c in zip(self.input_names, values, coef[0])]
            contribs = tuple(Contribution(n, v, -x, max(x, 0.0), None) for n, v, x in parts)
        return ModelResult(p, points, contribs)


# -- loading --------------------------------------------------------------------------


def load_model(kind: str, path: Path, input_names: tuple[str, ...], version: str = ""):
    """Load a model file; raises :class:`ModelError` with a readable message."""
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    if kind == "scorecard":
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ModelError(f"{path}: not valid YAML: {exc}") from None
        try:
            spec = ScorecardFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise ModelError(f"{path}: {loc}: {first['msg']}", loc) from None
        return Scorecard(spec)
    if kind == "sklearn":
        import joblib

        try:
            est = joblib.load(path)
        except Exception as exc:  # a corrupt pickle can raise nearly anything
            raise ModelError(f"{path}: cannot load estimator: {exc}") from None
        if not hasattr(est, "predict_proba"):
            raise ModelError(f"{path}: {type(est).__name__} has no predict_proba")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return SklearnModel(est, input_names, version or digest)
    raise ModelError(f"unknown model type '{kind}' (scorecard or sklearn)")
