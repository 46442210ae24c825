"""The review queue: counts per status, a ruleset filter and a sortable table."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input
from textual.worker import get_current_worker

from riskrules.review.store import Case, StoreError

from ..retry import Backoff, RetryingScreen
from ..service import QueuePage, QueueQuery, is_outage
from ..widgets.case_table import CaseTable
from ..widgets.db_banner import DatabaseBanner
from ..widgets.filter_bar import FilterBar
from ..widgets.status_filter import StatusFilter

if TYPE_CHECKING:
    from ..app import ReviewApp

SORT_CYCLE = ("priority", "age", "sla", "amount", "score")


class QueueScreen(RetryingScreen, Screen):
    """Lists cases; opens, claims and releases them."""

    BINDINGS = [
        Binding("enter", "open_case", "Open"),
        Binding("n", "claim_next", "Next case"),
        Binding("c", "claim", "Claim"),
        Binding("u", "release", "Release"),
        Binding("slash", "filter", "Filter"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("1", "status('open')", "Open", show=False),
        Binding("2", "status('claimed')", "Claimed", show=False),
        Binding("3", "status('escalated')", "Escalated", show=False),
        Binding("4", "status('decided')", "Decided", show=False),
        Binding("5", "status('all')", "All", show=False),
        Binding("r", "refresh", "Refresh/retry", show=False),
        Binding("R", "proposals", "Rule proposals", show=False),
    ]

    class QueueLoaded(Message):
        def __init__(self, page: QueuePage) -> None:
            super().__init__()
            self.page = page

    class Claimed(Message):
        def __init__(self, case: Case | None, action: str, open_after: bool) -> None:
            super().__init__()
            self.case, self.action, self.open_after = case, action, open_after

    class StoreFailed(Message):
        def __init__(self, error: StoreError, action: str) -> None:
            super().__init__()
            self.error, self.action = error, action

    def __init__(self) -> None:
        super().__init__()
        self.query_state = QueueQuery()

    @property
    def review_app(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield DatabaseBanner(id="db-banner")
        yield StatusFilter(id="status-filter")
        yield FilterBar(id="filter-bar")
        yield CaseTable(id="case-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._backoff = Backoff(self.review_app.retry_delays)
        self.query_one(FilterBar).show_sort(self.query_state.order_by, self.query_state.desc)
        self.query_one(CaseTable).focus()
        self.reload()
        if self.review_app.refresh_seconds:
            self.set_interval(self.review_app.refresh_seconds, self.reload)

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self) -> None:
        self._cancel_retry()
        self._load(self.query_state)

    @work(thread=True, exclusive=True, group="queue-load")
    def _load(self, query: QueueQuery) -> None:
        try:
            page = self.review_app.service.queue_page(query)
        except StoreError as error:
            self.post_message(self.StoreFailed(error, "load"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.QueueLoaded(page))

    @on(QueueLoaded)
    def _show_page(self, message: QueueLoaded) -> None:
        if message.page.query != self.query_state:
            return  # an older query finished late
        self._backoff.reset()
        self.query_one(DatabaseBanner).clear()
        self.query_one(StatusFilter).show_counts(message.page.counts)
        self.query_one(FilterBar).show_sort(self.query_state.order_by, self.query_state.desc)
        self.query_one(CaseTable).show_cases(
            message.page.cases, now=self.review_app.clock(), reviewer=self.review_app.reviewer,
            order_by=self.query_state.order_by, desc=self.query_state.desc,
        )

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        if not is_outage(message.error):
            self.notify(str(message.error), title=f"Could not {message.action}", severity="error")
            self.reload()
            return
        self._show_outage(message.error, retry=message.action == "load")

    # -- filters and sorting -------------------------------------------------------

    def _requery(self, **changes: object) -> None:
        self.query_state = replace(self.query_state, **changes)
        self.query_one(FilterBar).show_sort(self.query_state.order_by, self.query_state.desc)
        self.reload()

    @on(StatusFilter.Changed)
    def _status_changed(self, message: StatusFilter.Changed) -> None:
        if message.status != self.query_state.status:
            self._requery(status=message.status)

    @on(FilterBar.Changed)
    def _ruleset_changed(self, message: FilterBar.Changed) -> None:
        self.query_one(CaseTable).focus()
        if message.ruleset != self.query_state.ruleset:
            self._requery(ruleset=message.ruleset)

    @on(CaseTable.SortRequested)
    def _sort_requested(self, message: CaseTable.SortRequested) -> None:
        if message.order_by == self.query_state.order_by:
            self._requery(desc=not self.query_state.desc)
        else:
            self._requery(order_by=message.order_by, desc=True)

    def action_status(self, tab: str) -> None:
        self.query_one(StatusFilter).select(None if tab == "all" else tab)

    def action_cycle_sort(self) -> None:
        position = SORT_CYCLE.index(self.query_state.order_by)
        self._requery(order_by=SORT_CYCLE[(position + 1) % len(SORT_CYCLE)], desc=True)

    def action_reverse_sort(self) -> None:
        self._requery(desc=not self.query_state.desc)

    def action_filter(self) -> None:
        self.query_one(FilterBar).focus_filter()

    def action_refresh(self) -> None:
        self.reload()

    def key_escape(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(CaseTable).focus()

    # -- opening and claiming ------------------------------------------------------

    @on(CaseTable.CaseChosen)
    def _case_chosen(self, message: CaseTable.CaseChosen) -> None:
        self.review_app.open_case(message.case_id)

    def action_proposals(self) -> None:
        self.review_app.open_proposals()

    def action_open_case(self) -> None:
        case_id = self.query_one(CaseTable).current_case_id
        if case_id is not None:
            self.review_app.open_case(case_id)

    def action_claim(self) -> None:
        case_id = self.query_one(CaseTable).current_case_id
        if case_id is not None:
            self._claim(case_id, "claim")

    def action_release(self) -> None:
        case_id = self.query_one(CaseTable).current_case_id
        if case_id is not None:
            self._claim(case_id, "release")

    def action_claim_next(self) -> None:
        self._claim(None, "claim_next")

    @work(thread=True, group="queue-write")
    def _claim(self, case_id: int | None, action: str) -> None:
        service, reviewer = self.review_app.service, self.review_app.reviewer
        try:
            if action == "claim_next":
                case = service.claim_next(reviewer, ruleset=self.query_state.ruleset)
            elif action == "claim":
                case = service.claim(cast(int, case_id), reviewer)
            else:
                case = service.release(cast(int, case_id), reviewer)
        except StoreError as error:
            self.post_message(self.StoreFailed(error, action.replace("_", " ")))
            return
        self.post_message(self.Claimed(case, action, open_after=action == "claim_next"))

    @on(Claimed)
    def _claimed(self, message: Claimed) -> None:
        self.query_one(DatabaseBanner).clear()
        if message.case is None:
            self.notify("No open case left to claim.")
        elif message.action == "release":
            self.notify(f"Released case {message.case.id}.")
        else:
            self.notify(f"Claimed case {message.case.id}.")
        self.reload()
        if message.open_after and message.case is not None and message.case.id is not None:
            self.review_app.open_case(message.case.id)
