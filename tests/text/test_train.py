import pytest

from riskrules.text import classify, load_model
from riskrules.text.evaluate import held_out_report
from riskrules.text.model import IntentModel
from riskrules.text.train import corpus_digest, load_corpus, train


def test_macro_f1_on_held_out_split():
    report = held_out_report(load_corpus(), seed=20261202)
    assert report.macro_f1 >= 0.85, report.per_class_f1


def test_corpus_is_balanced_and_labelled():
    rows = load_corpus()
    assert len(rows) >= 1000
    counts = {}
    for row in rows:
        counts[row["intent"]] = counts.get(row["intent"], 0) + 1
        assert row["lang"] in ("zh", "en") and row["text"].strip()
    assert len(counts) == 8 and min(counts.values()) >= 60


def test_shipped_model_is_trained_on_the_shipped_corpus():
    assert load_model().corpus_digest == corpus_digest(load_corpus())


def test_reviewers_corrections_become_a_new_version():
    rows = load_corpus()
    fixes = [{"text": "这个我得问问我老婆", "intent": "hesitation", "subtype": None}] * 5
    model = train(rows, fixes)
    assert model["version"] != load_model().version and model["metadata"]["extra_rows"] == 5
    assert classify("这个我得问问我老婆", model=IntentModel.from_json(model)).intent == "hesitation"


def test_bad_corrections_are_refused_with_every_reason():
    bad = [{"text": "", "intent": "refusal"}, {"text": "x", "intent": "angry"},
           {"text": "x", "intent": "hardship", "subtype": "already_paid"}]
    with pytest.raises(ValueError) as error:
        train(load_corpus(), bad)
    message = str(error.value)
    assert "blank" in message and "'angry'" in message and "'already_paid'" in message
