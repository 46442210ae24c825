"""Contact guards: each profile's limits, the scheduler, and a property test that the
scheduler never proposes a contact an independent check finds in breach."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from riskrules.collections.guards import (
    PROFILES,
    Contact,
    Debtor,
    GuardError,
    next_allowed,
    usual_hour,
    violations,
)

UTC = timezone.utc
CN, US = PROFILES["cn"], PROFILES["us_reg_f"]
SH = Debtor(timezone="Asia/Shanghai")


def at_local(tz: str, y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def call(when, **kw) -> Contact:
    return Contact(at=when, channel=kw.pop("channel", "voice"), method=kw.pop("method", "phone:1"), **kw)


def guards(contact, history=(), debtor=SH, profile=CN):
    return [v.guard for v in violations(contact, list(history), debtor, profile)]


def test_china_quiet_hours_and_consent():
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 21, 59))) == []
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 22, 0))) == ["CN-QUIET-HOURS"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 4, 7, 59))) == ["CN-QUIET-HOURS"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 4, 8, 0))) == []
    night = call(at_local("Asia/Shanghai", 2025, 3, 3, 23, 0))
    assert guards(night, debtor=Debtor("Asia/Shanghai", quiet_hours_consent=True)) == []
    ny_night = call(at_local("America/New_York", 2025, 3, 3, 21, 30))
    assert guards(ny_night, debtor=Debtor("America/New_York", quiet_hours_consent=True), profile=US) \
        == ["US-REG-F-QUIET-HOURS"]  # Reg F has no consent exception here


def test_china_daily_limits():
    day = [call(at_local("Asia/Shanghai", 2025, 3, 3, 9 + i), outcome="conversation") for i in range(3)]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 15)), day) == ["CN-CONVERSATIONS"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 15), channel="ai_voice"), day) == ["CN-CONVERSATIONS"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 15), channel="sms"), day) == []
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 4, 9)), day) == []  # a new local day
    dials = [call(at_local("Asia/Shanghai", 2025, 3, 3, 9, 5 * i), outcome="no_answer") for i in range(6)]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 12)), dials) == ["CN-ATTEMPTS"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 12), method="phone:2"), dials) == []


def test_china_third_parties_and_plans():
    third = call(at_local("Asia/Shanghai", 2025, 3, 3, 10), party="third_party", method="contact:mother")
    assert guards(third) == ["CN-THIRD-PARTY"]
    assert guards(third, debtor=Debtor("Asia/Shanghai", reachable=False)) == []
    telling = call(at_local("Asia/Shanghai", 2025, 3, 3, 10), party="third_party", discloses_debt=True)
    assert guards(telling, debtor=Debtor("Asia/Shanghai", reachable=False)) == ["CN-DISCLOSURE"]
    assert guards(call(at_local("Asia/Shanghai", 2025, 3, 3, 10)), debtor=Debtor("Asia/Shanghai", honouring_plan=True)) \
        == ["CN-PLAN"]


def test_reg_f_seven_in_seven_and_after_a_conversation():
    ny = Debtor("America/New_York")
    calls = [call(at_local("America/New_York", 2025, 3, 3 + i, 10), debt_id="L1") for i in range(7)]
    assert guards(call(at_local("America/New_York", 2025, 3, 9, 15), debt_id="L1"), calls, ny, US) == ["US-REG-F-FREQUENCY"]
    assert guards(call(at_local("America/New_York", 2025, 3, 9, 15), debt_id="L2"), calls, ny, US) == []
    # seven days after the first call it drops out of the window (across the DST change of 9 March)
    assert guards(call(at_local("America/New_York", 2025, 3, 10, 11), debt_id="L1"), calls, ny, US) == []
    talk = [call(at_local("America/New_York", 2025, 3, 3, 10), debt_id="L1", outcome="conversation")]
    assert guards(call(at_local("America/New_York", 2025, 3, 9, 10), debt_id="L1"), talk, ny, US) \
        == ["US-REG-F-AFTER-CONVERSATION"]
    email = Contact(at_local("America/New_York", 2025, 3, 9, 10), "email", debt_id="L1")
    assert guards(email, talk, ny, US) == []


def test_next_allowed_waits_for_the_morning_and_the_window():
    night = call(at_local("Asia/Shanghai", 2025, 3, 3, 23, 10))
    assert next_allowed(night, [], SH, CN) == at_local("Asia/Shanghai", 2025, 3, 4, 8, 0)
    ny = Debtor("America/New_York")
    talk = [call(at_local("America/New_York", 2025, 3, 3, 10, 30), debt_id="L1", outcome="conversation")]
    got = next_allowed(call(at_local("America/New_York", 2025, 3, 4, 9), debt_id="L1"), talk, ny, US)
    assert got == talk[0].at + timedelta(days=7, microseconds=1)  # 11:30 local: the clocks moved on 9 March
    late = [call(at_local("America/New_York", 2025, 3, 3, 20, 30), debt_id="L1", outcome="conversation")]
    got = next_allowed(call(at_local("America/New_York", 2025, 3, 4, 9), debt_id="L1"), late, ny, US)
    assert got == at_local("America/New_York", 2025, 3, 11, 8)  # seven days on is 21:30 EDT: wait for 08:00
    assert next_allowed(call(at_local("Asia/Shanghai", 2025, 3, 3, 10)), [],
                        Debtor("Asia/Shanghai", honouring_plan=True), CN) is None


def test_usual_hour_is_the_mode_clipped_to_the_legal_window():
    sh = lambda h: at_local("Asia/Shanghai", 2025, 3, 3, h)  # noqa: E731
    assert usual_hour([sh(19), sh(19), sh(12)], SH, CN) == 19
    assert usual_hour([sh(23), sh(23), sh(12)], SH, CN) == 21  # nearer edge of 08:00-22:00
    assert usual_hour([sh(6), sh(6)], SH, CN) == 8
    assert usual_hour([sh(12), sh(15)], SH, CN) == 12  # ties: the earlier hour
    assert usual_hour([], SH, CN) is None


@pytest.mark.parametrize("make, message", [
    (lambda: violations(call(datetime(2025, 3, 3, 10)), [], SH, CN), "with a time zone"),
    (lambda: violations(call(at_local("UTC", 2025, 3, 3, 10)), [], Debtor("Mars/Olympus"), CN), "unknown time zone"),
    (lambda: violations(call(at_local("UTC", 2025, 3, 3, 10)), [], Debtor("../../etc/passwd"), CN), "unknown time zone"),
    (lambda: violations(call(at_local("UTC", 2025, 3, 3, 10), channel="pigeon"), [], SH, CN), "channel 'pigeon'"),
    (lambda: violations(call(at_local("UTC", 2025, 3, 3, 10)), [call(datetime(2025, 3, 3, 9))], SH, CN),
     r"history\[0\].at"),
    (lambda: usual_hour([datetime(2025, 3, 3, 9)], SH, CN), "with a time zone"),
])
def test_bad_input_is_a_clear_error(make, message):
    with pytest.raises(GuardError, match=message):
        make()


# -- the scheduler never proposes a breach: random histories, zones and profiles ----------

ZONES = ["Asia/Shanghai", "America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Lord_Howe",
         "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "UTC", "Pacific/Kiritimati"]


def _independent_breach(c: Contact, history, debtor: Debtor, profile) -> bool:
    """The guards re-derived plainly from the profile's numbers, for the property test."""
    tz = ZoneInfo(debtor.timezone)
    loc = c.at.astimezone(tz)
    t = loc.time()
    if profile.name == "cn":
        if debtor.honouring_plan:
            return True
        if c.party == "third_party" and (debtor.reachable or c.discloses_debt):
            return True
        if (t >= time(22) or t < time(8)) and not debtor.quiet_hours_consent:
            return True
    else:
        if t >= time(21) or t < time(8):
            return True
    if c.channel not in ("voice", "ai_voice"):
        return False
    past = [h for h in history if h.at <= c.at and h.channel in ("voice", "ai_voice")]
    if profile.name == "cn":
        same_day = [h for h in past if h.at.astimezone(tz).date() == loc.date()]
        if sum(h.outcome == "conversation" and h.party == "debtor" for h in same_day) >= 3:
            return True
        if sum(h.method == c.method for h in same_day) >= 6:
            return True
    else:
        recent = [h for h in past if h.debt_id == c.debt_id and c.at - h.at < timedelta(days=7)]
        if len(recent) >= 7:
            return True
        if any(h.outcome == "conversation" and h.party == "debtor" for h in recent):
            return True
    return False


def _random_case(rng: random.Random):
    tz = rng.choice(ZONES)
    profile = rng.choice([CN, US])
    debtor = Debtor(tz, quiet_hours_consent=rng.random() < 0.1, reachable=rng.random() < 0.8,
                    honouring_plan=rng.random() < 0.05)
    t0 = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
    history = sorted((Contact(t0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 10)),
                              rng.choice(["voice", "voice", "ai_voice", "sms"]), rng.choice(["phone:1", "phone:2"]),
                              "debtor", rng.choice(["no_answer", "no_answer", "conversation", "attempt"]),
                              rng.choice(["L1", "L2"]))
                      for _ in range(rng.randrange(0, 40))), key=lambda h: h.at)
    want = Contact(t0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 12)), rng.choice(["voice", "ai_voice", "sms"]),
                   rng.choice(["phone:1", "phone:2"]), rng.choice(["debtor", "debtor", "third_party"]),
                   debt_id=rng.choice(["L1", "L2"]))
    return want, history, debtor, profile


def test_the_scheduler_never_proposes_a_breach():
    rng = random.Random(20261202)
    proposed = 0
    for _ in range(100_000):
        want, history, debtor, profile = _random_case(rng)
        when = next_allowed(want, history, debtor, profile, horizon=timedelta(days=10))
        if when is None:
            continue
        proposed += 1
        moved = Contact(when, want.channel, want.method, want.party, want.outcome, want.debt_id)
        assert not _independent_breach(moved, history, debtor, profile), (moved, debtor, profile.name)
    assert proposed > 50_000  # most cases have an allowed time within ten days
