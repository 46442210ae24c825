"""Message intent builtins: what a borrower's message says, offline (riskrules.text).

The classifier and its lexicon ship with the package (docs/text_intent.md); they are
loaded on the first call, so a ruleset that never reads a message pays nothing. In
batch these run row by row (``riskrules compile --show --backend batch`` lists them).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..types import DATE, NUMBER, STRING, decimal_of
from . import builtin

_CENT = Decimal("0.01")


@builtin("message_intent", [STRING], STRING)
def message_intent(text: str) -> str:
    """A message's intent (promise_to_pay, hardship, refusal, dispute, complaint…): `message_intent(m.text)`."""
    from ...text import classify

    return classify(text).intent


@builtin("message_resistance", [STRING], NUMBER)
def message_resistance(text: str) -> float:
    """Resistance to paying in [0, 1], not sentiment: `message_resistance(message.text) > 0.7`."""
    from ...text import classify

    return float(classify(text).resistance)


@builtin("promised_date", [STRING], DATE, context="now")
def promised_date(now: dt.datetime, text: str) -> dt.date | None:
    """The date a message promises to pay by ("下周五", "by the 15th"), as of the decision time, or missing."""
    from ...text import promised_date as read

    return read(text, now)


@builtin("promised_amount", [STRING], decimal_of(2))
def promised_amount(text: str):
    """The amount a message names ("三千", "1.5万", "$300"), exact to the cent, or missing."""
    from ...text import promised_amount as read
    from .money import fit

    amount = read(text)
    return None if amount is None else fit(amount.quantize(_CENT), 2)

