"""Credit scorecards: a plain YAML file of binned features (safe to load).

```yaml
model: pd_card
version: "3.1"
scaling: {base_points: 600, base_odds: 50, pdo: 20}
features:
  - name: income
    bins: [{max: 3000, points: 10, reason: LOW_INCOME}, {min: 3000, points: 40}]
  - name: employment
    kind: category
    bins: [{values: [salaried], points: 30}, {other: true, points: 0, reason: SELF_EMPLOYED}]
```
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import ValidationError, model_validator

from ...dsl import ast as A
from ..models import Contribution, ModelResult, Scaling, Strict
from .base import BatchModel, ModelProvider, ProviderError, by_index, register


class Bin(Strict):
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


class ScorecardFeature(Strict):
    name: str
    kind: Literal["numeric", "category"] = "numeric"
    bins: list[Bin]


class ScorecardFile(Strict):
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


@register
class Scorecard(ModelProvider):
    kind = "scorecard"

    @classmethod
    def bind(cls, ref: A.ModelRef, data: bytes) -> "Scorecard":
        from ...dsl.resources import normalise  # the dsl's readers load lark: not at import riskrules
        from ...dsl.yaml_safe import compose

        try:
            text = normalise(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ProviderError(f"{ref.path}: not UTF-8 text (byte {exc.start})") from None
        # the ruleset's own safe composer: alias and size limits, hostile scalars as messages
        doc, problems = compose(text, ref.path)
        if problems:
            first = problems[0]
            raise ProviderError(f"{ref.path}:{first.span.line}:{first.span.col}: {first.message}")
        raw = doc.data
        try:
            spec = ScorecardFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise ProviderError(f"{ref.path}: {loc}: {first['msg']}") from None
        return cls(spec)

    def __init__(self, spec: ScorecardFile):
        self.spec = spec
        self.version = spec.version
        self.input_names = tuple(f.name for f in spec.features)
        self._factor = spec.scaling.factor
        self._offset = spec.scaling.offset
        self._features = [(f.name, f.kind, tuple(f.bins), max(b.points for b in f.bins)) for f in spec.features]
        # bins as plain tuples for the hot path: (lo, hi, values, points); missing/other apart
        self._fast = []
        for name, kind, bins, best in self._features:
            ranges = []
            missing = other = None
            for i, b in enumerate(bins):
                if b.other:
                    other = i  # the last 'other' bin counts, as in the batch adapter
                elif b.missing:
                    missing = missing if missing is not None else i
                elif b.values is not None:
                    ranges.append((None, None, frozenset(b.values), i))
                elif kind == "numeric":
                    ranges.append((b.min, b.max, None, i))
            self._fast.append((tuple(ranges), missing, other, tuple(b.points for b in bins)))

    def describe(self) -> str:
        return f"scorecard {self.spec.model} {self.version}: {len(self._features)} features"

    def reason_codes(self) -> set[str]:
        return {b.reason for _, _, bins, _ in self._features for b in bins if b.reason is not None}

    # -- per event ----------------------------------------------------------------------
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

    # -- batch --------------------------------------------------------------------------
    def batch(self, inputs, *, prefix, code) -> BatchModel:
        """Each feature's bin as a small integer, one stage before: points, reason codes and
        the no-bin fault read that column (polars would otherwise evaluate the condition
        chains again in each of them)."""
        import polars as pl

        total = pl.lit(self.spec.intercept, dtype=pl.Float64)
        before, contributions, nobin = [], [], None
        for k, ((fname, kind, bins, best), (v, t)) in enumerate(zip(self._features, inputs)):
            col = f"{prefix}_b{k}"
            before.append(_bin_index(v, t.is_numeric, kind, bins).alias(col))
            idx = pl.col(col)
            pts = by_index(idx, [b.points for b in bins], pl.Float64)
            reason = by_index(idx, [code(b.reason) for b in bins], pl.Int32)
            nobin = idx.is_null() if nobin is None else (nobin | idx.is_null())
            total = total + pts
            contributions.append((pl.lit(best, dtype=pl.Float64) - pts, reason))
        prob = 1.0 / (1.0 + ((total - self._offset) / self._factor).exp())
        value = pl.struct(prob.alias("probability"), total.alias("points"))
        return BatchModel(value, nobin, before, contributions)


def _bin_index(v, numeric: bool, kind: str, bins):
    """The position of the first bin that takes ``v`` (a missing value its missing bin, else the
    catch-all); null where no bin does."""
    import polars as pl

    missing = v.is_null()
    if numeric:
        missing = missing | v.cast(pl.Float64).is_nan()
    other = next((i for i in reversed(range(len(bins))) if bins[i].other), None)
    miss = next((i for i, b in enumerate(bins) if b.missing), other)
    chain = pl.when(missing).then(pl.lit(miss, dtype=pl.Int32))
    for i, b in enumerate(bins):
        if b.other or b.missing:
            continue
        if b.values is not None:
            c = v.is_in(list(b.values)) if kind == "category" or not numeric else \
                v.cast(pl.Float64).is_in([float(x) for x in b.values if not isinstance(x, str)])
        elif kind == "numeric":
            c = pl.lit(True)
            if b.min is not None:
                c = c & (v >= b.min)
            if b.max is not None:
                c = c & (v < b.max)
        else:
            continue
        chain = chain.when(c.fill_null(False)).then(pl.lit(i, dtype=pl.Int32))
    return chain.otherwise(pl.lit(other, dtype=pl.Int32))

