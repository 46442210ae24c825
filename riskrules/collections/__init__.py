"""Collections: restructured repayment plans in exact decimal money, and contact
guards (riskrules.collections.guards) that no rule can override. docs/collections.md.

>>> from riskrules.collections import Account, offer_plans        # doctest: +SKIP
"""
from __future__ import annotations

from .offers import affordable_instalment, offer_plans
from .plans import (
    KINDS,
    MAX_MONTHS,
    Account,
    Instalment,
    Plan,
    PlanError,
    amortize,
    monthly_dates,
    payment_holiday,
    re_age,
    re_amortization,
    term_extension,
)

__all__ = ["Account", "Instalment", "Plan", "PlanError", "KINDS", "MAX_MONTHS", "amortize", "monthly_dates",
           "re_amortization", "term_extension", "re_age", "payment_holiday", "offer_plans", "affordable_instalment"]
