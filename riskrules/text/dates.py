"""The date a borrower promises to pay by, read relative to the message's own time.

When several date phrases appear, the first in the text wins ("今天先还五百，其他的下周还"
is a promise for today); at one position the longest phrase wins. A vague period resolves to its last day, the latest date the promise still allows
("下周" / "next week" is next week's Sunday, "月底" the month's last day, "月初" the 5th
of next month), so a follow-up never calls a kept promise broken. Weekday names alone
mean the next such day, today included.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from riskrules._common.time import assume_utc
from riskrules.text.numbers import chinese_to_int

_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 6}
_EN_WEEKDAY = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_EN_WEEKDAY.update({n[:3]: i for n, i in list(_EN_WEEKDAY.items())})
_EN_MONTH = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_EN_MONTH.update({n[:3]: i for n, i in list(_EN_MONTH.items())})
_CN_NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"


def _num(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_to_int(text)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _day_of_month(today: date, dom: int, month: int | None = None) -> date | None:
    """Day ``dom`` of the given month (this year, or next if past) or of the next month with it."""
    try:
        if month is not None:
            target = date(today.year, month, dom)
            return target if target >= today else date(today.year + 1, month, dom)
        target = date(today.year, today.month, dom)
        if target >= today:
            return target
        year, mon = _add_months(today, 1)
        return date(year, mon, min(dom, calendar.monthrange(year, mon)[1]))
    except ValueError:
        return None


def _weekday(today: date, weekday: int, week_offset: int | None) -> date:
    """week_offset None: next such day (today included); 0: this week's; 1: next week's."""
    if week_offset is None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week_offset)
    return monday + timedelta(days=weekday)


# Each rule: a pattern and a function (match, today) -> date | None. The first rule
# that matches anywhere in the text wins, so specific forms come before vague ones.
def _rules():
    wk = r"(?:周|星期|礼拜)"
    return [
        (rf"(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月(?:份)?({_CN_NUM})[号日]",
         lambda m, t: _day_of_month(t, _num(m[2]), _num(m[1]))),
        (r"(20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})",
         lambda m, t: _safe_date(int(m[1]), int(m[2]), int(m[3]))),
        (rf"下个?{wk}([一二三四五六日天末])", lambda m, t: _weekday(t, _ZH_WEEKDAY[m[1]], 1)),
        (rf"(?:这|本|这个){wk}([一二三四五六日天末])", lambda m, t: _weekday(t, _ZH_WEEKDAY[m[1]], 0)),
        (rf"{wk}([一二三四五六日天末])", lambda m, t: _weekday(t, _ZH_WEEKDAY[m[1]], None)),
        (rf"下个?{wk}|下礼拜", lambda m, t: _weekday(t, 6, 1)),
        (r"大后天", lambda m, t: t + timedelta(days=3)),
        (r"后天", lambda m, t: t + timedelta(days=2)),
        (r"明天|明日|明儿|明早|明晚", lambda m, t: t + timedelta(days=1)),
        (r"今天|今日|今晚|今儿|马上|立刻|现在", lambda m, t: t),
        (rf"({_CN_NUM})[号日]", lambda m, t: _day_of_month(t, _num(m[1]))),
        (rf"下个?月({_CN_NUM})[号日]", lambda m, t: _safe_date(*_add_months(t, 1), _num(m[1]))),
        (r"下个?月(?:底|末)", lambda m, t: _month_end(*_add_months(t, 1))),
        (r"下个?月(?:初)", lambda m, t: date(*_add_months(t, 1), 5)),
        (r"月底|月末|这个月内|本月内|这个月", lambda m, t: _month_end(t.year, t.month)),
        (r"月初", lambda m, t: date(*_add_months(t, 1), 5)),
        (r"下个?月", lambda m, t: _month_end(*_add_months(t, 1))),
        (rf"({_CN_NUM})天(?:内|之内|后|以后)", lambda m, t: t + timedelta(days=_num(m[1]))),
        (r"过两天|这两天|过几天", lambda m, t: t + timedelta(days=3)),
        (r"(?:这周|本周|这个星期|这礼拜|周末)", lambda m, t: _weekday(t, 6, 0)),
        (r"(?:20\d\d-)?\b(\d{1,2})/(\d{1,2})\b", lambda m, t: _day_of_month(t, int(m[2]), int(m[1]))),
        (r"\bday after tomorrow\b", lambda m, t: t + timedelta(days=2)),
        (r"\b(?:tomorrow|tmrw|tmr|2moro)\b", lambda m, t: t + timedelta(days=1)),
        (r"\b(?:today|tonight|right now|asap|this (?:morning|afternoon|evening))\b", lambda m, t: t),
        (r"\bnext (monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)\b",
         lambda m, t: _next_en_weekday(t, _EN_WEEKDAY[m[1]])),
        (r"\bthis (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
         lambda m, t: _weekday(t, _EN_WEEKDAY[m[1]], 0)),
        (r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
         lambda m, t: _weekday(t, _EN_WEEKDAY[m[1]], None)),
        (r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?\b",
         lambda m, t: _day_of_month(t, int(m[2]), _EN_MONTH[m[1]])),
        (r"\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
         lambda m, t: _day_of_month(t, int(m[1]), _EN_MONTH[m[2]])),
        (r"\b(\d{1,2})(?:st|nd|rd|th)\b", lambda m, t: _day_of_month(t, int(m[1]))),
        (r"\bend of next month\b", lambda m, t: _month_end(*_add_months(t, 1))),
        (r"\b(?:end of (?:the |this )?month|month end|month-end|eom)\b",
         lambda m, t: _month_end(t.year, t.month)),
        (r"\bnext month\b", lambda m, t: _month_end(*_add_months(t, 1))),
        (r"\bnext week\b", lambda m, t: _weekday(t, 6, 1)),
        (r"\b(?:this week|end of (?:the )?week|weekend)\b", lambda m, t: _weekday(t, 6, 0)),
        (r"\b(?:in|within) (\d{1,2}|a few|a couple of|two|three|few) days?\b",
         lambda m, t: t + timedelta(days=_en_count(m[1]))),
        (r"\b(?:in|within) (?:a|one) week\b", lambda m, t: t + timedelta(days=7)),
    ]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_en_weekday(today: date, weekday: int) -> date:
    # "next friday" said on a Monday means this coming Friday for most speakers; said on
    # Friday or later, the Friday a week away. Never today.
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def _en_count(word: str) -> int:
    return int(word) if word.isdigit() else {"two": 2, "three": 3}.get(word, 3)


_COMPILED = [(re.compile(p, re.IGNORECASE), f) for p, f in _rules()]


def promised_date(text: str, now: datetime) -> date | None:
    """The date a message promises payment by, relative to ``now`` (a naive one is UTC).

    >>> from datetime import datetime, timezone
    >>> promised_date("明天一定还", datetime(2026, 12, 2, 9, tzinfo=timezone.utc))
    datetime.date(2026, 12, 3)
    """
    text, today = text.lower(), assume_utc(now).date()
    best, best_key = None, None
    for pattern, resolve in _COMPILED:
        for m in pattern.finditer(text):
            key = (m.start(), -(m.end() - m.start()))
            if best_key is not None and key >= best_key:
                continue
            found = resolve(m, today)
            if found is not None:
                best, best_key = found, key
            break
    return best
