"""The queue as a table; header clicks ask for another sort order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from riskrules.review.store import Case

from .. import format as fmt

# column key -> (label, width, right-aligned, store sort key or None)
COLUMNS: dict[str, tuple[str, int, bool, str | None]] = {
    "id": ("Case", 5, True, None),
    "status": ("Status", 9, False, None),  # widened up to STALE_WIDTH while a stale claim is listed
    "priority": ("Priority", 8, True, "priority"),
    "age": ("Age", 4, True, "age"),
    "sla": ("SLA", 5, True, "sla"),
    "ruleset": ("Ruleset", 14, False, None),
    "amount": ("Amount", 8, True, "amount"),
    "score": ("Score", 5, True, "score"),
}
# "@carol (stale)": still fits 80 columns beside the others and a scrollbar
STALE_WIDTH = 14


class CaseTable(DataTable):
    """Cases, one row each, keyed by case id."""

    class CaseChosen(Message):
        def __init__(self, case_id: int) -> None:
            super().__init__()
            self.case_id = case_id

    class SortRequested(Message):
        def __init__(self, order_by: str) -> None:
            super().__init__()
            self.order_by = order_by

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._sort = ("priority", True)

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self, status_width: int = COLUMNS["status"][1]) -> None:
        order_by, desc = self._sort
        for key, (label, width, right, sort_key) in COLUMNS.items():
            if sort_key == order_by:
                label = f"{label}{'▼' if desc else '▲'}"
            width = status_width if key == "status" else width
            self.add_column(Text(label, justify="right" if right else "left"), width=width, key=key)

    def show_cases(self, cases: Sequence[Case], *, now: datetime, reviewer: str, order_by: str, desc: bool) -> None:
        """Replace the rows, keeping the cursor on the same case when it is still listed.
        A claim whose lease has run out at ``now`` shows as ``@name (stale)``."""
        current = self.current_case_id
        self._sort = (order_by, desc)
        stale = [case.claim_expired(now) for case in cases]
        statuses = [fmt.status(case.status, case.claimed_by, reviewer, stale=s, width=STALE_WIDTH)
                    for case, s in zip(cases, stale, strict=True)]
        self.clear(columns=True)
        self._add_columns(max([COLUMNS["status"][1]] + [t.cell_len for t, s in zip(statuses, stale) if s]))
        for case, status in zip(cases, statuses, strict=True):
            self.add_row(
                Text(str(case.id), justify="right", style="bold"),
                status,
                Text(f"{case.priority:,.0f}", justify="right"),
                Text(fmt.age(case.created_at, now), justify="right"),
                _right(fmt.sla(case.sla_due_at, now)) if case.status in ("open", "claimed", "escalated")
                else Text("done", justify="right", style="dim"),
                case.ruleset,
                Text(fmt.money(case.amount), justify="right"),
                Text(fmt.score(case.model_score), justify="right"),
                key=str(case.id),
            )
        if current is not None and str(current) in self.rows:
            self.move_cursor(row=self.get_row_index(str(current)))

    @property
    def current_case_id(self) -> int | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return None if row_key.value is None else int(row_key.value)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.CaseChosen(int(event.row_key.value)))

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        sort_key = COLUMNS.get(str(event.column_key.value), ("", 0, False, None))[3]
        if sort_key is None:
            self.notify("Sort by priority, age, SLA, amount or score.", severity="warning")
            return
        self.post_message(self.SortRequested(sort_key))


def _right(text: Text) -> Text:
    text.justify = "right"
    return text
