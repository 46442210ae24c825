"""How long to wait before asking a failing database again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .widgets.db_banner import DatabaseBanner

DEFAULT_DELAYS = (2.0, 5.0, 10.0, 30.0)


@dataclass(slots=True)
class Backoff:
    """Delays that grow with each consecutive failure and reset on success.

    >>> b = Backoff((1.0, 3.0))
    >>> b.next_delay(), b.next_delay(), b.next_delay()
    (1.0, 3.0, 3.0)
    >>> b.reset(); b.next_delay()
    1.0
    """

    delays: Sequence[float] = DEFAULT_DELAYS
    failures: int = field(default=0)

    def next_delay(self) -> float:
        delay = self.delays[min(self.failures, len(self.delays) - 1)]
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


class RetryingScreen:
    """For screens that load through a worker: a load that finds the database gone shows
    the banner and is tried again after a growing delay (reset by a load that works).

    The screen sets ``self._backoff`` when mounted and calls :meth:`_cancel_retry` when it
    reloads by itself."""

    _backoff: Backoff
    _retry_timer = None

    def _cancel_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    def _show_outage(self, error: Exception, *, retry: bool) -> None:
        delay = self._backoff.next_delay() if retry else None
        self.query_one(DatabaseBanner).show_problem(error, retry_in=delay)  # type: ignore[attr-defined]
        if delay is not None:
            self._retry_timer = self.set_timer(delay, self.reload)  # type: ignore[attr-defined]
