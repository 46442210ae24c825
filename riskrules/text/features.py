"""The one analyser: text -> feature tokens, used by training and classification alike.

Tokens: words (jieba for Chinese, lower-cased words for English) and their bigrams,
character n-grams (robust to typos and homophones such as 换钱 for 还钱), and lexicon
cues ("q:refusal", negated as "q!:refusal"), plus whether a date or an amount is named.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from functools import lru_cache

from riskrules.text.dates import promised_date
from riskrules.text.lexicon import Cue, Lexicon
from riskrules.text.numbers import promised_amount

_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9'\W]|[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")
_EPOCH = datetime(2026, 1, 7, tzinfo=timezone.utc)  # any fixed day: only "is a date named" matters


@lru_cache(maxsize=4)
def _segmenter(lexicon: Lexicon):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    # A private tokenizer so our cue words never change segmentation elsewhere in the process.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for phrase in lexicon.labels:
        if not phrase.isascii():
            tokenizer.add_word(phrase, freq=2000)
    return tokenizer


def words(folded: str, lang: str, lexicon: Lexicon) -> list[str]:
    if lang == "zh":
        return [w for w in _segmenter(lexicon).lcut(folded) if w.strip()]
    return _WORD.findall(folded)


def analyse(folded: str, lang: str, lexicon: Lexicon, cues: list[Cue]) -> list[str]:
    tokens = words(folded, lang, lexicon)
    feats = [f"w:{t}" for t in tokens]
    feats += [f"b:{a}|{b}" for a, b in zip(tokens, tokens[1:])]
    compact = _SPACE.sub(" ", folded).strip()
    low, high = (1, 3) if lang == "zh" else (3, 5)
    padded = compact if lang == "zh" else f" {compact} "
    for n in range(low, high + 1):
        feats += [f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    for cue in cues:
        mark = "q!:" if cue.negated else "q:"
        for label in cue.labels:
            feats.append(mark + label)
            if "/" in label:
                feats.append(mark + label.split("/")[0])
    if promised_amount(folded) is not None:
        feats.append("n:amount")
    if promised_date(folded, _EPOCH) is not None:
        feats.append("n:date")
    feats.append(f"l:{lang}")
    return feats
