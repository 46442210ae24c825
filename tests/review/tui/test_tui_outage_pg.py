"""A real outage: the PostgreSQL server stops taking the reviewer's connections in the
middle of a case. Nothing is simulated: the reviewer connects as a role of its own, the
test terminates that role's sessions and refuses it new ones, then lets it back in.

The TUI must show the error, keep the note being typed, record nothing half-way, and
record the verdict exactly once when the reviewer retries after the server is back.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tui_seed import REVIEWER, SIZE, seed

from riskrules.review.store import Store
from riskrules.review.store.connect import normalize_url
from riskrules.review.tui.screens.queue import QueueScreen
from riskrules.review.tui.widgets.db_banner import DatabaseBanner
from riskrules.review.tui.widgets.note_editor import NoteEditor

pytestmark = pytest.mark.postgres

NOTE = "ring: same device as case 4"


class Outage:
    """A schema with the seeded queue, a login role that may use it, and a switch."""

    def __init__(self, pg_url: str):
        base = normalize_url(pg_url)
        self.admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
        tag = uuid.uuid4().hex[:10]
        self.schema, self.role = f"rr_outage_{tag}", f"rr_reviewer_{tag}"
        password = secrets.token_hex(12)
        try:
            self._sql(f'CREATE ROLE "{self.role}" LOGIN PASSWORD \'{password}\'', f'CREATE SCHEMA "{self.schema}"')
        except sa.exc.ProgrammingError as error:
            pytest.skip(f"the PostgreSQL user of RISKRULES_PG_URL may not create roles: {error.orig}")
        options = {"options": f"-csearch_path={self.schema}"}
        self.admin_url = base.update_query_dict(options).render_as_string(hide_password=False)
        with Store.open(self.admin_url) as store:
            seed(store)
        self._sql(f'GRANT USAGE ON SCHEMA "{self.schema}" TO "{self.role}"',
                  f'GRANT ALL ON ALL TABLES IN SCHEMA "{self.schema}" TO "{self.role}"',
                  f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{self.schema}" TO "{self.role}"')
        self.url = (base.set(username=self.role, password=password).update_query_dict(options)
                    .render_as_string(hide_password=False))

    def _sql(self, *statements: str) -> None:
        with self.admin.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    def down(self) -> None:
        self._sql(f'ALTER ROLE "{self.role}" NOLOGIN',
                  f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{self.role}'")

    def up(self) -> None:
        self._sql(f'ALTER ROLE "{self.role}" LOGIN')

    def close(self) -> None:
        self.down()
        self._sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE', f'DROP ROLE IF EXISTS "{self.role}"')
        self.admin.dispose()


@pytest.fixture
def outage(pg_url: str) -> Iterator[Outage]:
    switch = Outage(pg_url)
    try:
        yield switch
    finally:
        switch.close()


def banner_text(app) -> str:
    banner = app.screen.query_one(DatabaseBanner)
    return str(banner.content) if banner.showing else ""


async def test_server_gone_mid_verdict_keeps_the_note_and_records_once_when_back(make_app, settle, outage):
    app = make_app(outage.url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(2)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("n", *("space" if ch == " " else ch for ch in NOTE), "escape")
        screen = app.screen

        outage.down()
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is screen, "the case stays open while the verdict is not recorded"
        assert "not saved" in banner_text(app) and "note is kept" in banner_text(app)
        assert screen.query_one(NoteEditor).text == NOTE and app.drafts[2] == NOTE
        with Store.open(outage.admin_url) as store:
            history = store.case_history(2)
        assert history.verdicts == [] and history.notes == []
        assert (history.case.status, history.case.claimed_by) == ("claimed", REVIEWER)

        outage.up()
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    with Store.open(outage.admin_url) as store:
        history = store.case_history(2)
    assert [v.verdict for v in history.verdicts] == ["bad"]
    assert [n.text for n in history.notes] == [NOTE]
    assert history.case.status != "claimed"
