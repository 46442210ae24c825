"""Held-out evaluation shared by the benchmark and the tests: one split, one report."""
from __future__ import annotations

from dataclasses import dataclass

from riskrules.text.classify import INTENTS, classify
from riskrules.text.lexicon import default_lexicon
from riskrules.text.normalize import fold
from riskrules.text.model import IntentModel
from riskrules.text.train import SEED, train


@dataclass(frozen=True)
class HeldOutReport:
    rows: int
    train_rows: int
    test: list[dict]
    predicted: list[str]
    classes: tuple[str, ...]
    confusion: list[list[int]]
    macro_f1: float
    per_class_f1: dict[str, float]
    subtype_accuracy: float
    lexicon_only_f1: float
    model: IntentModel


def held_out_report(rows: list[dict], *, seed: int = SEED, test_size: float = 0.2) -> HeldOutReport:
    """Train on a stratified (1 - test_size) split, classify the rest."""
    from sklearn.metrics import confusion_matrix, f1_score
    from sklearn.model_selection import train_test_split

    train_rows, test_rows = train_test_split(rows, test_size=test_size, random_state=seed,
                                             stratify=[r["intent"] for r in rows])
    model = IntentModel.from_json(train(train_rows))
    results = [classify(r["text"], model=model) for r in test_rows]
    truth = [r["intent"] for r in test_rows]
    predicted = [r.intent for r in results]
    classes = tuple(c for c in INTENTS if c in set(truth) | set(predicted))
    per_class = f1_score(truth, predicted, labels=list(classes), average=None, zero_division=0)
    with_subtype = [(r, p) for r, p in zip(test_rows, results)
                    if r.get("subtype") and p.intent == r["intent"]]
    sub_acc = (sum(p.subtype == r["subtype"] for r, p in with_subtype) / len(with_subtype)
               if with_subtype else 1.0)
    baseline = [lexicon_vote(r["text"]) for r in test_rows]
    return HeldOutReport(len(rows), len(train_rows), test_rows, predicted, classes,
                         confusion_matrix(truth, predicted, labels=list(classes)).tolist(),
                         float(f1_score(truth, predicted, average="macro", zero_division=0)),
                         dict(zip(classes, map(float, per_class))), sub_acc,
                         float(f1_score(truth, baseline, average="macro", zero_division=0)), model)


def lexicon_vote(text: str) -> str:
    """The baseline the model must beat: the intent with most un-negated cues, else other."""
    votes: dict[str, int] = {}
    for cue in default_lexicon().match(fold(text)):
        if not cue.negated:
            for label in {label.split("/")[0] for label in cue.labels}:
                votes[label] = votes.get(label, 0) + 1
    if not votes:
        return "other"
    return max(INTENTS, key=lambda intent: (votes.get(intent, 0), -INTENTS.index(intent)))
