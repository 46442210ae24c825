"""Models that keep learning: scorecard training (optbinning), and next import, drift and
champion/challenger. Heavy libraries are imported by the functions that need them."""
from __future__ import annotations

__all__ = ["train_scorecard", "TrainingError"]


def __getattr__(name):
    if name in __all__:
        from . import train

        return getattr(train, name)
    raise AttributeError(name)
