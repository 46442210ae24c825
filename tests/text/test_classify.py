import json
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from riskrules.text import INTENTS, IntentModel, classify, default_lexicon, load_model
from riskrules.text.normalize import MAX_CHARS

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text("utf-8"))
NOW = datetime(2026, 12, 2, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, intent, subtype", CASES["intents"])
def test_intent(text, intent, subtype):
    result = classify(text, NOW)
    assert result.intent == intent
    if subtype != "*":
        assert result.subtype == subtype
    assert 0.0 <= result.confidence <= 1.0 and 0.0 <= result.resistance <= 1.0


def test_next_weeks_pay_is_a_promise_for_next_week():
    result = classify("我下周发工资一定还", NOW)
    assert result.intent == "promise_to_pay" and result.lang == "zh"
    monday = NOW.date() - timedelta(days=NOW.weekday()) + timedelta(weeks=1)
    assert monday <= result.promised_date <= monday + timedelta(days=6)


def test_double_negation_is_hardship_not_refusal():
    result = classify("不是不还，是真的没钱", NOW)
    assert result.intent == "hardship"
    refusal = [c for c in result.cues if "refusal" in c.labels]
    assert refusal and all(c.negated for c in refusal)


def test_refusal_resists_whatever_its_sentiment():
    result = classify("我不会还的你们爱怎么样怎么样", NOW)
    assert result.intent == "refusal" and result.resistance > 0.5
    assert classify("我明天一定还", NOW).resistance < 0.3


def test_cue_spans_point_into_the_callers_text():
    text = "ＯＫ 我下周发工资一定还"
    result = classify(text, NOW)
    assert result.cues
    for cue in result.cues:
        assert text[cue.start:cue.end] == cue.text


def test_promise_carries_amount():
    result = classify("明天还3k", NOW)
    assert result.promised_date == date(2026, 12, 3) and str(result.promised_amount) == "3000"


@pytest.mark.parametrize("text", ["", "   \n", None])
def test_empty_text_is_other_with_no_confidence(text):
    result = classify(text, NOW)
    assert result.intent == "other" and result.confidence == 0.0 and result.notes


def test_bad_bytes_are_decoded_and_said():
    result = classify(b"\xff\xfe\xe6\x98\x8e\xe5\xa4\xa9\xe8\xbf\x98", NOW)  # junk + 明天还
    assert result.intent in INTENTS
    assert any("UTF-8" in n for n in result.notes)


def test_a_megabyte_is_truncated_and_said():
    result = classify("我明天还" * 250_000, NOW)
    assert result.intent in INTENTS
    assert any(str(MAX_CHARS) in n for n in result.notes)
    assert all(c.end <= MAX_CHARS for c in result.cues)


@pytest.mark.parametrize("text", ["🙏🙏🙏", "\ud800abc", "\x00\x01", "1234567890" * 50, "？？？",
                                  "ｌｏｓｔ ｍｙ ｊｏｂ", "2月30号还", 42])
def test_odd_text_never_raises(text):
    assert classify(text, NOW).intent in INTENTS


def test_model_file_is_json_not_pickle(tmp_path):
    raw = resources.files("riskrules.text").joinpath("data/intent_model.json").read_bytes()
    assert raw[:1] == b"{"
    data = json.loads(raw)
    assert data["format"].startswith("riskrules.text.intent-model/")
    assert data["version"].endswith(data["corpus_digest"][:12])
    assert data["lexicon_version"] == default_lexicon().version
    copy = tmp_path / "model.json"
    copy.write_bytes(raw)
    assert load_model(copy).version == load_model().version
    assert isinstance(load_model(), IntentModel)


def test_every_lexicon_label_is_a_known_intent_or_subtype():
    from riskrules.text.labels import SUBTYPES

    known = set(INTENTS) | {f"{intent}/{s}" for intent, subs in SUBTYPES.items() for s in subs}
    labels = {label for labels in default_lexicon().labels.values() for label in labels}
    assert labels <= known, labels - known


def test_importing_the_package_loads_no_scikit_learn():
    import subprocess
    import sys

    code = "import sys, riskrules.text; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("text, intent", CASES["unseen"])
def test_messages_the_corpus_does_not_contain(text, intent):
    assert classify(text, NOW).intent == intent


def test_unseen_cases_are_not_in_the_corpus():
    from riskrules.text.train import load_corpus

    corpus = {row["text"] for row in load_corpus()}
    assert not corpus & {text for text, _ in CASES["unseen"]}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.text(alphabet="不没还钱明天下周五月底号三千万kK$,.0123456789 我你们", max_size=60)))
def test_any_text_or_bytes_classifies_without_raising(value):
    result = classify(value, NOW)
    assert result.intent in INTENTS and 0.0 <= result.resistance <= 1.0
    assert 0.0 <= result.confidence <= 1.0
    text = value if isinstance(value, str) else value.decode("utf-8", errors="replace")
    for cue in result.cues:
        assert text[cue.start:cue.end] == cue.text


def test_a_lexicon_the_model_was_not_trained_with_is_said():
    import dataclasses

    edited = dataclasses.replace(default_lexicon(), version="9.9.9")
    result = classify("明天还", NOW, lexicon=edited)
    assert result.intent == "promise_to_pay"
    assert any("9.9.9" in note for note in result.notes)
