"""Numbers as people type them in collection chats: 三千, 一千五, 1.5万, 3k, 3,000元, $300.

Written by hand because no maintained library reads colloquial Chinese amounts
("一千五" is 1500, not 1005) together with 3k / 1.5w shorthands; cn2an reads formal
numerals only. Money is always Decimal.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "俩": 2, "贰": 2, "三": 3, "叁": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
CN_NUMERAL = "零〇一壹二两俩贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿"


def chinese_to_int(text: str) -> int | None:
    """Read a Chinese numeral, including the colloquial trailing digit.

    >>> chinese_to_int("一千五"), chinese_to_int("三万二"), chinese_to_int("十五")
    (1500, 32000, 15)
    """
    if not text or any(ch not in CN_NUMERAL for ch in text):
        return None
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            unit = UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:  # 万 / 亿 close a section
            big = BIG_UNITS[ch]
            section += digit or 0
            total += (section or 1) * big
            section, digit, last_unit = 0, None, big
    if digit is not None:
        # "一千五": a lone digit after a unit means the next unit down (500, not 5),
        # unless a 零 stood between them ("一千零五" is 1005).
        if last_unit > 1 and "零" not in text[-2:-1] and text[-1] in DIGITS and len(text) > 1 \
                and text[-2] in {**UNITS, **BIG_UNITS}:
            digit *= last_unit // 10
        section += digit
    return total + section


_AMOUNT = re.compile(
    r"(?P<cur>[$¥￥]|rmb|usd|cny)?\s*"
    # Bounded lengths: a run of 500 digits is not money and must not overflow Decimal.
    r"(?<!\d)(?<!\d[.,])(?P<num>\d{1,3}(?:,\d{3}){1,4}(?:\.\d{1,4})?(?![\d,])|\d{1,12}(?:\.\d{1,4})?(?![\d.])"
    r"|[零〇一二两俩三四五六七八九十百千万]{1,12})"
    r"\s*(?P<mult>万|w(?![a-z])|千|k(?![a-z])|百)?(?P<tail>(?<=[万千])\d(?![\d号日天月.,]))?"
    r"\s*(?P<unit>块钱|块|元|圆|rmb|yuan|dollars?|bucks|usd|刀)?",
    re.IGNORECASE,
)
# What follows a number that is a date, a time or a count rather than money.
_NOT_MONEY_AFTER = re.compile(
    r"\s*(号|日|天|月|点|周|星期|礼拜|个|年|期|次|小时|分钟|%|％|th\b|st\b|nd\b|rd\b|days?\b|weeks?\b"
    r"|months?\b|years?\b|pm\b|am\b|hours?\b|o'clock|/|-|:)", re.IGNORECASE)
_NOT_MONEY_BEFORE = re.compile(
    r"(月|周|星期|礼拜|第|the|/|-|:|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)\s*$",
    re.IGNORECASE)
_MULT = {"万": 10_000, "w": 10_000, "千": 1000, "k": 1000, "百": 100}


def _value(num: str) -> Decimal | None:
    if num[0].isdigit():
        try:
            return Decimal(num.replace(",", ""))
        except InvalidOperation:
            return None
    value = chinese_to_int(num)
    return None if value is None else Decimal(value)


def promised_amount(text: str) -> Decimal | None:
    """The amount of money a message names, or None.

    A number with a currency sign or unit (元, 块, $, k, 万) wins over a bare one; numbers
    that are dates, times or counts (15号, 3天, 2期) are never money.

    >>> promised_amount("下周先还一千五"), promised_amount("I can do $300 friday")
    (Decimal('1500'), Decimal('300'))
    """
    marked, bare = [], []
    for m in _AMOUNT.finditer(text):
        num, mult, unit, cur = m["num"], m["mult"], m["unit"], m["cur"]
        if _NOT_MONEY_AFTER.match(text, m.end("num") if not (mult or unit) else m.end()):
            continue
        if _NOT_MONEY_BEFORE.search(text[: m.start()]) and not (cur or unit or mult):
            continue
        value = _value(num)
        if value is None or value == 0 or value >= 10 ** 12:
            continue
        if mult:
            value *= _MULT[mult.lower()]
            if m["tail"]:  # 1万2 is 12000, as 一万二 is
                value += int(m["tail"]) * _MULT[mult.lower()] // 10
        if (cur or unit or mult):
            marked.append(value)
        elif value >= 10:
            bare.append(value)
    chosen = marked or bare
    if not chosen:
        return None
    value = chosen[0]
    # 1.5万 is 15000, not 15000.0: whole amounts keep no spurious exponent or decimals.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
