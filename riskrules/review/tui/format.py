"""Short, fixed-width renderings of domain values for tables and headers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text

VERDICT_STYLES = {"bad": "bold red", "good": "bold green", "escalate": "bold yellow", "skip": "dim"}
MASKED = frozenset({"phone", "id_number", "contact", "emergency_phone"})
STATUS_STYLES = {"open": "cyan", "claimed": "magenta", "escalated": "yellow", "decided": "dim"}


def duration(delta: timedelta) -> str:
    """``45m``, ``3h``, ``2d`` — the largest unit that fits, rounded down.

    >>> duration(timedelta(hours=50)), duration(timedelta(minutes=5)), duration(timedelta(0))
    ('2d', '5m', '0m')
    """
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def age(created_at: datetime | None, now: datetime) -> str:
    return "—" if created_at is None else duration(now - created_at)


def sla(due: datetime | None, now: datetime) -> Text:
    """Time left before the SLA is breached; overdue in red with a minus sign."""
    if due is None:
        return Text("—", style="dim")
    left = due - now
    if left < timedelta(0):
        return Text(f"-{duration(-left)}", style="bold red")
    style = "yellow" if left < timedelta(hours=4) else ""
    return Text(duration(left), style=style)


def money(amount: float | None) -> str:
    """Whole currency units with thousands separators.

    >>> money(38000.0)
    '38,000'
    """
    return "—" if amount is None else f"{amount:,.0f}"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def value(raw: Any) -> str:
    """A feature or input value, compactly.

    >>> value(48000.0), value(0.4567), value(1234.5), value(None), value(True)
    ('48,000', '0.4567', '1,234.50', 'null', 'true')
    """
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        if raw.is_integer():
            return f"{raw:,.0f}"
        return f"{raw:,.2f}" if abs(raw) >= 1000 else f"{raw:.4g}"
    return str(raw)


STALE = " (stale)"


def status(case_status: str, claimed_by: str | None, reviewer: str, *, stale: bool = False,
           width: int | None = None) -> Text:
    """The case's status, or who holds it; a claim whose lease ran out is marked
    ``(stale)``, as ``riskrules queue list`` does: anyone may take the case over.
    Within ``width`` cells the name gives way, never the mark.

    >>> str(status("claimed", "bob", "alice")), str(status("claimed", "bob", "alice", stale=True))
    ('@bob', '@bob (stale)')
    >>> str(status("claimed", "alice", "alice", stale=True)), str(status("open", None, "alice"))
    ('@you (stale)', 'open')
    >>> str(status("claimed", "carolina", "alice", stale=True, width=14))
    '@caro… (stale)'
    """
    if case_status == "claimed":
        who = "you" if claimed_by == reviewer else claimed_by or "?"
        holder = f"@{who}"
        if stale and width is not None and len(holder) + len(STALE) > width:
            holder = holder[:max(width - len(STALE) - 1, 2)] + "…"
        text = Text(holder, style="bold magenta" if who == "you" else "magenta")
        if stale:
            text.append(STALE, style="bold yellow")
        return text
    return Text(case_status, style=STATUS_STYLES.get(case_status, ""))


def verdict(name: str | None) -> Text:
    return Text(name or "—", style=VERDICT_STYLES.get(name or "", "dim"))


def mask(kind: str, text: str) -> str:
    """Hide the middle of phone and ID numbers, as Chinese lenders display them.

    >>> mask("phone", "13190684214"), mask("device", "583bfead006a6e8")
    ('131****4214', '583bfead006a6e8')
    """
    if kind in MASKED and len(text) >= 8:
        return f"{text[:3]}{'*' * 4}{text[-4:]}"
    return text
