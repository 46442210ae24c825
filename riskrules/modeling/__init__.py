"""Models that keep learning: scorecard training (optbinning), and next import, drift and
champion/challenger. Heavy libraries are imported by the functions that need them."""
from __future__ import annotations

__all__ = ["train_scorecard", "TrainingError", "psi", "bin_counts", "critical_value", "quantile_bins"]
_HOME = {"train_scorecard": "train", "TrainingError": "train", "psi": "drift", "bin_counts": "drift",
         "critical_value": "drift", "quantile_bins": "drift"}


def __getattr__(name):
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(name)
