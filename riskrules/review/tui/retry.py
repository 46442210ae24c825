"""How long to wait before asking a failing database again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
