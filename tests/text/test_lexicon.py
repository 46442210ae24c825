import pytest

from riskrules.text import default_lexicon
from riskrules.text.normalize import detect_lang, fold

NEGATION = [
    # text, cue, negated
    ("不是不还，是真的没钱", "不还", True),
    ("不是不还，是真的没钱", "真的没钱", False),
    ("没钱", "没钱", False),
    ("没钱不还", "不还", False),          # 没 belongs to the earlier cue 没钱
    ("我没钱，不还了", "不还", False),
    ("我不是不想还", "不想还", True),
    ("我不会还的", "不会还", False),
    ("i never said i won't pay", "won't pay", True),
    ("i won't pay", "won't pay", False),
]


@pytest.mark.parametrize("text, cue, negated", NEGATION)
def test_negation_scope(text, cue, negated):
    found = {c.text: c.negated for c in default_lexicon().match(fold(text))}
    assert found[cue] is negated


@pytest.mark.parametrize("text, lang", [("我明天还", "zh"), ("I'll pay tomorrow", "en"),
                                        ("明天 pay 两千", "zh"), ("ok 👍", "en"), ("👍", "und"),
                                        ("", "und")])
def test_language(text, lang):
    assert detect_lang(text) == lang


def test_fold_keeps_length():
    text = "ＯＫ３ｋ ﬁne ㎏"
    assert len(fold(text)) == len(text)
