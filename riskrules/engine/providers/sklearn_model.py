"""scikit-learn estimators (any object with ``predict_proba``; the positive class is column 1).

**Trusted input.** The model file is unpickled with joblib, which can run code: only
load model files your team produced (the checker says so, W407).

An estimator fitted on a DataFrame (``feature_names_in_``) gets one: its inputs are
named by those columns, numeric inputs arrive as floats (NaN when missing) and
``string``/``enum`` inputs as text (None when missing), so a Pipeline with a
ColumnTransformer and a OneHotEncoder takes its categorical column as trained. pandas
is used when installed, otherwise a polars DataFrame. At check time the estimator
is tried on a synthetic row of the declared types (for an enum, each of its values
in turn): an estimator that cannot take them is an error at the model entry (E304),
not a fault on every row.
"""
from __future__ import annotations

import hashlib
import io
import math

from ...dsl import ast as A
from ...dsl.diagnostics import error
from ..models import Contribution, ModelResult, Scaling
from ..types import Type
from .base import BatchModel, ModelProvider, ProviderError, register

_DRY_RUNS = 8  # synthetic rows tried at check time (one per enum value, up to this many)


def _frame_kind():
    try:
        import pandas as pd
    except ImportError:  # sklearn takes polars frames too
        import polars as pl

        return lambda cols: pl.DataFrame(cols, strict=False)
    return pd.DataFrame


@register
class SklearnModel(ModelProvider):
    kind = "sklearn"
    runs_code = True

    @classmethod
    def bind(cls, ref: A.ModelRef, data: bytes) -> "SklearnModel":
        import joblib

        try:
            est = joblib.load(io.BytesIO(data))
        except Exception as exc:  # a corrupt pickle can raise nearly anything
            raise ProviderError(f"{ref.path}: cannot load estimator: {exc}") from None
        if not hasattr(est, "predict_proba"):
            raise ProviderError(f"{ref.path}: {type(est).__name__} has no predict_proba")
        names = getattr(est, "feature_names_in_", None)
        inputs = tuple(str(n) for n in names) if names is not None else tuple(i.name for i in ref.inputs)
        return cls(est, inputs, ref.version or hashlib.sha256(data).hexdigest()[:12], named=names is not None)

    def __init__(self, estimator, input_names: tuple[str, ...], version: str, scaling: Scaling = Scaling(),
                 named: bool = False):
        self.estimator = estimator
        self.input_names = input_names
        self.version = version
        self.named = named  # fitted on a DataFrame: give it one, with these column names
        self.text = (False,) * len(input_names)  # which inputs are text (set by check_inputs)
        self._factor = scaling.factor
        self._offset = scaling.offset
        self._frame = _frame_kind() if named else None

    def describe(self) -> str:
        cols = ", ".join(f"{n}{' (text)' if t else ''}" for n, t in zip(self.input_names, self.text))
        how = "named columns" if self.named else "an array"
        return f"sklearn {type(self.estimator).__name__} {self.version}: {how} [{cols}]"

    # -- the checker --------------------------------------------------------------------
    def check_inputs(self, ref: A.ModelRef, types: tuple[Type, ...]):
        bad = [(n, t) for n, t in zip(self.input_names, types)
               if not (t.is_numeric or t.is_stringy or t.name in ("bool", "null"))]
        if bad:
            return [error("E304", f"model '{ref.name}': input '{n}' is a {t}; an estimator takes numbers and text",
                          ref.span, "map it to a number, e.g. days_between(...), or to text")
                    for n, t in bad]
        self.text = tuple(t.is_stringy for t in types)
        problem = self._dry_run(types)
        if problem is None:
            return []
        declared = ", ".join(f"{n}: {t}" for n, t in zip(self.input_names, types))
        hint = ("an estimator that takes text needs an encoder (a Pipeline with a OneHotEncoder) fitted on "
                "those categories; declare text inputs as enum(...) of the trained categories, or map them to numbers")
        return [error("E304", f"model '{ref.name}': the estimator cannot take the declared inputs ({declared}): "
                              f"{problem}", ref.span, hint)]

    def _dry_run(self, types) -> str | None:
        """None when the estimator takes some synthetic row of ``types``, else its complaint."""
        n = max([len(t.values) for t in types if t.name == "enum"] + [1])
        first = None
        for k in range(min(n, _DRY_RUNS)):
            row = tuple(t.values[k % len(t.values)] if t.name == "enum" and t.values else
                        "" if t.is_stringy else None if t.name == "null" else 0.0 for t in types)
            try:
                self._probabilities([[v] for v in row])
                return None
            except Exception as exc:  # whatever the estimator raises is its answer
                first = first or f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return first

    # -- per event ----------------------------------------------------------------------
    def _matrix(self, columns: list):
        """The estimator's input for ``columns`` (one list of values per input)."""
        import numpy as np

        cols = []
        for text, values in zip(self.text, columns):
            if text:
                cols.append(np.array([None if v is None else str(v) for v in values], dtype=object))
            else:
                cols.append(np.array([math.nan if v is None else float(v) for v in values], dtype=float))
        if self._frame is not None:
            return self._frame(dict(zip(self.input_names, cols)))
        if any(self.text):
            return np.column_stack([c.astype(object) for c in cols])
        return np.column_stack(cols) if cols else np.empty((len(columns[0]) if columns else 1, 0))

    def _probabilities(self, columns: list):
        import numpy as np

        p = np.asarray(self.estimator.predict_proba(self._matrix(columns)))[:, 1].astype(float)
        return np.clip(p, 1e-9, 1 - 1e-9)

    def __call__(self, values: tuple) -> ModelResult:
        if self._frame is None and not any(self.text):  # the hot path: a plain numeric array
            import numpy as np

            row = np.array([[math.nan if v is None else float(v) for v in values]], dtype=float)
            p = min(max(float(self.estimator.predict_proba(row)[0, 1]), 1e-9), 1 - 1e-9)
        else:
            p = float(self._probabilities([[v] for v in values])[0])
        points = self._offset + self._factor * math.log((1 - p) / p)
        contribs = ()
        coef = getattr(self.estimator, "coef_", None)
        if coef is not None and len(coef[0]) == len(values) and not any(self.text):
            parts = [(n, v, float(c) * (0.0 if v is None else float(v))) for n, v, c in zip(self.input_names, values, coef[0])]
            contribs = tuple(Contribution(n, v, -x, max(x, 0.0), None) for n, v, x in parts)
        return ModelResult(p, points, contribs)

    # -- batch --------------------------------------------------------------------------
    def batch(self, inputs, *, prefix, code) -> BatchModel:
        """One ``map_batches`` call per frame chunk: the estimator runs in Python, on the whole
        chunk at once; if it raises, row by row, and the rows it refuses are faults."""
        import numpy as np
        import polars as pl

        model = self

        def predict(s: pl.Series) -> pl.Series:
            cols = [s.struct.field(f"x{i}").to_list() for i in range(len(inputs))]
            try:
                p = model._probabilities(cols)
                fault = np.zeros(len(p), dtype=bool)
            except Exception:
                p, fault = np.full(s.len(), 0.5), np.zeros(s.len(), dtype=bool)
                for r in range(s.len()):
                    try:
                        p[r] = model._probabilities([[c[r]] for c in cols])[0]
                    except Exception:
                        fault[r] = True
            pts = model._offset + model._factor * np.log((1 - p) / p)
            return pl.DataFrame({"probability": np.where(fault, np.nan, p), "points": np.where(fault, np.nan, pts),
                                 "fault": fault}).to_struct("m")

        cols = [v.cast(pl.String if text else pl.Float64).alias(f"x{i}")
                for i, ((v, _), text) in enumerate(zip(inputs, self.text))]
        value = pl.struct(cols).map_batches(
            predict, return_dtype=pl.Struct({"probability": pl.Float64, "points": pl.Float64, "fault": pl.Boolean}))
        return BatchModel(value, pl.col(prefix).struct.field("fault"),
                          per_row=f"{type(self.estimator).__name__}.predict_proba")
