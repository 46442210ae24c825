"""The line above the queue: ruleset filter and the current sort order."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

SORT_LABELS = {"priority": "priority", "age": "age", "sla": "SLA", "amount": "amount", "score": "model score"}


class FilterBar(Horizontal):
    """Posts :class:`FilterBar.Changed` with the ruleset to show (None for all)."""

    class Changed(Message):
        def __init__(self, ruleset: str | None) -> None:
            super().__init__()
            self.ruleset = ruleset

    def compose(self) -> ComposeResult:
        yield Label("Ruleset", classes="filter-label")
        yield Input(placeholder="all  (/ to filter)", id="ruleset-filter", compact=True)
        yield Label("", id="sort-label")

    def show_sort(self, order_by: str, desc: bool) -> None:
        arrow = "▼" if desc else "▲"
        self.query_one("#sort-label", Label).update(f"sorted by {SORT_LABELS.get(order_by, order_by)} {arrow}")

    def focus_filter(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(event.value.strip() or None))
