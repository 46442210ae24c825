"""SVG snapshots of the review TUI at 120x36 and 80x24 (pytest-textual-snapshot).

The clock is frozen (tui_seed.NOW) and cases are seeded at fixed times, so ages
and SLAs render the same on every run. Regenerate after a deliberate change with
``pytest tests/review/tui/test_tui_snapshots.py --snapshot-update`` and look at the
SVGs in ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tui_seed import NOW, SIZE, SMALL

from riskrules.review.store import DatabaseUnavailable, Store
from riskrules.review.tui.widgets.note_editor import NoteEditor


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def after(*steps):
    """A run_before that waits for the database, then runs ``steps`` (each
    ``async (pilot) -> None``), waiting again after each, and hides toasts."""

    async def run(pilot) -> None:
        await _settle(pilot)
        for step in steps:
            await step(pilot)
            await _settle(pilot)
        for editor in pilot.app.screen.query(NoteEditor):
            editor.cursor_blink = False
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


def open_case(case_id: int):
    async def step(pilot) -> None:
        pilot.app.open_case(case_id)

    return step


def press(*keys: str):
    async def step(pilot) -> None:
        await pilot.press(*keys)

    return step


def typed(text: str):
    return press(*("space" if ch == " " else ch for ch in text))


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x36", "80x24"])
def test_queue(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=after())


def test_queue_with_a_stale_claim(snap_compare, make_app, db_url):
    with Store.open(db_url, clock=lambda: NOW - timedelta(hours=2)) as past:
        past.claim(2, "carol")  # her 30-minute lease ran out 90 minutes ago
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=after(press("2")))


def test_queue_all_statuses_sorted_by_sla(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=after(press("5"), press("s", "s")))


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x36", "80x24"])
def test_case_overview(snap_compare, make_app, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=after(open_case(1)))


def test_case_similar_and_links(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=after(open_case(1), press("4")))


def test_case_input_tree(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=after(open_case(1), press("3")))


def test_help(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=after(press("question_mark")))


def test_database_gone_while_writing_a_note(snap_compare, make_app, monkeypatch):
    def unavailable(self, *args, **kwargs):
        raise DatabaseUnavailable("cannot reach sqlite:///review.db: disk I/O error")

    async def database_goes(pilot) -> None:
        monkeypatch.setattr(Store, "record_verdict", unavailable)

    steps = (open_case(2), press("c"), press("n"), typed("Same device as case 4; income looks inflated"),
             press("escape"), database_goes, press("b"))
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=after(*steps))
