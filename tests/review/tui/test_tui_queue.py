"""The queue screen driven through Pilot: counts, sorting, filtering, claims."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Tab
from tui_seed import NOW, REVIEWER, SIZE, SMALL

from riskrules.review.store import Store
from riskrules.review.tui.screens.case import CaseScreen
from riskrules.review.tui.screens.queue import QueueScreen
from riskrules.review.tui.widgets.case_summary import CaseSummary
from riskrules.review.tui.widgets.case_table import CaseTable
from riskrules.review.tui.widgets.filter_bar import FilterBar


def row_ids(app) -> list[int]:
    table = app.screen.query_one(CaseTable)
    return [int(key.value) for key in table.rows]


async def test_queue_lists_open_cases_by_priority_with_counts(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert row_ids(app) == [1, 3, 2, 5]
        labels = [str(tab.label) for tab in app.screen.query(Tab)]
        assert labels == ["Open 4", "Claimed 1", "Escalated 1", "Decided 3", "All 9"]


async def test_sort_keys_and_header_clicks_reorder_the_queue(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")  # priority -> age: oldest first
        await settle(pilot)
        assert app.screen.query_state.order_by == "age"
        assert row_ids(app) == [3, 1, 2, 5]
        await pilot.press("s", "S")  # -> sla, then reversed
        await settle(pilot)
        assert (app.screen.query_state.order_by, app.screen.query_state.desc) == ("sla", False)
        assert row_ids(app) == [5, 2, 1, 3]
        table = app.screen.query_one(CaseTable)
        table.post_message(CaseTable.SortRequested("amount"))
        await settle(pilot)
        assert row_ids(app) == [1, 3, 2, 5]
        assert "amount ▼" in str(app.screen.query_one("#sort-label").render())


async def test_status_tabs_and_ruleset_filter(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert row_ids(app) == [4, 7, 6]
        await pilot.press("5")
        await settle(pilot)
        assert sorted(row_ids(app)) == list(range(1, 10))
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"limit_increase", "enter")
        await settle(pilot)
        assert sorted(row_ids(app)) == [5, 8]
        assert isinstance(app.focused, CaseTable)
        labels = [str(tab.label) for tab in app.screen.query(Tab)]
        assert labels[-1] == "All 2"
        app.screen.query_one(FilterBar).post_message(FilterBar.Changed(None))
        await settle(pilot)
        assert len(row_ids(app)) == 9


async def test_claim_and_release_from_the_queue(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        with Store.open(db_url) as store:
            assert store.get_case(1).claimed_by == REVIEWER
        assert 1 not in row_ids(app)  # no longer open
        await pilot.press("2")
        await settle(pilot)
        assert row_ids(app) == [1, 9]
        statuses = [str(app.screen.query_one(CaseTable).get_cell_at((row, 1))) for row in range(2)]
        assert statuses == ["@you", "@bob"]
        await pilot.press("u")
        await settle(pilot)
        with Store.open(db_url) as store:
            assert store.get_case(1).status == "open"


async def test_claiming_a_case_someone_else_holds_says_so(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # claimed: case 9, held by bob
        await settle(pilot)
        assert row_ids(app) == [9]
        await pilot.press("u")
        await settle(pilot)
        assert any("does not hold" in n.message for n in app._notifications)
        with Store.open(db_url) as store:
            assert store.get_case(9).claimed_by == "bob"


async def test_next_case_claims_the_top_case_and_opens_it(make_app, settle, db_url):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 1
        with Store.open(db_url) as store:
            assert store.get_case(1).claimed_by == REVIEWER


async def test_enter_opens_the_highlighted_case_and_escape_comes_back(make_app, settle):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 3
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x36", "80x24"])
async def test_a_stale_claim_is_marked_and_can_be_taken_over(make_app, settle, db_url, size):
    with Store.open(db_url, clock=lambda: NOW - timedelta(hours=2)) as past:
        past.claim(2, "carol")  # a 30-minute lease that ran out 90 minutes ago
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one(CaseTable)
        assert row_ids(app) == [9, 2]
        statuses = [table.get_cell_at((row, 1)) for row in range(2)]
        assert [s.plain for s in statuses] == ["@bob", "@carol (stale)"]  # bob's lease runs all day
        assert table.columns["status"].width >= len("@carol (stale)")
        assert table.max_scroll_x == 0  # every column still shows at 80x24
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == 2
        assert "@carol (stale)" in app.screen.query_one(CaseSummary).content.plain
        await pilot.press("escape")
        await settle(pilot)
        assert table.current_case_id == 2
        await pilot.press("c")
        await settle(pilot)
        with Store.open(db_url) as store:
            assert store.get_case(2).claimed_by == REVIEWER
        assert [table.get_cell_at((row, 1)).plain for row in range(2)] == ["@bob", "@you"]
        assert table.columns["status"].width == 9  # back to narrow once no claim is stale
