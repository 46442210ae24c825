"""Tabs of case statuses, each with its count; choosing one filters the queue."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Tab, Tabs

# tab id -> status passed to the store (None: every status)
STATUS_TABS: dict[str, str | None] = {
    "open": "open", "claimed": "claimed", "escalated": "escalated", "decided": "decided", "all": None,
}


class StatusFilter(Widget):
    """Posts :class:`StatusFilter.Changed` when the reviewer picks another status."""

    class Changed(Message):
        def __init__(self, status: str | None) -> None:
            super().__init__()
            self.status = status

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(self._label(tab_id, None), id=f"status-{tab_id}") for tab_id in STATUS_TABS))

    @staticmethod
    def _label(tab_id: str, count: int | None) -> str:
        name = tab_id.capitalize()
        return name if count is None else f"{name} {count}"

    def show_counts(self, counts: Mapping[str, int]) -> None:
        for tab_id, status in STATUS_TABS.items():
            count = sum(counts.values()) if status is None else counts.get(status, 0)
            self.query_one(f"#status-{tab_id}", Tab).label = self._label(tab_id, count)

    def select(self, status: str | None) -> None:
        tab_id = next(t for t, s in STATUS_TABS.items() if s == status)
        self.query_one(Tabs).active = f"status-{tab_id}"

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab is not None and event.tab.id:
            self.post_message(self.Changed(STATUS_TABS[event.tab.id.removeprefix("status-")]))
