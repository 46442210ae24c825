"""classify(text) -> Intent: what a borrower's message means for collections."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np

from riskrules._common.time import utcnow
from riskrules.text.dates import promised_date
from riskrules.text.features import analyse
from riskrules.text.labels import INTENTS
from riskrules.text.lexicon import Cue, Lexicon, default_lexicon
from riskrules.text.model import IntentModel, load_model
from riskrules.text.normalize import as_text, detect_lang, fold
from riskrules.text.numbers import promised_amount

# How much each intent, on its own, resists paying; lexicon phrases move it from there.
# This is resistance to repayment, not sentiment: a polite refusal still resists.
RESISTANCE_PRIOR = {"promise_to_pay": 0.1, "hardship": 0.25, "plan_request": 0.2,
                    "hesitation": 0.5, "refusal": 0.75, "dispute": 0.45, "complaint": 0.55,
                    "other": 0.3}


@dataclass(frozen=True, slots=True)
class Intent:
    """The reading of one message.

    >>> r = classify("我下周发工资一定还")
    >>> r.intent, r.lang
    ('promise_to_pay', 'zh')
    """

    intent: str
    subtype: str | None
    confidence: float
    resistance: float
    cues: tuple[Cue, ...]
    lang: str
    model_version: str
    promised_date: date | None = None
    promised_amount: Decimal | None = None
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"intent": self.intent, "subtype": self.subtype,
                "confidence": round(self.confidence, 4), "resistance": round(self.resistance, 4),
                "cues": [c.as_dict() for c in self.cues], "lang": self.lang,
                "model_version": self.model_version,
                "promised_date": self.promised_date.isoformat() if self.promised_date else None,
                "promised_amount": str(self.promised_amount) if self.promised_amount is not None
                else None, "notes": list(self.notes)}


def classify(text: str | bytes, now: datetime | None = None, *, model: IntentModel | None = None,
             lexicon: Lexicon | None = None) -> Intent:
    """Intent, subtype, confidence, resistance in [0, 1] and the cues behind them.

    ``now`` is the message's own time (naive is read as UTC), against which a promised date
    such as "下周五" is read; it defaults to the current UTC time. Never raises for text:
    empty input is "other" with confidence 0, bad bytes are decoded with replacement and
    long messages are truncated, each said in ``notes``.
    """
    model = model or load_model()
    lexicon = lexicon or default_lexicon()
    raw, notes = as_text(text)
    if model.lexicon_version != lexicon.version:
        # Cue features would no longer mean what the model learnt; say so, do not fail.
        notes.append(f"model {model.version} was trained with lexicon {model.lexicon_version}, "
                     f"not {lexicon.version}; retrain")
    if not raw.strip():
        return Intent("other", None, 0.0, 0.0, (), "und", model.version,
                      notes=tuple(notes + ["empty message"]))
    folded = fold(raw)
    lang = detect_lang(folded)
    matched = lexicon.match(folded)
    # Cue text as the caller wrote it, so spans and text agree for highlighting.
    cues = [Cue(raw[c.start:c.end], c.start, c.end, c.labels, c.negated) for c in matched]
    index, values = model.vectorise(analyse(folded, lang, lexicon, matched))
    probs = model.intent.probabilities(index, values)
    best = int(np.argmax(probs))
    intent = model.intent.classes[best]
    subtype = None
    head = model.subtypes.get(intent)
    if head is not None:
        sub = head.classes[int(np.argmax(head.probabilities(index, values)))]
        subtype = None if sub == "none" else sub
    prior = sum(float(p) * RESISTANCE_PRIOR.get(c, 0.3) for c, p in zip(model.intent.classes, probs))
    resistance = min(1.0, max(0.0, prior + lexicon.resistance_of(matched)))
    when = amount = None
    if intent == "promise_to_pay":
        when = promised_date(folded, now or utcnow())
        amount = promised_amount(folded)
    return Intent(intent, subtype, float(probs[best]), resistance, tuple(cues), lang,
                  model.version, when, amount, tuple(notes))
