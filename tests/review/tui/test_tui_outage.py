"""The database going away: the error is shown, the note survives, a retry works,
and a verdict interrupted inside its transaction leaves nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_seed import REVIEWER, SIZE, seed

from riskrules.review.store import DatabaseUnavailable, Store
from riskrules.review.store import queue as store_queue
from riskrules.review.tui.screens.case import CaseScreen
from riskrules.review.tui.screens.queue import QueueScreen
from riskrules.review.tui.widgets.case_table import CaseTable
from riskrules.review.tui.widgets.db_banner import DatabaseBanner
from riskrules.review.tui.widgets.note_editor import NoteEditor

NOTE = "same device as case 4"


def banner_text(app) -> str:
    banner = app.screen.query_one(DatabaseBanner)
    return str(banner.content) if banner.showing else ""


async def claimed_case_with_note(pilot, settle, case_id: int = 2) -> CaseScreen:
    pilot.app.open_case(case_id)
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("n", *("space" if ch == " " else ch for ch in NOTE), "escape")
    return pilot.app.screen


def fail_times(monkeypatch: pytest.MonkeyPatch, name: str, times: int, *, after_commit: bool = False) -> list[int]:
    """Make ``Store.<name>`` raise DatabaseUnavailable ``times`` times (after doing
    its work when ``after_commit``: the reply was lost, not the write)."""
    original = getattr(Store, name)
    calls: list[int] = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            if after_commit:
                original(self, *args, **kwargs)
            raise DatabaseUnavailable("cannot reach sqlite:///review.db: disk I/O error")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, name, flaky)
    return calls


async def test_failed_verdict_shows_the_error_keeps_the_note_and_retries(make_app, settle, db_url, monkeypatch):
    calls = fail_times(monkeypatch, "record_verdict", 1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await claimed_case_with_note(pilot, settle)
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is screen
        assert "disk I/O error" in banner_text(app) and "note is kept" in banner_text(app)
        assert screen.query_one(NoteEditor).text == NOTE
        assert app.drafts[2] == NOTE
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert len(calls) == 2
    with Store.open(db_url) as store:
        history = store.case_history(2)
    assert [v.verdict for v in history.verdicts] == ["bad"]
    assert [n.text for n in history.notes] == [NOTE]


async def test_verdict_killed_inside_its_transaction_leaves_no_trace(make_app, settle, db_url, monkeypatch):
    real_append = store_queue.audit.append

    def dies_at_verdict(session, *, action, **kwargs):
        if action == "case.verdict":
            raise DatabaseUnavailable("connection lost in the middle of the verdict")
        return real_append(session, action=action, **kwargs)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await claimed_case_with_note(pilot, settle)
        monkeypatch.setattr(store_queue.audit, "append", dies_at_verdict)
        await pilot.press("g")
        await settle(pilot)
        assert "connection lost" in banner_text(app)
        with Store.open(db_url) as store:
            history = store.case_history(2)
        # verdict, note, claim end and status change rolled back together
        assert history.verdicts == [] and history.notes == []
        assert (history.case.status, history.case.claimed_by) == ("claimed", REVIEWER)
        assert history.claims[-1].released_at is None
        assert screen.query_one(NoteEditor).text == NOTE
        monkeypatch.setattr(store_queue.audit, "append", real_append)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    with Store.open(db_url) as store:
        history = store.case_history(2)
    assert [v.verdict for v in history.verdicts] == ["good"] and [n.text for n in history.notes] == [NOTE]


async def test_retry_after_a_lost_reply_does_not_record_twice(make_app, settle, db_url, monkeypatch):
    fail_times(monkeypatch, "record_verdict", 1, after_commit=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await claimed_case_with_note(pilot, settle)
        await pilot.press("e")
        await settle(pilot)
        assert banner_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    with Store.open(db_url) as store:
        assert [v.verdict for v in store.case_history(2).verdicts] == ["escalate"]


async def test_reload_failure_keeps_the_note_and_recovers_by_itself(make_app, settle, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await claimed_case_with_note(pilot, settle)
        original = Store.case_history
        calls = fail_times(monkeypatch, "case_history", 10**6)  # down until we bring it back
        await pilot.press("r")
        await settle(pilot)
        assert "retrying in" in banner_text(app)
        assert screen.query_one(NoteEditor).text == NOTE
        monkeypatch.setattr(Store, "case_history", original)
        for _ in range(30):  # the automatic retry (0.2s, then 0.5s) brings it back
            await pilot.pause(0.1)
            await settle(pilot)
            if not banner_text(app):
                break
        assert banner_text(app) == ""
        assert len(calls) >= 1
        assert screen.query_one(NoteEditor).text == NOTE


async def test_tui_started_before_the_database_exists_recovers(make_app, settle, tmp_path: Path):
    folder = tmp_path / "later"
    url = f"sqlite:///{folder / 'review.db'}"
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "unable to open database file" in banner_text(app)
        assert app.screen.query_one(CaseTable).row_count == 0
        folder.mkdir()
        with Store.open(url) as store:
            seed(store)
        for _ in range(20):
            await pilot.pause(0.1)
            await settle(pilot)
            if app.screen.query_one(CaseTable).row_count:
                break
        assert banner_text(app) == ""
        assert app.screen.query_one(CaseTable).row_count == 4
