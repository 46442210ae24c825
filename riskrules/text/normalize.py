"""Text preparation shared by training and classification: decoding, truncation,
length-preserving normalisation (so cue spans point into the caller's text) and language."""
from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def as_text(raw: object) -> tuple[str, list[str]]:
    """Any input as text plus notes on what was done to it; never raises."""
    notes: list[str] = []
    if raw is None:
        return "", ["no text given"]
    if isinstance(raw, (bytes, bytearray, memoryview)):
        data = bytes(raw)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            notes.append("input was not valid UTF-8; undecodable bytes replaced with U+FFFD")
    elif isinstance(raw, str):
        text = raw
    else:
        text = str(raw)
        notes.append(f"input of type {type(raw).__name__} read as its string form")
    if len(text) > MAX_CHARS:
        notes.append(f"message of {len(text)} characters; only the first {MAX_CHARS} were read")
        text = text[:MAX_CHARS]
    # Lone surrogates (from bad JSON) would break encoders downstream.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
        notes.append("lone surrogates replaced with U+FFFD")
    return text, notes


def fold(text: str) -> str:
    """Lower-case and NFKC per character, keeping length (full-width ３ｋ becomes 3k)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch).lower()
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or ch)
    return "".join(out)


def detect_lang(text: str) -> str:
    """"zh", "en" or "und". A Chinese character weighs about as much as a short English
    word, so a mostly-Chinese message with an English word or two stays "zh"."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0 and latin == 0:
        return "und"
    return "zh" if cjk * 4 >= latin else "en"
