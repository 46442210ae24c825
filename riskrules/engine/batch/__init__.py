"""The batch backend: the same IR compiled to polars expressions over a whole frame.

Semantics are the per-event engine's, row by row (the differential tests
check it): missing values, short-circuit evaluation, faults per rule, the
three policies, decision tables, shadow rules, scorecards and reasons.

Per-event laziness and faults become *effects*: each compiled node carries,
besides its value, a mask per effect channel — ``!`` (evaluating it raised in
this row) and ``m:<model>`` (evaluating it computed that model) — combined
with the evaluation order of ``and``/``or``/``if``/``coalesce`` and the
missing-value guards, so that a fault behind a false guard is no fault, and a
model a row never needed gives that row no reasons.

A builtin without a vectorised form runs per row (``map_elements``); that is
listed by :func:`describe` (``riskrules compile --show --backend batch``).

Exact money is a ``Decimal(38, s)`` column at the scale the checker fixed.
Comparisons, ``-x``, ``if`` and ``coalesce`` are vectorised, and so are
``+ - *`` on rows far from 38 digits: the operands are first cast so that
polars' result scale (the larger one, so 12.50 * 0.021 would be 0.262) is the
exact one. Rows near the limit, where polars would stop the whole query on an
overflow while per event only that row's rule faults, and every call with a
decimal argument or result, run per row through the same functions as per
event (``functions/money.py``).
"""
from __future__ import annotations

from .describe import describe
from .effects import AS_OF, ENGINE, FAULT, MAX_MODEL_REASONS
from .frame import as_of, decide_frame, feature_frame
from .input import INPUT_ERROR, DataError, polars_type, prepare
from .plan import build_plan

__all__ = ["AS_OF", "ENGINE", "FAULT", "INPUT_ERROR", "MAX_MODEL_REASONS", "DataError", "as_of", "build_plan",
           "decide_frame", "describe", "feature_frame", "polars_type", "prepare"]
