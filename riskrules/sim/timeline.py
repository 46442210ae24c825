"""When things happen: submission times and the observation window.

All timestamps are int64 seconds since the Unix epoch, UTC. Borrowers live on
Beijing time (UTC+8), so hour-of-day weights are written in local hours.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np

from riskrules.sim.rand import weighted

DAY = 86_400
HOUR = 3_600
BEIJING = 8 * HOUR
# Outcomes need 90 days after the last application, plus 30 days for an installment
# falling due on day 90 to become 30 days past due, plus slack for month lengths.
OBSERVATION_TAIL_DAYS = 130

# Applications per local hour of day: quiet at night, peaks late morning and evening.
LOCAL_HOUR_WEIGHTS = (2, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 7, 7, 7, 7, 7, 8, 9, 10, 10, 8, 5)


def epoch_seconds(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def observation_end(start_s: int, days: int) -> int:
    """End (exclusive) of every event table: repayments, transfers, collections."""
    return start_s + (days + OBSERVATION_TAIL_DAYS) * DAY


def split_groups(rng: np.random.Generator, count: int, low: int, high: int) -> np.ndarray:
    """Group number for each of ``count`` members, groups sized ``low..high``."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = rng.integers(low, high + 1, size=count // low + 1)
    ends = np.cumsum(sizes)
    groups = np.searchsorted(ends, np.arange(count), side="right").astype(np.int64)
    last = groups[-1]
    if last > 0 and (groups == last).sum() < low:  # fold a short tail into the group before
        groups[groups == last] = last - 1
    return groups


def submission_times(rng: np.random.Generator, n: int, start_s: int, days: int,
                     burst_group: np.ndarray, is_burst: np.ndarray) -> np.ndarray:
    """Submission second of each application, inside ``[start, start + days)``.

    Members of one employer burst all apply within 72 hours of the burst's start.
    """
    utc_hour = (np.arange(24) - 8) % 24
    hour_weights = np.asarray(LOCAL_HOUR_WEIGHTS, dtype=float)[(utc_hour + 8) % 24]
    day = rng.integers(0, days, size=n)
    second_of_day = weighted(rng, hour_weights, n) * HOUR + rng.integers(0, HOUR, size=n)
    t = start_s + day * DAY + second_of_day
    if is_burst.any():
        window = min(3 * DAY, days * DAY)
        groups = burst_group[is_burst]
        n_groups = int(groups.max()) + 1
        burst_start = start_s + rng.integers(0, days * DAY - window + 1, size=n_groups)
        t[is_burst] = burst_start[groups] + rng.integers(0, window, size=groups.size)
    return t.astype(np.int64)
