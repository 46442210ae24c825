"""Train a WOE credit scorecard with optbinning and write the scorecard YAML riskrules loads.

The binning (optimal, with monotonic trends where asked, special codes and a missing
bin), the logistic regression on WOE and the points scaling are optbinning's; this
module turns its fitted card into riskrules' scorecard format bin for bin, so that
riskrules' points equal the library's (the tests hold the difference below 1e-9), and
writes a report: information value per feature, AUC and KS on a held-out split, and a
lint for numeric features whose bad rate is not monotonic across bins.

Points follow optbinning's ``pdo_odds`` scaling (the same convention as riskrules:
``base_points`` at good:bad ``base_odds``, ``pdo`` points to double the odds). The card
has no separate intercept: optbinning spreads intercept and offset over the features.

>>> card = train_scorecard(frame, label, name="pd_de", features=None,      # doctest: +SKIP
...                        protected=["personal_status_and_sex", "age_in_years"])
>>> card.write("models/pd_de.yaml")                                       # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import polars as pl
import yaml

#: fewer bads (or goods) than this cannot be binned and validated
MIN_CLASS_ROWS = 30
TRENDS = ("auto", "ascending", "descending", "peak", "valley", "convex", "concave", "none")


class TrainingError(ValueError):
    """The table or the options cannot give a scorecard; the message says why and what to do."""


@dataclass
class FeatureReport:
    name: str
    kind: str
    iv: float
    bins: int
    monotonic: bool | None  # numeric: is the bad rate monotonic across the ordered bins?
    trend: str


@dataclass
class TrainedScorecard:
    spec: dict  # the scorecard YAML as data
    features: list[FeatureReport]
    excluded: dict[str, str]  # feature -> why it was left out
    metrics: dict  # auc/ks on train and held-out, rows, bads
    provenance: dict
    estimator: object = field(repr=False, default=None)  # the fitted optbinning Scorecard

    @property
    def lint(self) -> list[str]:
        """Warnings a reviewer must see before this card is used."""
        out = [f"{f.name}: the bad rate is not monotonic across its {f.bins} bins" for f in self.features
               if f.monotonic is False]
        out += [f"{f.name}: information value {f.iv:.4f} is below 0.02 (no predictive power)" for f in self.features
                if f.iv < 0.02]
        return out

    def yaml_text(self) -> str:
        head = [f"# Trained by riskrules model train on {self.provenance['trained_at']} with optbinning "
                f"{self.provenance['optbinning']}.",
                f"# Data: {self.provenance['rows']} rows ({self.provenance['bads']} bad), sha256 "
                f"{self.provenance['data_digest'][:16]}; label {self.provenance['label']!r}.",
                f"# Held-out AUC {self.metrics['test']['auc']:.4f}, KS {self.metrics['test']['ks']:.4f}."]
        head += [f"# lint: {w}" for w in self.lint]
        return "\n".join(head) + "\n" + yaml.safe_dump(self.spec, allow_unicode=True, sort_keys=False, width=120)

    def write(self, path: str | Path) -> Path:
        from .._common.files import write_atomic  # noqa: PLC0415 - the one atomic write

        p = Path(path)
        write_atomic(p, self.yaml_text())
        return p

    def report(self) -> dict:
        return {"model": self.spec["model"], "version": self.spec["version"], "metrics": self.metrics,
                "features": [vars(f) for f in self.features], "excluded": self.excluded, "lint": self.lint,
                "provenance": self.provenance}


def train_scorecard(
    frame: pl.DataFrame,
    label: Iterable[int],
    *,
    name: str,
    version: str = "1.0.0",
    target: str = "bad",
    features: list[str] | None = None,
    categorical: list[str] | None = None,
    trends: dict[str, str] | None = None,
    special_codes: list | None = None,
    protected: Iterable[str] = (),
    allow_protected: bool = False,
    base_points: float = 600.0,
    base_odds: float = 50.0,
    pdo: float = 20.0,
    test_size: float = 0.3,
    seed: int = 0,
    label_name: str = "label",
) -> TrainedScorecard:
    """Fit a scorecard on ``frame`` (one column per candidate feature) and ``label`` (1 bad, 0 good)."""
    from optbinning import BinningProcess, Scorecard  # noqa: PLC0415 - heavy, only for training
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    y = _labels(label, frame.height)
    chosen, excluded = _features(frame, features, protected, allow_protected)
    cats = set(categorical or []) | {c for c in chosen if frame.schema[c] in (pl.Utf8, pl.Categorical, pl.Boolean)}
    unknown = sorted(set(trends or {}) - set(chosen))
    if unknown:
        raise TrainingError(f"a trend is given for {', '.join(unknown)}, which is not a feature being trained")
    for col, trend in (trends or {}).items():
        if trend not in TRENDS:
            raise TrainingError(f"trend {trend!r} for {col}: use one of {', '.join(TRENDS)}")
    if not 0 < test_size < 1:
        raise TrainingError(f"test_size must be between 0 and 1, got {test_size}")
    for v, what in ((base_odds, "base_odds"), (pdo, "pdo")):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise TrainingError(f"{what} must be a positive number, got {v!r}")
    X = _pandas(frame.select(chosen), cats)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    fit_params = {c: {"monotonic_trend": t} for c, t in (trends or {}).items()}
    process = BinningProcess(variable_names=chosen, categorical_variables=sorted(cats), binning_fit_params=fit_params,
                             special_codes=special_codes)
    card = Scorecard(binning_process=process, estimator=LogisticRegression(max_iter=1000), scaling_method="pdo_odds",
                     scaling_method_params={"pdo": pdo, "odds": base_odds, "scorecard_points": base_points})
    card.fit(X_train, y_train)
    spec = card_spec(card, name=name, version=version, target=target, base_points=base_points, base_odds=base_odds,
                     pdo=pdo, description=f"WOE scorecard trained on {frame.height} rows by riskrules model train "
                                          "(optbinning)")
    table = card.table(style="detailed")
    reports = [_report(card, col, "category" if col in cats else "numeric", table[table["Variable"] == col],
                       (trends or {}).get(col, "auto")) for col in chosen]
    import optbinning  # noqa: PLC0415

    metrics = {"train": _auc_ks(y_train, card.predict_proba(X_train)[:, 1]),
               "test": _auc_ks(y_test, card.predict_proba(X_test)[:, 1]),
               "rows": int(frame.height), "bads": int(y.sum()), "test_size": test_size, "seed": seed}
    provenance = {"trained_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                  "optbinning": optbinning.__version__, "rows": int(frame.height), "bads": int(y.sum()),
                  "label": label_name, "data_digest": _digest(frame.select(chosen), y), "features": chosen}
    return TrainedScorecard(spec, reports, excluded, metrics, provenance, card)


# -- input checks -------------------------------------------------------------------------

def _labels(label, n: int) -> np.ndarray:
    y = np.asarray(list(label) if not isinstance(label, (np.ndarray, pl.Series)) else label)
    if y.shape != (n,):
        raise TrainingError(f"the label has {y.shape[0] if y.ndim else 0} values for {n} rows")
    if y.dtype == object or y.dtype.kind not in "biuf":
        raise TrainingError("the label must be 1 (bad) / 0 (good); read it with riskrules.data, which maps "
                            "good/bad and declared codings")
    if np.isnan(y.astype(float)).any():
        raise TrainingError(f"the label is missing in {int(np.isnan(y.astype(float)).sum())} rows; drop or label them")
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise TrainingError(f"the label must be 1 (bad) or 0 (good), found {sorted(values)[:6]}")
    bads, goods = int((y == 1).sum()), int((y == 0).sum())
    if min(bads, goods) < MIN_CLASS_ROWS:
        raise TrainingError(f"{bads} bad and {goods} good rows: at least {MIN_CLASS_ROWS} of each are needed to "
                            "bin and validate a scorecard")
    return y.astype(int)


def _features(frame: pl.DataFrame, features, protected, allow_protected) -> tuple[list[str], dict[str, str]]:
    protected = set(protected)
    excluded: dict[str, str] = {}
    if features is None:
        candidates = list(frame.columns)
    else:
        missing = [f for f in features if f not in frame.columns]
        if missing:
            raise TrainingError(f"no column {', '.join(map(repr, missing))} in the table; it has "
                                f"{', '.join(frame.columns[:12])}{'…' if frame.width > 12 else ''}")
        candidates = list(features)
    chosen = []
    for col in candidates:
        if col in protected and not allow_protected:
            if features is not None:
                raise TrainingError(f"{col} is a protected attribute; a model may take it only with an explicit, "
                                    "documented exception (allow_protected)")
            excluded[col] = "protected attribute"
            continue
        dtype = frame.schema[col]
        if dtype.is_nested() or dtype in (pl.Date, pl.Datetime, pl.Duration, pl.Object):
            excluded[col] = f"type {dtype} cannot be binned"
            continue
        if frame[col].drop_nulls().n_unique() <= 1:
            if features is not None:
                raise TrainingError(f"{col} is constant (one value in every row): it cannot separate good from bad")
            excluded[col] = "constant"
            continue
        chosen.append(col)
    if not chosen:
        raise TrainingError("no feature left to train on" + (f" (left out: {excluded})" if excluded else ""))
    return chosen, excluded


def _pandas(frame: pl.DataFrame, cats: set[str]):
    import pandas as pd  # noqa: PLC0415 - optbinning works on pandas

    data = {}
    for col in frame.columns:
        s = frame[col]
        if col in cats:
            data[col] = pd.Series([None if v is None else str(v) for v in s.to_list()], dtype=object)
        else:
            data[col] = pd.Series(s.cast(pl.Float64).to_numpy(), dtype=float)
    return pd.DataFrame(data)


# -- the card -----------------------------------------------------------------------------

def card_spec(card, *, name: str, version: str, target: str, base_points: float, base_odds: float, pdo: float,
              description: str) -> dict:
    """A fitted optbinning ``Scorecard`` as riskrules' scorecard YAML data, bin for bin.

    The scaling must be the one the card was fitted with (``pdo_odds``); the points
    are the card's own, so only the PD mapping depends on it."""
    table = card.table(style="detailed")
    process = card.binning_process_
    names = [str(n) for n in process.get_support(names=True)]
    special_codes = getattr(process, "special_codes", None)
    probe = _probe_row(card, names)
    features = []
    for col in names:
        kind = "category" if process.get_binned_variable(col).dtype == "categorical" else "numeric"
        features.append(_feature(card, col, kind, table[table["Variable"] == col], probe, special_codes))
    return {"model": name, "type": "scorecard", "version": version, "target": target, "description": description,
            "intercept": 0.0, "scaling": {"base_points": base_points, "base_odds": base_odds, "pdo": pdo},
            "features": features}


def _probe_row(card, names):
    """One row every bin of the card holds (a value from each feature's first bin)."""
    import pandas as pd  # noqa: PLC0415

    process = card.binning_process_
    row = {}
    for col in names:
        binned = process.get_binned_variable(col)
        splits = list(binned.splits)
        if binned.dtype == "categorical":
            row[col] = pd.Series([str(list(splits[0])[0]) if splits else None], dtype=object)
        else:
            row[col] = pd.Series([float(splits[0]) - 1.0 if splits else 0.0], dtype=float)
    return pd.DataFrame(row)


def _feature(card, col: str, kind: str, rows, probe, special_codes) -> dict:
    binned = card.binning_process_.get_binned_variable(col)
    splits = list(binned.splits)
    regular = rows[~rows["Bin"].astype(str).isin(["Special", "Missing"])]
    points = [float(p) for p in regular["Points"]]
    best = max(points + [float(rows[rows["Bin"].astype(str) == "Missing"]["Points"].iloc[0])])
    reason = col.upper()
    bins = []
    special = rows[rows["Bin"].astype(str) == "Special"]
    if special_codes and len(special):
        bins.append(_bin({"values": list(special_codes)}, float(special["Points"].iloc[0]), best, reason))
    if kind == "numeric":
        edges = [None] + [float(s) for s in splits] + [None]
        for i, p in enumerate(points):
            rng = {k: v for k, v in (("min", edges[i]), ("max", edges[i + 1])) if v is not None}
            bins.append(_bin(rng, p, best, reason))
    else:
        for cats, p in zip(splits, points):
            bins.append(_bin({"values": sorted(str(c) for c in cats)}, p, best, reason))
    missing = float(rows[rows["Bin"].astype(str) == "Missing"]["Points"].iloc[0])
    bins.append(_bin({"missing": True}, missing, best, reason))
    if kind == "category":
        bins.append(_bin({"other": True}, _unseen_points(card, col, probe), best, reason))
    return {"name": col, "kind": kind, "bins": bins}


def _bin(where: dict, points: float, best: float, reason: str) -> dict:
    out = dict(where)
    out["points"] = points
    if points < best:
        out["reason"] = reason
    return out


def _unseen_points(card, col: str, probe) -> float:
    """The points optbinning gives a category it never saw: probed, so the card agrees."""
    probe = probe.copy()
    base = float(card.score(probe)[0])
    seen = _points_of(card, card.table(style="detailed"), col, probe[col].iloc[0])
    probe[col] = "\u0000riskrules-unseen-category"
    return float(card.score(probe)[0]) - base + seen


def _points_of(card, table, col, value) -> float:
    rows = table[table["Variable"] == col]
    binned = card.binning_process_.get_binned_variable(col)
    if value is None:
        return float(rows[rows["Bin"].astype(str) == "Missing"]["Points"].iloc[0])
    for i, cats in enumerate(binned.splits):
        if str(value) in {str(c) for c in cats}:
            return float(rows["Points"].iloc[i])
    raise TrainingError(f"{col}: value {value!r} is in no bin")  # pragma: no cover - a training row always is


def _report(card, col: str, kind: str, rows, trend: str) -> FeatureReport:
    regular = rows[~rows["Bin"].astype(str).isin(["Special", "Missing"])]
    iv = float(rows["IV"].sum())
    monotonic = None
    if kind == "numeric" and len(regular) > 2:
        rates = [float(r) for r in regular["Event rate"]]
        diffs = [b - a for a, b in zip(rates, rates[1:])]
        monotonic = all(d >= 0 for d in diffs) or all(d <= 0 for d in diffs)
    return FeatureReport(col, kind, iv, len(regular), monotonic, trend)


def _auc_ks(y, p) -> dict:
    from sklearn.metrics import roc_auc_score, roc_curve  # noqa: PLC0415

    fpr, tpr, _ = roc_curve(y, p)
    return {"auc": float(roc_auc_score(y, p)), "ks": float(np.max(tpr - fpr))}


def _digest(frame: pl.DataFrame, y: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(frame.write_ipc(None).getvalue() if hasattr(frame, "write_ipc") else repr(frame).encode())
    h.update(y.tobytes())
    return h.hexdigest()
