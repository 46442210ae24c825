"""Message intent for collections, in Chinese and English.

    >>> from riskrules.text import classify
    >>> classify("我下周发工资一定还").intent
    'promise_to_pay'

``classify`` reads a borrower's message into an intent (promise_to_pay, hardship,
plan_request, hesitation, refusal, dispute, complaint, other), a subtype, a confidence,
a resistance signal in [0, 1] and the lexicon cues behind it; ``promised_date`` and
``promised_amount`` read what a promise names; ``riskrules.text.train.train`` builds a new
JSON model from the shipped corpus plus reviewers' corrections (it imports
scikit-learn, so it is not imported here). See docs/text_intent.md.
"""
from riskrules.text.classify import INTENTS, Intent, classify
from riskrules.text.dates import promised_date
from riskrules.text.lexicon import Cue, default_lexicon
from riskrules.text.model import IntentModel, load_model
from riskrules.text.numbers import promised_amount


__all__ = ["INTENTS", "Cue", "Intent", "IntentModel", "classify", "default_lexicon",
           "load_model", "promised_amount", "promised_date"]
