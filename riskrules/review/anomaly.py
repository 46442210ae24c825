"""Anomaly scoring for intake: an IsolationForest over a ruleset's testable values.

Fitted on the history of one ruleset (input fields and features, see
:mod:`.frames`), saved with joblib as a versioned artifact. Scores are
``-score_samples`` (higher = more unusual). Only numeric and bool input fields are
used, on a signed log scale: one-hot enums made every rare category look anomalous
and drowned the signal; derived features (dti, lti ...) re-count the inputs they are
computed from; and an isolation forest splits uniformly between a column's min and
max, so on a raw scale a small value of a long-tailed count (3 contacts where most
have 140 and a few 2,000) is almost never isolated. On the simulated books these
choices put the novel fraud rings at the top of the anomaly queue.
The threshold is the ``1 - contamination`` quantile of the scores of the past
decisions on which no rule with an action fired, because those are the ones it
screens (see :func:`.intake.acted`).

joblib files are pickles: load only artifacts you wrote yourself.

>>> scorer = AnomalyScorer.fit(engine, history_frame)      # doctest: +SKIP
>>> scorer.save("models/anomaly.joblib")                   # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .frames import Column, acting_rules, columns, feature_frame, frame_of, numeric_matrix

FORMAT = 1


class AnomalyError(Exception):
    """The anomaly model cannot be fitted, loaded or used with this ruleset."""


@dataclass
class AnomalyScorer:
    model: Any
    cols: list[Column]
    threshold: float
    version: str
    ruleset: str

    @classmethod
    def fit(cls, engine, history: pl.DataFrame, *, contamination: float = 0.02, threshold: float | None = None,
            seed: int = 0, now: dt.datetime | None = None, max_samples: int | str = "auto",
            n_estimators: int = 200) -> AnomalyScorer:
        from sklearn.ensemble import IsolationForest

        if history.height < 50:
            raise AnomalyError(f"need at least 50 past decisions to fit an anomaly model, got {history.height}")
        from ..engine.batch import decide_frame

        prog = engine.program
        cols = [c for c in columns(prog) if c.kind in ("int", "number", "bool") and c.name not in prog.features]
        x, _ = numeric_matrix(feature_frame(engine, history, now=now, cols=cols), cols)
        x = _impute(x)
        model = IsolationForest(n_estimators=n_estimators, max_samples=max_samples, random_state=seed).fit(x)
        scores = -model.score_samples(x)
        if threshold is None:
            decided = decide_frame(engine, history, now=now)
            acting = [f"rule:{rid}" for rid in acting_rules(prog)]
            quiet = decided.select(~pl.any_horizontal([pl.col(c).fill_null(False) for c in acting])
                                   if acting else pl.lit(True)).to_series().to_numpy()
            pool = scores[quiet] if quiet.any() else scores
            threshold = float(np.quantile(pool, 1 - contamination))
        cut = float(threshold)
        rs = engine.ruleset
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        version = f"iforest-{rs['name']}-{rs['digest']}-{history.height}-{stamp}"
        return cls(model, cols, cut, version, rs["name"])

    def score_frame(self, engine, df: pl.DataFrame, *, now: dt.datetime | pl.Series | None = None) -> np.ndarray:
        x, _ = numeric_matrix(feature_frame(engine, df, now=now, cols=self.cols), self.cols)
        return -self.model.score_samples(_impute(x))

    def score_inputs(self, engine, inputs: list[dict], *, now: dt.datetime | pl.Series | None = None) -> np.ndarray:
        return self.score_frame(engine, frame_of([dict(i) for i in inputs]), now=now)

    def save(self, path: str | Path) -> Path:
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "version": self.version, "ruleset": self.ruleset, "threshold": self.threshold,
                     "columns": [(c.name, c.kind, c.values) for c in self.cols], "model": self.model}, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> AnomalyScorer:
        import joblib

        try:
            blob = joblib.load(Path(path))
        except Exception as exc:  # noqa: BLE001 - a broken pickle raises anything (KeyError, UnpicklingError ...)
            raise AnomalyError(f"{path}: cannot read the anomaly model: {exc}") from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise AnomalyError(f"{path}: not an anomaly model written by riskrules (format {FORMAT})")
        cols = [Column(n, k, tuple(v)) for n, k, v in blob["columns"]]
        return cls(blob["model"], cols, float(blob["threshold"]), blob["version"], blob["ruleset"])


def _impute(x: np.ndarray) -> np.ndarray:
    # missing values as -1 (the fields are counts, amounts and 0/1 flags), then a signed log
    x = np.where(np.isnan(x), -1.0, x)
    return np.sign(x) * np.log1p(np.abs(x))
