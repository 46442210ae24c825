"""Contact-compliance guards: hard limits on when and how a debtor may be contacted.

A guard is not a rule: no ruleset can switch it off or outrank it. Given a proposed
contact and the contact history, :func:`violations` names every guard the contact
would break (empty: allowed), and :func:`next_allowed` finds the earliest time at or
after a wanted one when the contact breaks none. Limits are counted in the debtor's
local time (an IANA zone such as ``Asia/Shanghai``); the profiles are data, so a
lender adds a jurisdiction without code.

Profiles shipped:

``cn`` (China: CBIRC guidance and the internet-finance collection self-discipline convention)
    no collection 22:00-08:00 local unless the debtor consented; at most 3 effective voice
    conversations (AI voice included) a day; at most 6 dial attempts per contact method a
    day; third parties only when the debtor is unreachable, and never told of the debt;
    no collection while the debtor honours a restructure plan.
``us_reg_f`` (12 CFR 1006: FDCPA 805(a)(1), Reg F 1006.14(b))
    calls only 08:00-21:00 local; at most 7 calls within 7 consecutive days per debt; no
    call within 7 days after a telephone conversation about the debt.

>>> from datetime import datetime, timezone
>>> d = Debtor(timezone="Asia/Shanghai")
>>> c = Contact(at=datetime(2025, 3, 3, 15, 30, tzinfo=timezone.utc), channel="voice", method="phone:1")
>>> [v.guard for v in violations(c, [], d, PROFILES["cn"])]     # 23:30 in Shanghai
['CN-QUIET-HOURS']
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHANNELS = ("voice", "ai_voice", "sms", "email", "app", "letter", "visit")
VOICE = frozenset({"voice", "ai_voice"})
OUTCOMES = ("attempt", "no_answer", "conversation", "delivered", "failed")
PARTIES = ("debtor", "third_party")
_DAY = dt.timedelta(days=1)


class GuardError(ValueError):
    """A contact, history or debtor that cannot be judged; the message names the field."""


@dataclass(frozen=True)
class Debtor:
    timezone: str
    quiet_hours_consent: bool = False  # the debtor asked to be called at night (China allows it)
    reachable: bool = True  # the debtor can be reached directly (third parties only when not)
    honouring_plan: bool = False  # a restructure plan is being honoured

    def zone(self) -> ZoneInfo:
        return zone(self.timezone)


@dataclass(frozen=True)
class Contact:
    at: dt.datetime  # aware; naive is refused (whose 09:00?)
    channel: str
    method: str = ""  # the number or address used: attempts are counted per method
    party: str = "debtor"
    outcome: str = "attempt"
    debt_id: str = ""
    discloses_debt: bool = False  # a third-party contact that mentions the debt

    def check(self, where: str = "contact") -> "Contact":
        """This contact with its time in UTC, or :class:`GuardError` naming the bad field.

        Time arithmetic is done in UTC only: ``at - 7 days`` on a zoned datetime moves the
        wall clock, which is 30-60 minutes off across a daylight-saving change."""
        if not isinstance(self.at, dt.datetime) or self.at.tzinfo is None or self.at.utcoffset() is None:
            raise GuardError(f"{where}.at must be a datetime with a time zone or offset, got {self.at!r}")
        for name, allowed in (("channel", CHANNELS), ("party", PARTIES), ("outcome", OUTCOMES)):
            if getattr(self, name) not in allowed:
                raise GuardError(f"{where}.{name} {getattr(self, name)!r} is not one of {', '.join(allowed)}")
        return self if self.at.tzinfo is dt.timezone.utc else replace(self, at=self.at.astimezone(dt.timezone.utc))


@dataclass(frozen=True)
class Profile:
    name: str
    quiet_start: dt.time | None = None  # local time from which no contact (e.g. 22:00) ...
    quiet_end: dt.time | None = None  # ... until (e.g. 08:00)
    quiet_channels: frozenset = frozenset(CHANNELS)
    consent_lifts_quiet_hours: bool = False
    max_conversations_per_day: int | None = None  # effective voice conversations (AI voice included)
    max_attempts_per_method_per_day: int | None = None  # dial attempts per number per day
    max_calls_per_week_per_debt: int | None = None  # calls within 7 consecutive days, per debt
    quiet_days_after_conversation: int | None = None  # no call this many days after a telephone conversation
    third_party_only_if_unreachable: bool = False
    no_collection_while_plan: bool = False


PROFILES = {
    "cn": Profile("cn", quiet_start=dt.time(22), quiet_end=dt.time(8), consent_lifts_quiet_hours=True,
                  max_conversations_per_day=3, max_attempts_per_method_per_day=6,
                  third_party_only_if_unreachable=True, no_collection_while_plan=True),
    "us_reg_f": Profile("us_reg_f", quiet_start=dt.time(21), quiet_end=dt.time(8), max_calls_per_week_per_debt=7,
                        quiet_days_after_conversation=7),
}


@dataclass(frozen=True)
class Violation:
    guard: str
    reason: str

    def __str__(self) -> str:
        return f"{self.guard}: {self.reason}"


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or :class:`GuardError` (a contact cannot be timed without it)."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise GuardError(f"unknown time zone {str(name)[:60]!r}; use an IANA name such as Asia/Shanghai") from None


def _local(at: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return at.astimezone(tz)


def _in_quiet_hours(local: dt.datetime, p: Profile) -> bool:
    t = local.time()
    if p.quiet_start <= p.quiet_end:
        return p.quiet_start <= t < p.quiet_end
    return t >= p.quiet_start or t < p.quiet_end


def _is_call(c: Contact) -> bool:
    return c.channel in VOICE


def violations(contact: Contact, history, debtor: Debtor, profile: Profile) -> list[Violation]:
    """Every guard of ``profile`` that ``contact`` would break, given earlier ``history``."""
    tz = debtor.zone()
    history = checked_history(history)
    return _violations(contact.check(), history, _local_days(history, tz), debtor, tz, profile)


def _local_days(history: list[Contact], tz: ZoneInfo) -> list[dt.date]:
    return [_local(h.at, tz).date() for h in history]


def _violations(contact: Contact, history: list[Contact], days: list[dt.date], debtor: Debtor, tz: ZoneInfo,
                profile: Profile) -> list[Violation]:
    local = _local(contact.at, tz)
    found: list[Violation] = []
    p = profile
    if p.no_collection_while_plan and debtor.honouring_plan:
        found.append(Violation(f"{_tag(p)}-PLAN", "the debtor is honouring a restructure plan: no collection contact"))
    if p.third_party_only_if_unreachable and contact.party == "third_party":
        if debtor.reachable:
            found.append(Violation(f"{_tag(p)}-THIRD-PARTY", "third parties may be contacted only when the debtor "
                                                             "is unreachable"))
        if contact.discloses_debt:
            found.append(Violation(f"{_tag(p)}-DISCLOSURE", "a third party must never be told of the debt"))
    if (p.quiet_start is not None and contact.channel in p.quiet_channels and _in_quiet_hours(local, p)
            and not (p.consent_lifts_quiet_hours and debtor.quiet_hours_consent)):
        found.append(Violation(f"{_tag(p)}-QUIET-HOURS", f"{local:%H:%M} in {debtor.timezone} is within "
                                                         f"{p.quiet_start:%H:%M}-{p.quiet_end:%H:%M}"))
    if not _is_call(contact):
        return found
    earlier = [h for h in history if h.at <= contact.at]
    date = local.date()
    today = [h for h, day in zip(history, days) if day == date and h.at <= contact.at]
    if p.max_conversations_per_day is not None:
        talks = sum(1 for h in today if _is_call(h) and h.outcome == "conversation" and h.party == "debtor")
        if talks >= p.max_conversations_per_day:
            found.append(Violation(f"{_tag(p)}-CONVERSATIONS", f"{talks} voice conversations today already "
                                                               f"(at most {p.max_conversations_per_day} a day)"))
    if p.max_attempts_per_method_per_day is not None:
        dials = sum(1 for h in today if _is_call(h) and h.method == contact.method)
        if dials >= p.max_attempts_per_method_per_day:
            found.append(Violation(f"{_tag(p)}-ATTEMPTS", f"{dials} dial attempts to {contact.method or 'this method'}"
                                                          f" today already (at most "
                                                          f"{p.max_attempts_per_method_per_day})"))
    week = contact.at - 7 * _DAY
    same_debt = [h for h in earlier if _is_call(h) and h.debt_id == contact.debt_id and h.at > week]
    if p.max_calls_per_week_per_debt is not None and len(same_debt) >= p.max_calls_per_week_per_debt:
        found.append(Violation(f"{_tag(p)}-FREQUENCY", f"{len(same_debt)} calls about this debt in the last 7 days "
                                                       f"(at most {p.max_calls_per_week_per_debt})"))
    if p.quiet_days_after_conversation is not None:
        since = contact.at - p.quiet_days_after_conversation * _DAY
        talked = [h.at for h in earlier if _is_call(h) and h.debt_id == contact.debt_id
                  and h.outcome == "conversation" and h.party == "debtor" and h.at > since]
        if talked:
            found.append(Violation(f"{_tag(p)}-AFTER-CONVERSATION",
                                   f"a telephone conversation on {_local(max(talked), tz):%Y-%m-%d %H:%M}: no call for "
                                   f"{p.quiet_days_after_conversation} days after it"))
    return found


def checked_history(history) -> list[Contact]:
    """The history as a list, each item checked (an error names its index)."""
    items = []
    for i, h in enumerate(history):
        if not isinstance(h, Contact):
            raise GuardError(f"history[{i}] is not a Contact: {type(h).__name__}")
        items.append(h.check(f"history[{i}]"))
    return items


def _tag(p: Profile) -> str:
    return p.name.upper().replace("_", "-")


def next_allowed(contact: Contact, history, debtor: Debtor, profile: Profile, *,
                 horizon: dt.timedelta = dt.timedelta(days=14)) -> dt.datetime | None:
    """The earliest time at or after ``contact.at`` (within ``horizon``) when ``contact``
    breaks no guard, or None. Limits change only at a few instants (the end of quiet
    hours, local midnight, seven days after a counted call or a conversation), so only
    those are tried."""
    contact = contact.check()
    tz = debtor.zone()
    history = checked_history(history)
    days = _local_days(history, tz)
    end = contact.at + horizon
    for at in _candidates(contact.at, end, history, tz, profile):
        if not _violations(replace(contact, at=at), history, days, debtor, tz, profile):
            return at
    return None


def _candidates(start: dt.datetime, end: dt.datetime, history, tz: ZoneInfo, p: Profile):
    points = {start}
    local = _local(start, tz)
    day = local.date()
    while True:
        midnight = dt.datetime.combine(day, dt.time(0), tz).astimezone(dt.timezone.utc)
        if midnight > end:
            break
        points.add(midnight)
        if p.quiet_end is not None:
            points.add(dt.datetime.combine(day, p.quiet_end, tz).astimezone(dt.timezone.utc))
        day += _DAY
    for h in history:
        if p.max_calls_per_week_per_debt is not None:
            points.add(h.at + 7 * _DAY + dt.timedelta(microseconds=1))
        if p.quiet_days_after_conversation is not None and h.outcome == "conversation":
            points.add(h.at + p.quiet_days_after_conversation * _DAY + dt.timedelta(microseconds=1))
    return sorted(x for x in points if start <= x <= end)


def usual_hour(answered, debtor: Debtor, profile: Profile) -> int | None:
    """The borrower's usual contact hour (local, 0-23): the most frequent hour of the
    times they answered or repaid on their own (``answered``: aware datetimes), moved
    into the legal window when it falls in quiet hours (to its nearer edge). Ties go to
    the earlier hour; no history gives None."""
    tz = debtor.zone()
    counts: dict[int, int] = {}
    for at in answered:
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            raise GuardError(f"answered times must be datetimes with a time zone, got {at!r}")
        h = _local(at, tz).hour
        counts[h] = counts.get(h, 0) + 1
    if not counts:
        return None
    hour = min(counts, key=lambda h: (-counts[h], h))
    if profile.quiet_start is None or not _in_quiet_hours(dt.datetime.combine(dt.date(2000, 1, 3), dt.time(hour)),
                                                          profile):
        return hour
    first_open, last_open = profile.quiet_end.hour, profile.quiet_start.hour - 1
    to_open = (first_open - hour) % 24
    to_close = (hour - last_open) % 24
    return first_open if to_open <= to_close else last_open
