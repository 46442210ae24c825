"""Providers: models and lists today; window aggregates, graph lookups and text
classifiers next. Each kind registers itself with one adapter per backend; the checker
and the backends ask the registry (see :mod:`.base` and docs/architecture.md).

>>> from riskrules.engine.providers import model_kind
>>> model_kind("scorecard").__name__
'Scorecard'
"""
from __future__ import annotations

from .base import BatchModel, ModelProvider, ProviderError, by_index, model_kind, model_kinds, register
from .lists import BoundList, bind_list
from . import scorecard, sklearn_model  # noqa: E402,F401 - the built-in model kinds register themselves

__all__ = ["BatchModel", "BoundList", "ModelProvider", "ProviderError", "bind_list", "by_index", "model_kind",
           "model_kinds", "register"]
