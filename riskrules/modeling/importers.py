"""Bring existing scorecards into riskrules' YAML format: optbinning and toad.

* **optbinning**: a fitted ``optbinning.Scorecard`` (in memory, or a pickle file only when
  the caller says the file is trusted: unpickling runs code). Its ``pdo_odds`` scaling is
  read from the card; points are the card's own to the last bit.
* **toad**: the dictionary ``toad.ScoreCard.export()`` gives (or its JSON file), which is
  plain data. Numeric bins are labelled ``[a ~ b)``, categorical ones ``a,b,c``, with
  ``nan`` and ``else`` groups. toad scores a value no bin holds with the feature's lowest
  score, and so does the imported card (an ``other`` bin). The export carries no scaling:
  give the ``base_points``, ``base_odds`` and ``pdo`` the card was built with (toad's
  ``rate`` other than 2 is converted to points-to-double-the-odds).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .train import TrainingError, card_spec

_RANGE = re.compile(r"^\[\s*(-inf|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*[~-]\s*(inf|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)$")


class CardImportError(TrainingError):
    """A card that cannot be imported; the message says which part and why."""


def from_optbinning(card, *, name: str, version: str = "1.0.0", target: str = "bad") -> dict:
    """A fitted optbinning ``Scorecard`` as scorecard YAML data (scaling read from the card)."""
    if getattr(card, "binning_process_", None) is None:
        raise CardImportError("the optbinning Scorecard is not fitted")
    if card.scaling_method != "pdo_odds":
        raise CardImportError(f"the card's scaling is {card.scaling_method!r}; only 'pdo_odds' maps points to a "
                           "probability (min_max points are not on an odds scale)")
    params = card.scaling_method_params
    return card_spec(card, name=name, version=version, target=target, base_points=float(params["scorecard_points"]),
                     base_odds=float(params["odds"]), pdo=float(params["pdo"]),
                     description="imported from an optbinning Scorecard")


def load_optbinning_file(path: str | Path, *, trust_pickle: bool = False):
    """Unpickle a fitted optbinning card, only with ``trust_pickle`` (a pickle can run code)."""
    if not trust_pickle:
        raise CardImportError(f"{path} is a pickle, and loading a pickle can run any code in it; pass "
                           "trust_pickle (--trust-pickle) only for a file your own team produced")
    import joblib  # noqa: PLC0415

    try:
        return joblib.load(path)
    except Exception as exc:  # a broken pickle raises nearly anything
        raise CardImportError(f"{path}: cannot load: {type(exc).__name__}: {exc}") from None


def from_toad(rules: dict | str | Path, *, name: str, version: str = "1.0.0", target: str = "bad",
              base_points: float, base_odds: float, pdo: float, rate: float = 2.0) -> dict:
    """toad's exported card (a dict, or a JSON file) as scorecard YAML data."""
    if isinstance(rules, (str, Path)):
        try:
            rules = json.loads(Path(rules).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CardImportError(f"{rules}: not a readable JSON export of a toad card: {exc}") from None
    if not isinstance(rules, dict) or not rules:
        raise CardImportError("a toad card export is a mapping of feature -> {bin label: score}")
    if not (rate > 1 and pdo > 0 and base_odds > 0):
        raise CardImportError("pdo, base_odds must be positive and rate above 1")
    features = [_toad_feature(str(feat), bins) for feat, bins in rules.items()]
    return {"model": name, "type": "scorecard", "version": version, "target": target,
            "description": "imported from a toad ScoreCard export", "intercept": 0.0,
            "scaling": {"base_points": float(base_points), "base_odds": float(base_odds),
                        "pdo": float(pdo) * math.log(2) / math.log(rate)},
            "features": features}


def _toad_feature(feature: str, bins) -> dict:
    if not isinstance(bins, dict) or not bins:
        raise CardImportError(f"{feature}: expected a mapping of bin label -> score")
    scores = {}
    for label, score in bins.items():
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise CardImportError(f"{feature}: bin {label!r} has score {score!r}, not a finite number")
        scores[str(label)] = float(score)
    lowest = min(scores.values())
    best = max(scores.values())
    numeric = any(_RANGE.match(label) for label in scores)
    out, have_missing, have_other = [], False, False
    for label, score in scores.items():
        if label == "nan":
            where, have_missing = {"missing": True}, True
        elif label == "else":
            where, have_other = {"other": True}, True
        elif numeric:
            m = _RANGE.match(label)
            if m is None:
                raise CardImportError(f"{feature}: bin label {label!r} is not a range like [1.5 ~ 3)")
            lo, hi = m.group(1), m.group(2)
            where = {k: float(v) for k, v in (("min", lo), ("max", hi)) if v not in ("-inf", "inf")}
        else:
            where = {"values": label.split(",")}  # toad joins a group's categories with ','
        out.append(where | {"points": score} | ({"reason": feature.upper()} if score < best else {}))
    if not have_missing:  # toad scores an empty value with the lowest score
        out.append({"missing": True, "points": lowest} | ({"reason": feature.upper()} if lowest < best else {}))
    if not numeric and not have_other:
        out.append({"other": True, "points": lowest} | ({"reason": feature.upper()} if lowest < best else {}))
    return {"name": feature, "kind": "numeric" if numeric else "category", "bins": out}
